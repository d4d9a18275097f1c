package io.pgtrickle.engine.query;

import io.pgtrickle.engine.session.Row;
import io.pgtrickle.engine.session.SqlSession;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A column of a query's result.
 *
 * @param type the type as {@code format_type} prints it, typmod included ({@code numeric(10,2)})
 */
public record OutputColumn(String name, String type) {

  /** The columns of an existing table, in order, with their types. */
  public static List<OutputColumn> ofTable(SqlSession s, long relid) throws SQLException {
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
