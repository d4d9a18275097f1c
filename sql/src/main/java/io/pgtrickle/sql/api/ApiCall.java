package io.pgtrickle.sql.api;

import io.pgtrickle.errors.PgTrickleException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A recognised call of an API function: which function, the arguments the caller passed, and the
 * name of the single result column the client expects.
 *
 * @param function the function called
 * @param arguments every argument the caller passed, by canonical parameter name in declaration
 *     order; defaults are not filled in, see {@link #resolve}
 * @param resultColumn the result column's name: the alias if one was given, else the function name
 */
public record ApiCall(ApiFunction function, Map<String, ArgValue> arguments, String resultColumn) {
  public ApiCall {
    Objects.requireNonNull(function, "function");
    Objects.requireNonNull(arguments, "arguments");
    Objects.requireNonNull(resultColumn, "resultColumn");
    // Map.copyOf would lose the declaration order, which hints and logs rely on.
    Map<String, ArgValue> ordered = new LinkedHashMap<>();
    for (ApiParameter p : function.parameters()) {
      ArgValue v = arguments.get(p.name());
      if (v != null) {
        ordered.put(p.name(), v);
      }
    }
    if (ordered.size() != arguments.size()) {
      throw new IllegalArgumentException(
          "arguments "
              + arguments.keySet()
              + " are not all parameters of "
              + function.qualifiedName());
    }
    arguments = Collections.unmodifiableMap(ordered);
  }

  /** The highest parameter number the arguments use, or 0 if they use none. */
  public int maxParameterIndex() {
    int max = 0;
    for (ArgValue v : arguments.values()) {
      if (v instanceof ArgValue.Parameter p) {
        max = Math.max(max, p.index());
      }
    }
    return max;
  }

  /**
   * Substitutes bound parameter values and fills in defaults.
   *
   * @param parameterValues the values of {@code $1, $2, ...} (or the JDBC {@code ?}s) in order: a
   *     String, a Boolean or null; for a BOOL parameter also a string PostgreSQL reads as boolean
   * @throws PgTrickleException INVALID_PARAMETER_VALUE for an unbound parameter or a value of the
   *     wrong type, NULL_VALUE_NOT_ALLOWED for a required parameter that is NULL
   */
  public ResolvedArgs resolve(List<?> parameterValues) throws PgTrickleException {
    return ResolvedArgs.resolve(this, parameterValues);
  }

  /** Fills in defaults for a call that uses no bind parameters. */
  public ResolvedArgs resolve() throws PgTrickleException {
    return resolve(List.of());
  }
}
