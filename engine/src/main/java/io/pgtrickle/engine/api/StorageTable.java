package io.pgtrickle.engine.api;

import io.pgtrickle.engine.query.AnalyzedQuery;
import io.pgtrickle.engine.session.SqlSession;
import io.pgtrickle.errors.PgTrickleException;
import java.sql.SQLException;

/**
 * The table that holds a stream table's rows. It is created by {@code CREATE TABLE … AS query WITH
 * NO DATA}, so it has exactly the query's columns with the query's types and typmods, and {@code
 * SELECT *} on it shows nothing else.
 */
final class StorageTable {
  private StorageTable() {}

  /** Creates the empty table {@code sqlName} for {@code query} and returns its OID. */
  static long create(SqlSession s, String sqlName, String displayName, AnalyzedQuery query)
      throws SQLException {
    try {
      s.rawUpdate("CREATE TABLE " + sqlName + " AS " + query.text() + "\nWITH NO DATA");
    } catch (PgTrickleException e) {
      throw PgTrickleException.builder(
              e.getSQLState(), "cannot create stream table " + displayName + ": " + e.getMessage())
          .hint(e.hint())
          .detail(e.detail())
          .cause(e)
          .raisedByServer()
          .build();
    }
    return s.queryOne("SELECT ?::regclass::oid", sqlName).longValue(0);
  }
}
