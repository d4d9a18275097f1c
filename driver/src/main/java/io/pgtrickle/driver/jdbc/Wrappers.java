package io.pgtrickle.driver.jdbc;

import java.sql.SQLException;
import java.sql.Wrapper;

/**
 * The {@link Wrapper} contract shared by every delegating class: the wrapper itself first, then the
 * object it wraps, then whatever that object wraps in turn.
 */
final class Wrappers {
  private Wrappers() {}

  static <T> T unwrap(Wrapper wrapper, Wrapper delegate, Class<T> iface) throws SQLException {
    if (iface.isInstance(wrapper)) {
      return iface.cast(wrapper);
    }
    if (iface.isInstance(delegate)) {
      return iface.cast(delegate);
    }
    return delegate.unwrap(iface);
  }

  static boolean isWrapperFor(Wrapper wrapper, Wrapper delegate, Class<?> iface)
      throws SQLException {
    return iface.isInstance(wrapper) || iface.isInstance(delegate) || delegate.isWrapperFor(iface);
  }
}
