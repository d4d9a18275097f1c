package io.pgtrickle.engine.session;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One result row in PostgreSQL's text format; typed accessors parse on demand. Text is what both
 * the JDBC and the wire-protocol sessions can deliver without knowing the column types up front.
 */
public final class Row {
  private final List<String> values;

  /** A row of text values; a null element is SQL NULL. */
  public Row(List<String> values) {
    this.values = Collections.unmodifiableList(new ArrayList<>(values));
  }

  /** The number of columns. */
  public int size() {
    return values.size();
  }

  /** The text of column {@code i} (0-based), or null for SQL NULL. */
  public String text(int i) {
    return values.get(i);
  }

  /** Column {@code i} as a long; SQL NULL is an error. */
  public long longValue(int i) {
    return Long.parseLong(required(i));
  }

  /** Column {@code i} as a Long, or null. */
  public Long nullableLong(int i) {
    String v = values.get(i);
    return v == null ? null : Long.parseLong(v);
  }

  /** Column {@code i} as a boolean ({@code t}/{@code f} or {@code true}/{@code false}). */
  public boolean bool(int i) {
    String v = required(i);
    return v.equals("t") || v.equalsIgnoreCase("true");
  }

  private String required(int i) {
    String v = values.get(i);
    if (v == null) {
      throw new IllegalStateException("column " + i + " is NULL");
    }
    return v;
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
