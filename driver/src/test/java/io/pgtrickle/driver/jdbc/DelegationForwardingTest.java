package io.pgtrickle.driver.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Calls every interface method on a wrapper around a {@link Fake} and checks that the fake saw
 * exactly that call with the same arguments, and that the wrapper returned the fake's answer, or,
 * for statements, metadata and statement result sets, a wrapper around it that points back.
 */
class DelegationForwardingTest {
  private static final String SQL = "SELECT 1";

  @TestFactory
  Stream<DynamicTest> connection() {
    return forEachMethod(Connection.class, DelegatingConnection::new);
  }

  @TestFactory
  Stream<DynamicTest> statement() {
    return forEachMethod(
        Statement.class, s -> new DelegatingStatement<>(s, parent()), "getConnection");
  }

  @TestFactory
  Stream<DynamicTest> preparedStatement() {
    return forEachMethod(
        PreparedStatement.class,
        s -> new DelegatingPreparedStatement<>(s, parent(), SQL),
        "getConnection");
  }

  @TestFactory
  Stream<DynamicTest> callableStatement() {
    return forEachMethod(
        CallableStatement.class,
        s -> new DelegatingCallableStatement(s, parent(), SQL),
        "getConnection");
  }

  @TestFactory
  Stream<DynamicTest> resultSet() {
    return forEachMethod(
        ResultSet.class,
        rs -> new DelegatingResultSet(rs, Fake.create(Statement.class)),
        "getStatement");
  }

  @TestFactory
  Stream<DynamicTest> databaseMetaData() {
    return forEachMethod(
        DatabaseMetaData.class,
        md -> new DelegatingDatabaseMetaData(md, parent()),
        "getConnection");
  }

  private static Connection parent() {
    return new DelegatingConnection(Fake.create(Connection.class));
  }

  /** One test per method, except those that answer from the wrapper without the delegate. */
  private static <T> Stream<DynamicTest> forEachMethod(
      Class<T> iface, Function<T, T> wrap, String... answeredByWrapper) {
    Set<String> skipped = Set.of(answeredByWrapper);
    return Arrays.stream(iface.getMethods())
        .filter(m -> !Modifier.isStatic(m.getModifiers()) && !skipped.contains(m.getName()))
        .sorted(Comparator.comparing(Fake::signature))
        .map(m -> dynamicTest(Fake.signature(m), () -> assertForwards(iface, wrap, m)));
  }

  private static <T> void assertForwards(Class<T> iface, Function<T, T> wrap, Method method)
      throws Throwable {
    T fake = Fake.create(iface);
    T wrapper = wrap.apply(fake);
    Object[] args = Fake.arguments(method);

    Object returned;
    try {
      returned = method.invoke(wrapper, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }

    Fake.Call call = Fake.of(fake).onlyCall();
    assertThat(call.signature()).isEqualTo(Fake.signature(method));
    assertThat(call.args()).containsExactly(args);
    if (mustWrap(iface, method.getReturnType())) {
      assertWrapsAndPointsBack(returned, call.result(), wrapper);
    } else {
      assertThat(returned).isEqualTo(call.result());
    }
  }

  /** Children of a connection, and result sets of a statement, must lead back to the wrapper. */
  private static boolean mustWrap(Class<?> iface, Class<?> returnType) {
    if (iface == Connection.class) {
      return returnType == Statement.class
          || returnType == PreparedStatement.class
          || returnType == CallableStatement.class
          || returnType == DatabaseMetaData.class;
    }
    return Statement.class.isAssignableFrom(iface) && returnType == ResultSet.class;
  }

  private static void assertWrapsAndPointsBack(Object returned, Object raw, Object parent)
      throws Exception {
    if (returned instanceof DelegatingStatement<?> statement) {
      assertThat(statement.delegate).isSameAs(raw);
      assertThat(statement.getConnection()).isSameAs(parent);
    } else if (returned instanceof DelegatingDatabaseMetaData metaData) {
      assertThat(metaData.delegate).isSameAs(raw);
      assertThat(metaData.getConnection()).isSameAs(parent);
    } else if (returned instanceof DelegatingResultSet resultSet) {
      assertThat(resultSet.delegate).isSameAs(raw);
      assertThat(resultSet.getStatement()).isSameAs(parent);
    } else {
      throw new AssertionError("expected a wrapper around " + raw + " but got " + returned);
    }
  }
}
