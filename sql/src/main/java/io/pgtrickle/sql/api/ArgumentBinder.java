package io.pgtrickle.sql.api;

import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import io.pgtrickle.sql.lex.Token;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Matches parsed arguments to a function's parameters in PostgreSQL's order: notation errors first
 * (positional after named, a name used twice), then overload resolution (too many arguments,
 * unknown names, missing required parameters, types), then constant coercion.
 */
final class ArgumentBinder {
  private final ApiFunction f;
  private final String sql;
  private final Token functionToken;

  private ArgumentBinder(ApiFunction f, String sql, Token functionToken) {
    this.f = f;
    this.sql = sql;
    this.functionToken = functionToken;
  }

  /**
   * The arguments by canonical parameter name, in declaration order.
   *
   * @param functionToken the function name in the call, where "does not exist" errors point
   */
  static Map<String, ArgValue> bind(
      ApiFunction f, List<ParsedArgument> args, String sql, Token functionToken)
      throws PgTrickleException {
    return new ArgumentBinder(f, sql, functionToken).bind(args);
  }

  private Map<String, ArgValue> bind(List<ParsedArgument> args) throws PgTrickleException {
    checkNotation(args);
    List<ApiParameter> params = f.parameters();
    Map<ApiParameter, ParsedArgument> bound = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      ParsedArgument a = args.get(i);
      if (!a.isNamed()) {
        if (i >= params.size()) {
          throw ApiErrors.doesNotExist(
              signature(args),
              f.qualifiedName()
                  + " takes at most "
                  + params.size()
                  + " arguments: "
                  + f.parameterNames()
                  + ".",
              sql,
              functionToken);
        }
        bound.put(params.get(i), a);
        continue;
      }
      ApiParameter p = f.parameter(a.name()).orElse(null);
      if (p == null) {
        throw PgTrickleException.builder(
                SqlState.UNDEFINED_FUNCTION,
                f.qualifiedName() + " has no parameter named \"" + a.name() + "\"")
            .hint("Valid parameter names are: " + f.parameterNames() + ".")
            .position(ApiErrors.position(sql, a.nameToken()))
            .build();
      }
      if (bound.containsKey(p)) {
        throw ApiErrors.syntax(
            "parameter \""
                + p.name()
                + "\" of "
                + f.qualifiedName()
                + " is given both by position and by name",
            "Pass each parameter once.",
            sql,
            a.nameToken());
      }
      bound.put(p, a);
    }
    for (ApiParameter p : params) {
      if (p.required() && !bound.containsKey(p)) {
        throw ApiErrors.doesNotExist(
            signature(args),
            f.qualifiedName()
                + " requires parameter \""
                + p.name()
                + "\" (required: "
                + required()
                + ").",
            sql,
            functionToken);
      }
    }
    for (Map.Entry<ApiParameter, ParsedArgument> e : bound.entrySet()) {
      checkType(e.getKey(), e.getValue(), args);
    }
    Map<String, ArgValue> out = new LinkedHashMap<>();
    for (ApiParameter p : params) {
      ParsedArgument a = bound.get(p);
      if (a != null) {
        out.put(p.name(), value(p, a));
      }
    }
    return out;
  }

  /** The parse-time rules: no positional argument after a named one, no name twice. */
  private void checkNotation(List<ParsedArgument> args) throws PgTrickleException {
    boolean named = false;
    Set<String> names = new HashSet<>();
    for (ParsedArgument a : args) {
      if (!a.isNamed()) {
        if (named) {
          throw ApiErrors.syntax(
              "positional argument cannot follow named argument",
              "Put positional arguments first, or name every argument after the first named one.",
              sql,
              a.valueToken());
        }
      } else {
        named = true;
        if (!names.add(a.name())) {
          throw ApiErrors.syntax(
              "argument name \"" + a.name() + "\" used more than once",
              "Pass each parameter of " + f.qualifiedName() + " once.",
              sql,
              a.nameToken());
        }
      }
    }
  }

  /** An untyped constant adapts to the parameter; a typed one must have the parameter's type. */
  private void checkType(ApiParameter p, ParsedArgument a, List<ParsedArgument> args)
      throws PgTrickleException {
    SqlType.Category c = a.expr().type().category();
    boolean ok =
        c == SqlType.Category.UNKNOWN
            || (p.type() == ParamType.TEXT && c == SqlType.Category.TEXT)
            || (p.type() == ParamType.BOOL && c == SqlType.Category.BOOL);
    if (!ok) {
      throw ApiErrors.doesNotExist(
          signature(args),
          "Parameter \""
              + p.name()
              + "\" has type "
              + p.type().sqlName()
              + " but the argument has type "
              + a.expr().type().name()
              + (p.type() == ParamType.TEXT
                  ? "; write it as a string literal."
                  : "; write true or false."),
          sql,
          a.valueToken());
    }
  }

  private ArgValue value(ApiParameter p, ParsedArgument a) throws PgTrickleException {
    ArgExpr e = a.expr();
    switch (e.kind()) {
      case PARAM:
        return new ArgValue.Parameter((Integer) e.value());
      case NULL:
        return new ArgValue.Literal(null);
      case STRING:
        if (p.type() == ParamType.BOOL) {
          Boolean b = PgBoolean.parse((String) e.value());
          if (b == null) {
            throw ApiErrors.invalidBoolean((String) e.value(), p, f)
                .position(ApiErrors.position(sql, a.valueToken()))
                .build();
          }
          return new ArgValue.Literal(b);
        }
        return new ArgValue.Literal(e.value());
      case BOOL:
        return new ArgValue.Literal(e.value());
      default:
        // checkType lets no number or opaque value through.
        throw new IllegalStateException("unexpected argument kind " + e.kind());
    }
  }

  /** PostgreSQL's rendering of the call's signature, such as {@code f(unknown, x => integer)}. */
  private String signature(List<ParsedArgument> args) {
    return f.qualifiedName()
        + args.stream().map(ParsedArgument::signature).collect(Collectors.joining(", ", "(", ")"));
  }

  private String required() {
    return f.parameters().stream()
        .filter(ApiParameter::required)
        .map(ApiParameter::name)
        .collect(Collectors.joining(", "));
  }
}
