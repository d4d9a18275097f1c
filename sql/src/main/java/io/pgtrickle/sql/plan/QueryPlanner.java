package io.pgtrickle.sql.plan;

import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import java.util.Objects;
import java.util.Set;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.select.PlainSelect;

/**
 * Turns the canonical text of a defining query (pg_get_viewdef of a temporary view, trailing
 * semicolon allowed) into a {@link QueryBlock}, or says precisely why DIFFERENTIAL maintenance
 * cannot handle it.
 *
 * <p>Passes: lex and parse; check the statement's shape ({@link StatementCheck}); build the range
 * table ({@link Scope}); translate FROM and each clause, checking every expression on the way
 * ({@link QueryTranslator}, {@link ExprAnalyzer}); finally a lexical backstop that no nested SELECT
 * slipped through. Stateless and thread-safe; a parse costs a few hundred microseconds, so callers
 * that plan the same text repeatedly should cache the result.
 */
public final class QueryPlanner {
  private QueryPlanner() {}

  /**
   * The decoded names of all functions the query calls, subqueries included, sorted: unquoted names
   * are lower-case, schema-qualified calls are {@code schema.name}. COALESCE, NULLIF, GREATEST and
   * LEAST are syntax, not functions, and are not listed.
   *
   * @throws PgTrickleException SYNTAX_ERROR if the text does not lex or holds two statements,
   *     FEATURE_NOT_SUPPORTED if the planner's SQL parser cannot read it
   */
  public static Set<String> functionNames(String canonicalSql) throws PgTrickleException {
    CanonicalText text = CanonicalText.of(canonicalSql);
    Statement statement = JsqlParsing.parse(text);
    try {
      return FunctionCollector.collect(statement);
    } catch (PlanningError e) {
      throw e.error();
    } catch (RuntimeException e) {
      throw unexpected(text, e);
    }
  }

  /**
   * Parses and checks the query.
   *
   * @param functions classifies each name {@link #functionNames(String)} returns
   * @throws PgTrickleException FEATURE_NOT_SUPPORTED (0A000) naming and quoting the first construct
   *     DIFFERENTIAL maintenance does not support, with its position in {@code internalPosition()};
   *     SYNTAX_ERROR for text that does not lex
   */
  public static QueryBlock plan(String canonicalSql, FunctionCatalog functions)
      throws PgTrickleException {
    Objects.requireNonNull(functions, "functions");
    CanonicalText text = CanonicalText.of(canonicalSql);
    Statement statement = JsqlParsing.parse(text);
    try {
      PlainSelect select = StatementCheck.check(statement, text);
      QueryBlock block =
          QueryTranslator.translate(select, text, functions, ParseIndex.of(statement, text));
      // Every subquery form should have been caught by now; SELECT is a reserved word, so a
      // second one in the token stream means one was missed.
      Span nested = text.nestedSelect();
      if (nested != null) {
        throw PlanErrors.unsupported(text, nested, "subqueries");
      }
      return block;
    } catch (PlanningError e) {
      throw e.error();
    } catch (RuntimeException e) {
      throw unexpected(text, e);
    }
  }

  /**
   * A JSqlParser object model the planner did not expect (its visitor adapter, for one, throws on
   * some constructs): our bug, reported as such rather than as the user's.
   */
  private static PgTrickleException unexpected(CanonicalText text, RuntimeException e) {
    return PgTrickleException.builder(
            SqlState.INTERNAL_ERROR, "query planner failed on the defining query: " + e)
        .internal(1, text.original())
        .cause(e)
        .build();
  }
}
