package io.pgtrickle.sql.api;

import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The final argument values of an API call: bound parameters substituted, defaults filled in, each
 * value a String (TEXT), a Boolean (BOOL) or null.
 *
 * @param function the function called
 * @param values every parameter's value in declaration order; null values are SQL NULL
 * @param specified the names of the parameters the caller passed, explicitly or by position
 */
public record ResolvedArgs(
    ApiFunction function, Map<String, Object> values, Set<String> specified) {
  public ResolvedArgs {
    Objects.requireNonNull(function, "function");
    // Copies that keep order and allow the nulls Map.copyOf rejects.
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    specified = Collections.unmodifiableSet(new LinkedHashSet<>(specified));
  }

  /** The value of a TEXT parameter, or null for SQL NULL. */
  public String text(String param) {
    return (String) value(param, ParamType.TEXT);
  }

  /** The value of a BOOL parameter, or null for SQL NULL. */
  public Boolean bool(String param) {
    return (Boolean) value(param, ParamType.BOOL);
  }

  /** Whether the caller passed this parameter (possibly as NULL) rather than taking its default. */
  public boolean isSpecified(String param) {
    parameter(param);
    return specified.contains(param);
  }

  private Object value(String param, ParamType type) {
    ApiParameter p = parameter(param);
    if (p.type() != type) {
      throw new IllegalArgumentException(
          function.qualifiedName()
              + "."
              + param
              + " is "
              + p.type().sqlName()
              + ", not "
              + type.sqlName());
    }
    return values.get(param);
  }

  /** Unknown names are programming errors in the caller, not user errors. */
  private ApiParameter parameter(String param) {
    return function
        .parameter(param)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    function.qualifiedName() + " has no parameter " + param));
  }

  static ResolvedArgs resolve(ApiCall call, List<?> parameterValues) throws PgTrickleException {
    Objects.requireNonNull(parameterValues, "parameterValues");
    ApiFunction f = call.function();
    Map<String, Object> values = new LinkedHashMap<>();
    for (ApiParameter p : f.parameters()) {
      ArgValue arg = call.arguments().get(p.name());
      Object v;
      if (arg == null) {
        v = p.defaultValue();
      } else if (arg instanceof ArgValue.Literal l) {
        v = l.value();
      } else {
        v = bound(f, p, ((ArgValue.Parameter) arg).index(), parameterValues);
      }
      if (v == null && p.required()) {
        throw PgTrickleException.builder(
                SqlState.NULL_VALUE_NOT_ALLOWED,
                "parameter \"" + p.name() + "\" of " + f.qualifiedName() + " must not be NULL")
            .hint("Pass a " + p.type().sqlName() + " value for " + p.name() + ".")
            .build();
      }
      values.put(p.name(), v);
    }
    return new ResolvedArgs(f, values, call.arguments().keySet());
  }

  /** The value bound to {@code $index}, converted to the parameter's type. */
  private static Object bound(ApiFunction f, ApiParameter p, int index, List<?> parameterValues)
      throws PgTrickleException {
    String which = "parameter $" + index + " (" + p.name() + " of " + f.qualifiedName() + ")";
    if (index > parameterValues.size()) {
      throw PgTrickleException.builder(
              SqlState.INVALID_PARAMETER_VALUE, "no value specified for " + which)
          .hint(
              "The statement uses "
                  + index
                  + " or more parameters but "
                  + parameterValues.size()
                  + " were bound.")
          .build();
    }
    Object v = parameterValues.get(index - 1);
    if (v == null) {
      return null;
    }
    if (p.type() == ParamType.TEXT) {
      if (v instanceof CharSequence s) {
        return s.toString();
      }
    } else if (v instanceof Boolean) {
      return v;
    } else if (v instanceof CharSequence s) {
      Boolean b = PgBoolean.parse(s.toString());
      if (b == null) {
        throw ApiErrors.invalidBoolean(s.toString(), p, f).build();
      }
      return b;
    }
    throw PgTrickleException.builder(
            SqlState.INVALID_PARAMETER_VALUE,
            which
                + " must be "
                + p.type().sqlName()
                + ", but a value of type "
                + v.getClass().getSimpleName()
                + " was bound")
        .hint(
            p.type() == ParamType.TEXT
                ? "Bind it with setString."
                : "Bind it with setBoolean or a string such as 'true' or 'off'.")
        .build();
  }
}
