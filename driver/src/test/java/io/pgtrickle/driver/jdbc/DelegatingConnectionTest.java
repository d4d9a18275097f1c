package io.pgtrickle.driver.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Struct;
import java.sql.Wrapper;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.PGConnection;
import org.postgresql.PGStatement;

/** The parts of the wrappers that are more than forwarding: hooks, parents and unwrapping. */
class DelegatingConnectionTest {
  private final Connection pg = Fake.create(Connection.class, PGConnection.class);
  private final DelegatingConnection connection = new DelegatingConnection(pg);

  // Unwrapping

  @Test
  void unwrapsToPgjdbcConnection() throws SQLException {
    assertThat(connection.isWrapperFor(PGConnection.class)).isTrue();
    assertThat(connection.unwrap(PGConnection.class)).isSameAs(pg);
    assertThat(Fake.of(pg).calls()).isEmpty();
  }

  @Test
  void unwrapsToItselfBeforeTheDelegate() throws SQLException {
    assertThat(connection.unwrap(Connection.class)).isSameAs(connection);
    assertThat(connection.unwrap(DelegatingConnection.class)).isSameAs(connection);
    assertThat(connection.isWrapperFor(Connection.class)).isTrue();
  }

  @Test
  void unwrapsThroughNestedWrappers() throws SQLException {
    DelegatingConnection outer = new DelegatingConnection(connection);

    assertThat(outer.unwrap(PGConnection.class)).isSameAs(pg);
    assertThat(outer.isWrapperFor(PGConnection.class)).isTrue();
  }

  @Test
  void asksTheDelegateAboutOtherInterfaces() throws SQLException {
    Fake.of(pg).answer("isWrapperFor", false).answer("unwrap", new SQLException("not a Struct"));

    assertThat(connection.isWrapperFor(Struct.class)).isFalse();
    assertThatThrownBy(() -> connection.unwrap(Struct.class)).hasMessage("not a Struct");
    assertThat(Fake.of(pg).calls())
        .extracting(Fake.Call::signature)
        .containsExactly("isWrapperFor(Class)", "unwrap(Class)");
  }

  @Test
  void unwrapsStatementToPgjdbcStatement() throws SQLException {
    Statement raw = Fake.create(Statement.class, PGStatement.class);
    Statement statement = new DelegatingStatement<>(raw, connection);

    assertThat(statement.isWrapperFor(PGStatement.class)).isTrue();
    assertThat(statement.unwrap(PGStatement.class)).isSameAs(raw);
    assertThat(statement.unwrap(Statement.class)).isSameAs(statement);
  }

  /** A marker a fake can implement, standing in for a pgjdbc-specific interface. */
  interface PgjdbcSpecific {}

  static Stream<Arguments> wrappers() {
    Function<Class<?>, Object> fake = iface -> Fake.create(iface, PgjdbcSpecific.class);
    Connection parent = new DelegatingConnection(Fake.create(Connection.class));
    Statement raw = (Statement) fake.apply(Statement.class);
    PreparedStatement prepared = (PreparedStatement) fake.apply(PreparedStatement.class);
    CallableStatement callable = (CallableStatement) fake.apply(CallableStatement.class);
    ResultSet resultSet = (ResultSet) fake.apply(ResultSet.class);
    DatabaseMetaData metaData = (DatabaseMetaData) fake.apply(DatabaseMetaData.class);
    Connection connection = (Connection) fake.apply(Connection.class);
    return Stream.of(
        Arguments.of(new DelegatingConnection(connection), connection, Connection.class),
        Arguments.of(new DelegatingStatement<>(raw, parent), raw, Statement.class),
        Arguments.of(
            new DelegatingPreparedStatement<>(prepared, parent, "SELECT 1"),
            prepared,
            PreparedStatement.class),
        Arguments.of(
            new DelegatingCallableStatement(callable, parent, "{call f()}"),
            callable,
            CallableStatement.class),
        Arguments.of(new DelegatingResultSet(resultSet, null), resultSet, ResultSet.class),
        Arguments.of(
            new DelegatingDatabaseMetaData(metaData, parent), metaData, DatabaseMetaData.class));
  }

  @ParameterizedTest
  @MethodSource("wrappers")
  void everyWrapperUnwrapsToItselfThenItsDelegate(Wrapper wrapper, Object delegate, Class<?> iface)
      throws SQLException {
    assertThat(wrapper.unwrap(iface)).isSameAs(wrapper);
    assertThat(wrapper.unwrap(wrapper.getClass())).isSameAs(wrapper);
    assertThat(wrapper.isWrapperFor(PgjdbcSpecific.class)).isTrue();
    assertThat(wrapper.unwrap(PgjdbcSpecific.class)).isSameAs(delegate);
    assertThat(Fake.of(delegate).calls()).isEmpty();
  }

  // Children lead back to their parents

  @Test
  void statementsAndMetadataReturnTheWrappingConnection() throws SQLException {
    assertThat(connection.createStatement().getConnection()).isSameAs(connection);
    assertThat(connection.prepareStatement("SELECT 1").getConnection()).isSameAs(connection);
    assertThat(connection.prepareCall("{call f()}").getConnection()).isSameAs(connection);
    assertThat(connection.getMetaData().getConnection()).isSameAs(connection);
  }

  @Test
  void preparedStatementKeepsTheApplicationsSql() throws SQLException {
    PreparedStatement prepared = connection.prepareStatement("SELECT 1");
    CallableStatement call = connection.prepareCall("{call f()}");

    assertThat(((DelegatingPreparedStatement<?>) prepared).sql).isEqualTo("SELECT 1");
    assertThat(((DelegatingCallableStatement) call).sql).isEqualTo("{call f()}");
  }

  @Test
  void resultSetsReturnTheWrappingStatement() throws SQLException {
    Statement statement = connection.createStatement();
    PreparedStatement prepared = connection.prepareStatement("SELECT 1");

    assertThat(statement.executeQuery("SELECT 1").getStatement()).isSameAs(statement);
    assertThat(statement.getResultSet().getStatement()).isSameAs(statement);
    assertThat(statement.getGeneratedKeys().getStatement()).isSameAs(statement);
    assertThat(prepared.executeQuery().getStatement()).isSameAs(prepared);
  }

  @Test
  void noResultSetStaysNull() throws SQLException {
    Statement raw = Fake.create(Statement.class);
    Fake.of(raw).answer("getResultSet", null);

    assertThat(new DelegatingStatement<>(raw, connection).getResultSet()).isNull();
  }

  @Test
  void statementTextIsThePgjdbcStatementText() {
    Statement raw = Fake.create(Statement.class);

    assertThat(new DelegatingStatement<>(raw, connection)).hasToString(raw.toString());
  }

  // Hooks

  /** Intercepts SQL that starts with "pgtrickle." and forwards everything else. */
  static final class Intercepting extends DelegatingConnection {
    final List<PrepareOptions> prepared = new ArrayList<>();
    final List<StatementOptions> created = new ArrayList<>();
    final List<StatementOptions> called = new ArrayList<>();
    final PreparedStatement local = Fake.create(PreparedStatement.class);

    Intercepting(Connection delegate) {
      super(delegate);
    }

    @Override
    protected PreparedStatement doPrepareStatement(String sql, PrepareOptions options)
        throws SQLException {
      prepared.add(options);
      return sql.startsWith("pgtrickle.") ? local : super.doPrepareStatement(sql, options);
    }

    @Override
    protected Statement doCreateStatement(StatementOptions options) throws SQLException {
      created.add(options);
      return super.doCreateStatement(options);
    }

    @Override
    protected CallableStatement doPrepareCall(String sql, StatementOptions options)
        throws SQLException {
      called.add(options);
      return super.doPrepareCall(sql, options);
    }
  }

  @Test
  void interceptedSqlNeverReachesTheDelegate() throws SQLException {
    Intercepting intercepting = new Intercepting(pg);

    assertThat(intercepting.prepareStatement("pgtrickle.refresh('t')"))
        .isSameAs(intercepting.local);
    assertThat(Fake.of(pg).calls()).isEmpty();
  }

  @Test
  void everyPrepareStatementOverloadReachesTheHookWithItsOptions() throws SQLException {
    Intercepting intercepting = new Intercepting(pg);
    String sql = "pgtrickle.x";

    intercepting.prepareStatement(sql);
    intercepting.prepareStatement(
        sql, ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_READ_ONLY);
    intercepting.prepareStatement(
        sql,
        ResultSet.TYPE_FORWARD_ONLY,
        ResultSet.CONCUR_UPDATABLE,
        ResultSet.HOLD_CURSORS_OVER_COMMIT);
    intercepting.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS);
    intercepting.prepareStatement(sql, new int[] {1, 2});
    intercepting.prepareStatement(sql, new String[] {"id"});

    assertThat(intercepting.prepared)
        .containsExactly(
            PrepareOptions.defaults(),
            PrepareOptions.resultSet(ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_READ_ONLY),
            PrepareOptions.resultSet(
                ResultSet.TYPE_FORWARD_ONLY,
                ResultSet.CONCUR_UPDATABLE,
                ResultSet.HOLD_CURSORS_OVER_COMMIT),
            PrepareOptions.generatedKeys(Statement.RETURN_GENERATED_KEYS),
            PrepareOptions.generatedKeys(new int[] {1, 2}),
            PrepareOptions.generatedKeys(new String[] {"id"}));
    assertThat(intercepting.prepared.get(4).columnIndexes()).containsExactly(1, 2);
    assertThat(intercepting.prepared.get(5).columnNames()).containsExactly("id");
  }

  @Test
  void everyCreateStatementAndPrepareCallOverloadReachesItsHook() throws SQLException {
    Intercepting intercepting = new Intercepting(pg);
    int type = ResultSet.TYPE_SCROLL_INSENSITIVE;
    int concurrency = ResultSet.CONCUR_READ_ONLY;
    int holdability = ResultSet.CLOSE_CURSORS_AT_COMMIT;

    intercepting.createStatement();
    intercepting.createStatement(type, concurrency);
    intercepting.createStatement(type, concurrency, holdability);
    intercepting.prepareCall("{call f()}");
    intercepting.prepareCall("{call f()}", type, concurrency);
    intercepting.prepareCall("{call f()}", type, concurrency, holdability);

    List<StatementOptions> expected =
        List.of(
            StatementOptions.defaults(),
            StatementOptions.resultSet(type, concurrency),
            StatementOptions.resultSet(type, concurrency, holdability));
    assertThat(intercepting.created).isEqualTo(expected);
    assertThat(intercepting.called).isEqualTo(expected);
  }

  @Test
  void wrapHooksChooseTheChildClasses() throws SQLException {
    class Custom extends DelegatingStatement<Statement> {
      Custom(Statement delegate, Connection connection) {
        super(delegate, connection);
      }
    }
    DelegatingConnection custom =
        new DelegatingConnection(pg) {
          @Override
          protected Statement wrapStatement(Statement raw) {
            return new Custom(raw, this);
          }
        };

    assertThat(custom.createStatement()).isInstanceOf(Custom.class);
    assertThat(custom.createStatement(1, 2, 3).getConnection()).isSameAs(custom);
  }

  // Replaying options on another connection

  @Test
  void nullColumnArraysAreReplayedAsNull() throws SQLException {
    // pgjdbc reads null names as RETURNING * but an empty array as no generated keys at all.
    connection.prepareStatement("INSERT", (String[]) null);
    connection.prepareStatement("INSERT", (int[]) null);
    connection.prepareStatement("INSERT", new String[0]);

    assertThat(Fake.of(pg).calls())
        .extracting(call -> call.args().get(1))
        .containsExactly(null, null, new String[0]);
  }

  @Test
  void optionsReplayOnAnyConnection() throws SQLException {
    Connection other = Fake.create(Connection.class);

    PrepareOptions.generatedKeys(new String[] {"id"}).prepare(other, "INSERT 2");
    StatementOptions.resultSet(1, 2, 3).prepareCall(other, "{call g()}");
    StatementOptions.resultSet(1, 2).createStatement(other);

    assertThat(Fake.of(other).calls())
        .extracting(Fake.Call::signature)
        .containsExactly(
            "prepareStatement(String, String[])",
            "prepareCall(String, int, int, int)",
            "createStatement(int, int)");
    assertThat(Fake.of(other).calls().get(0).args())
        .containsExactly("INSERT 2", new String[] {"id"});
  }

  @Test
  void optionsAreImmutable() {
    int[] indexes = {1};
    PrepareOptions options = PrepareOptions.generatedKeys(indexes);
    indexes[0] = 9;

    assertThat(options.columnIndexes()).containsExactly(1);
    assertThatThrownBy(() -> options.columnIndexes().add(2))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
