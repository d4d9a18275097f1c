package io.pgtrickle.bench.jmh;

import io.pgtrickle.engine.session.Row;
import io.pgtrickle.engine.session.SqlSession;
import java.util.List;

/**
 * A {@link SqlSession} that refuses every statement: the base of the in-memory stand-ins the
 * benchmarks hand to engine code, each answering only the reads it expects, so that a change in
 * what that code sends fails loudly instead of being measured.
 */
abstract class RefusingSession implements SqlSession {
  @Override
  public List<Row> query(String sql, Object... params) {
    throw new UnsupportedOperationException("not answered here: " + sql);
  }

  @Override
  public long update(String sql, Object... params) {
    throw new UnsupportedOperationException(sql);
  }

  @Override
  public List<Row> rawQuery(String sql) {
    throw new UnsupportedOperationException(sql);
  }

  @Override
  public long rawUpdate(String sql) {
    throw new UnsupportedOperationException(sql);
  }

  @Override
  public boolean inTransaction() {
    return false;
  }

  @Override
  public void begin() {
    throw new UnsupportedOperationException("begin");
  }

  @Override
  public void commit() {
    throw new UnsupportedOperationException("commit");
  }

  @Override
  public void rollback() {
    throw new UnsupportedOperationException("rollback");
  }
}
