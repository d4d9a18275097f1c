package io.pgtrickle.server;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.postgresql.util.PGobject;

/**
 * A result set read into plain lists that compare with {@code equals}, so the same query run
 * through the proxy and directly can be compared value by value.
 */
final class ResultRows {
  private ResultRows() {}

  /**
   * The column labels and type names, then every row, each value both as {@code getObject} (made
   * comparable) and as {@code getString}, since pgjdbc decodes those two differently.
   */
  static List<List<Object>> read(ResultSet rs) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    int columns = md.getColumnCount();
    List<Object> header = new ArrayList<>();
    for (int i = 1; i <= columns; i++) {
      header.add(md.getColumnLabel(i) + ":" + md.getColumnTypeName(i));
    }
    List<List<Object>> rows = new ArrayList<>();
    rows.add(header);
    while (rs.next()) {
      List<Object> row = new ArrayList<>();
      for (int i = 1; i <= columns; i++) {
        Object value = rs.getObject(i);
        row.add(comparable(value));
        // For bytea received in binary, pgjdbc's getString gives byte[].toString(), an address.
        row.add(value instanceof byte[] ? null : rs.getString(i));
      }
      rows.add(row);
    }
    return rows;
  }

  /** Arrays become lists and bytes hex text, whose {@code equals} compares contents. */
  static Object comparable(Object value) throws SQLException {
    if (value instanceof byte[] bytes) {
      return "bytes:" + HexFormat.of().formatHex(bytes);
    }
    if (value instanceof Array array) {
      try {
        return comparable(array.getArray());
      } finally {
        array.free();
      }
    }
    if (value instanceof Object[] elements) {
      List<Object> list = new ArrayList<>(elements.length);
      for (Object e : elements) {
        list.add(comparable(e));
      }
      return list;
    }
    if (value instanceof PGobject o) {
      return o.getType() + ":" + o.getValue();
    }
    if (value != null && value.getClass().isArray()) {
      throw new IllegalArgumentException("unexpected primitive array " + value.getClass());
    }
    return value;
  }
}
