package io.pgtrickle.driver.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each delegating class implements every method of its interface itself, including the default
 * methods JDBC added later (executeLargeUpdate, setObject with SQLType, ...), whose inherited
 * bodies would throw instead of reaching pgjdbc.
 */
class DelegationCompletenessTest {

  static Stream<Arguments> wrappers() {
    return Stream.of(
        Arguments.of(DelegatingConnection.class, Connection.class),
        Arguments.of(DelegatingStatement.class, Statement.class),
        Arguments.of(DelegatingPreparedStatement.class, PreparedStatement.class),
        Arguments.of(DelegatingCallableStatement.class, CallableStatement.class),
        Arguments.of(DelegatingDatabaseMetaData.class, DatabaseMetaData.class),
        Arguments.of(DelegatingResultSet.class, ResultSet.class));
  }

  @ParameterizedTest
  @MethodSource("wrappers")
  void implementsEveryInterfaceMethod(Class<?> wrapper, Class<?> iface) throws Exception {
    assertThat(iface).isAssignableFrom(wrapper);
    List<String> inherited =
        instanceMethods(iface)
            .filter(m -> implementation(wrapper, m).getDeclaringClass().isInterface())
            .map(Fake::signature)
            .toList();
    assertThat(inherited).as("methods of %s left to the interface", iface.getName()).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("wrappers")
  void leavesEveryInterfaceMethodOverridable(Class<?> wrapper, Class<?> iface) {
    assertThat(Modifier.isFinal(wrapper.getModifiers())).isFalse();
    List<String> finals =
        instanceMethods(iface)
            .filter(m -> Modifier.isFinal(implementation(wrapper, m).getModifiers()))
            .map(Fake::signature)
            .toList();
    assertThat(finals).isEmpty();
  }

  private static Stream<Method> instanceMethods(Class<?> iface) {
    return Arrays.stream(iface.getMethods()).filter(m -> !Modifier.isStatic(m.getModifiers()));
  }

  private static Method implementation(Class<?> wrapper, Method m) {
    try {
      return wrapper.getMethod(m.getName(), m.getParameterTypes());
    } catch (NoSuchMethodException e) {
      throw new AssertionError(e);
    }
  }
}
