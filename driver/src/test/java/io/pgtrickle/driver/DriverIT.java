package io.pgtrickle.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtrickle.testing.PgTest;
import io.pgtrickle.testing.TestDatabase;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/** The driver behaves as pgjdbc does for everything that is not the pg_trickle API. */
@PgTest
class DriverIT {

  @Test
  void registeredForItsUrlOnly(TestDatabase db) throws SQLException {
    Driver d = DriverManager.getDriver(db.pgTrickleUrl());
    assertThat(d).isInstanceOf(PgTrickleDriver.class);
    assertThat(d.acceptsURL(db.jdbcUrl())).isFalse();
    assertThat(DriverManager.getDriver(db.jdbcUrl())).isInstanceOf(org.postgresql.Driver.class);
  }

  @Test
  void unwrapsToPgjdbcSoItsExtensionsWork(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE copied (id int, name text)");
    try (Connection c = DriverManager.getConnection(db.pgTrickleUrl(), db.properties())) {
      assertThat(c).isInstanceOf(PgTrickleConnection.class);
      assertThat(c.isWrapperFor(PGConnection.class)).isTrue();
      PGConnection pg = c.unwrap(PGConnection.class);
      assertThat(pg.getBackendPID()).isPositive();
      long copied =
          new CopyManager(c.unwrap(org.postgresql.core.BaseConnection.class))
              .copyIn("COPY copied FROM STDIN", new StringReader("1\tone\n2\ttwo\n"));
      assertThat(copied).isEqualTo(2);
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT count(*) FROM copied")) {
        assertThat(st.getConnection()).isSameAs(c);
        assertThat(rs.getStatement()).isSameAs(st);
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(2);
      }
    }
  }

  @Test
  void acceptsPgjdbcPropertiesAndHidesOurs(TestDatabase db) throws SQLException {
    String url = db.pgTrickleUrl() + "?ApplicationName=trickle-test&pgtrickle.installCatalog=true";
    try (Connection c = DriverManager.getConnection(url, db.properties());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SHOW application_name")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("trickle-test");
    }
    DriverPropertyInfo[] info =
        DriverManager.getDriver(db.pgTrickleUrl()).getPropertyInfo(db.pgTrickleUrl(), null);
    assertThat(Arrays.stream(info).map(p -> p.name))
        .contains("pgtrickle.installCatalog", "ApplicationName", "preferQueryMode");
  }

  @Test
  void apiCallResultLooksLikeAFunctionResult(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE shaped (id int)");
    try (Connection c = DriverManager.getConnection(db.pgTrickleUrl(), db.properties());
        Statement st = c.createStatement()) {
      assertThat(
              st.execute(
                  "SELECT pgtrickle.create_stream_table('shaped_st', 'SELECT id FROM shaped',"
                      + " refresh_mode => 'FULL')"))
          .isTrue();
      try (ResultSet rs = st.getResultSet()) {
        ResultSetMetaData md = rs.getMetaData();
        assertThat(md.getColumnCount()).isEqualTo(1);
        assertThat(md.getColumnLabel(1)).isEqualTo("create_stream_table");
        assertThat(md.getColumnTypeName(1)).isEqualTo("void");
        assertThat(rs.next()).isTrue();
        assertThat(rs.next()).isFalse();
      }
      try (ResultSet rs =
          st.executeQuery("SELECT pgtrickle.refresh_stream_table('shaped_st') AS done")) {
        assertThat(rs.getMetaData().getColumnLabel(1)).isEqualTo("done");
      }
    }
  }

  /** An API call in a JDBC batch is refused before anything is sent, for both statement kinds. */
  @Test
  void apiCallsCannotBeBatched(TestDatabase db) throws SQLException {
    try (Connection c = DriverManager.getConnection(db.pgTrickleUrl(), db.properties());
        Statement st = c.createStatement();
        PreparedStatement ps = c.prepareStatement("SELECT pgtrickle.refresh_stream_table(?)")) {
      assertThatThrownBy(() -> st.addBatch("SELECT pgtrickle.refresh_stream_table('x')"))
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("0A000"));
      ps.setString(1, "x");
      assertThatThrownBy(ps::addBatch)
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("0A000"));
      // Ordinary statements still batch.
      st.addBatch("SELECT 1");
      st.clearBatch();
    }
  }

  @Test
  void catalogInstallCanBeSwitchedOff(TestDatabase db) throws SQLException {
    String dbName = "no_catalog_" + System.nanoTime();
    db.execute("CREATE DATABASE " + dbName);
    try {
      String base = db.pgTrickleUrl().substring(0, db.pgTrickleUrl().lastIndexOf('/') + 1);
      try (Connection c =
              DriverManager.getConnection(
                  base + dbName + "?pgtrickle.installCatalog=false", db.properties());
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT to_regnamespace('pgtrickle') IS NULL")) {
        rs.next();
        assertThat(rs.getBoolean(1)).isTrue();
      }
    } finally {
      db.execute("DROP DATABASE " + dbName + " WITH (FORCE)");
    }
  }
}
