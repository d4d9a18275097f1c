package io.pgtrickle.sql.api;

/** An argument of a recognised API call as the client wrote it: a constant or a bind parameter. */
public sealed interface ArgValue permits ArgValue.Literal, ArgValue.Parameter {

  /**
   * A constant, already coerced to the parameter's type.
   *
   * @param value a String (TEXT parameters), a Boolean (BOOL parameters), or null for SQL NULL
   */
  record Literal(Object value) implements ArgValue {
    public Literal {
      if (value != null && !(value instanceof String) && !(value instanceof Boolean)) {
        throw new IllegalArgumentException(
            "a literal is a String, a Boolean or null, not " + value.getClass().getName());
      }
    }
  }

  /**
   * A bind parameter, {@code $n} or a JDBC {@code ?}, whose value comes with the execution.
   *
   * @param index the 1-based parameter number
   */
  record Parameter(int index) implements ArgValue {
    public Parameter {
      if (index < 1) {
        throw new IllegalArgumentException("parameter numbers start at 1, not " + index);
      }
    }
  }
}
