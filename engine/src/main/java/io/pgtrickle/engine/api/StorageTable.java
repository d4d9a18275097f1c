package io.pgtrickle.engine.api;

import io.pgtrickle.engine.query.AnalyzedQuery;
import io.pgtrickle.engine.query.OutputColumn;
import io.pgtrickle.engine.session.Row;
import io.pgtrickle.engine.session.SqlSession;
import io.pgtrickle.errors.PgTrickleException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

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

  /** The columns of an existing table, in order, with their types. */
  static List<OutputColumn> columns(SqlSession s, long relid) throws SQLException {
    List<OutputColumn> cols = new ArrayList<>();
    for (Row r :
        s.query(
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_catalog.pg_attribute"
                + " WHERE attrelid = ?::oid AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            relid)) {
      cols.add(new OutputColumn(r.text(0), r.text(1)));
    }
    return cols;
  }
}
