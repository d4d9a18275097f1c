package io.pgtrickle.sql.plan;

import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import net.sf.jsqlparser.parser.AbstractJSqlParser;
import net.sf.jsqlparser.parser.CCJSqlParser;
import net.sf.jsqlparser.parser.CCJSqlParserConstants;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.parser.ParseException;
import net.sf.jsqlparser.statement.Statement;

/**
 * Runs JSqlParser on a canonical text with PostgreSQL-dialect settings. The parser is driven
 * directly rather than through {@code CCJSqlParserUtil.parse}, which starts a thread per call for
 * its timeout and logs at INFO whenever it retries; we keep its retry: simple parsing first, then
 * the slower "complex" mode that some nested expressions need.
 */
final class JsqlParsing {
  private JsqlParsing() {}

  /**
   * The statement {@code text} holds.
   *
   * @throws PgTrickleException FEATURE_NOT_SUPPORTED, pointing at the token where JSqlParser gave
   *     up, if it cannot parse the text
   */
  static Statement parse(CanonicalText text) throws PgTrickleException {
    try {
      return parse(text.parseable(), false);
    } catch (ParseException | RuntimeException simple) {
      try {
        return parse(text.parseable(), true);
      } catch (ParseException | RuntimeException complex) {
        throw notUnderstood(text, complex);
      }
    }
  }

  private static Statement parse(String sql, boolean complex) throws ParseException {
    CCJSqlParser parser =
        CCJSqlParserUtil.newParser(sql)
            .withDialect(AbstractJSqlParser.Dialect.POSTGRESQL)
            .withAllowComplexParsing(complex);
    Statement statement = parser.Statement();
    if (statement == null || parser.getToken(1).kind != CCJSqlParserConstants.EOF) {
      throw new ParseException("the statement does not end where the text does");
    }
    return statement;
  }

  private static PgTrickleException notUnderstood(CanonicalText text, Exception cause) {
    int offset = 0;
    if (cause instanceof ParseException pe
        && pe.currentToken != null
        && pe.currentToken.next != null) {
      offset = text.originalOffset(pe.currentToken.next.absoluteBegin - 1);
    }
    int token = text.tokenAtOrAfter(offset);
    Span near = token < 0 ? null : new Span(token, Math.min(text.size(), token + 4));
    String where = near == null ? "at its end" : "near \"" + text.display(near) + "\"";
    return PgTrickleException.builder(
            SqlState.FEATURE_NOT_SUPPORTED,
            "DIFFERENTIAL maintenance does not support this query: the planner's SQL parser"
                + " cannot read it "
                + where)
        .hint(PlanErrors.HINT)
        .internal(
            (near == null ? text.original().length() : text.offset(near)) + 1, text.original())
        .cause(cause)
        .build();
  }
}
