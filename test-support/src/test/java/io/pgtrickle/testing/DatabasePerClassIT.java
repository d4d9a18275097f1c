package io.pgtrickle.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Runs fixture classes in-process with JUnit's test kit, so that what happens around them (which
 * database each got, whether it is gone afterwards) can be checked from outside.
 */
@PgTest
class DatabasePerClassIT {

  /** Fixture name → the database it saw. */
  static final Map<String, String> DATABASES = new ConcurrentHashMap<>();

  /** Fixture name → the server port it saw. */
  static final Map<String, Integer> PORTS = new ConcurrentHashMap<>();

  static final List<String> ROLES = new CopyOnWriteArrayList<>();

  /** A connection a fixture leaves open; dropping its database must end it. */
  static volatile Connection leftOpen;

  private static volatile boolean runningFixtures;

  @Test
  void eachClassGetsItsOwnDatabaseOnOneServerAndItIsDroppedAfterwards(TestDatabase db)
      throws SQLException {
    runningFixtures = true;
    try {
      EngineTestKit.engine("junit-jupiter")
          .selectors(
              selectClass(First.class), selectClass(Second.class), selectClass(PerClass.class))
          .execute()
          .testEvents()
          .assertStatistics(stats -> stats.started(5).succeeded(5));
    } finally {
      runningFixtures = false;
    }

    assertThat(DATABASES)
        .containsOnlyKeys(
            "First",
            "First.Nested",
            "First.OtherNested",
            "Second",
            "PerClass.constructor",
            "PerClass");
    assertThat(DATABASES.get("First"))
        .isEqualTo(DATABASES.get("First.Nested"))
        .isEqualTo(DATABASES.get("First.OtherNested"))
        .isNotEqualTo(DATABASES.get("Second"))
        .isNotEqualTo(DATABASES.get("PerClass"))
        .isNotEqualTo(db.databaseName());
    assertThat(DATABASES.get("PerClass")).isEqualTo(DATABASES.get("PerClass.constructor"));
    assertThat(PORTS.values()).containsOnly(db.port());

    try (Connection c = db.connect()) {
      assertThat(
              existing(
                  c, "SELECT datname FROM pg_database WHERE datname = ANY (?)", DATABASES.values()))
          .isEmpty();
      assertThat(ROLES).hasSize(2);
      assertThat(existing(c, "SELECT rolname FROM pg_roles WHERE rolname = ANY (?)", ROLES))
          .isEmpty();
    }
    assertThat(leftOpen.isValid(5)).isFalse();
    leftOpen.close();
  }

  static boolean runningFixtures() {
    return runningFixtures;
  }

  private static List<String> existing(Connection c, String sql, Collection<String> names)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setArray(1, c.createArrayOf("text", names.toArray()));
      List<String> found = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          found.add(rs.getString(1));
        }
      }
      return found;
    }
  }

  private static void record(String fixture, TestDatabase db) {
    DATABASES.put(fixture, db.databaseName());
    PORTS.put(fixture, db.port());
  }

  // Fixtures run only through the test kit above; failsafe's own run skips them.
  @PgTest
  @EnabledIf("io.pgtrickle.testing.DatabasePerClassIT#runningFixtures")
  static class First {

    @Test
    void record(TestDatabase db) throws SQLException {
      DatabasePerClassIT.record("First", db);
      db.execute("CREATE TABLE t (id int)");
      String role = db.createRole("owner", "pw");
      // The role owns an object in the database: dropping the database must come first.
      db.execute("ALTER TABLE t OWNER TO " + role);
      ROLES.add(role);
    }

    @Nested
    class Inner {
      @Test
      void record(TestDatabase db) {
        DatabasePerClassIT.record("First.Nested", db);
      }
    }

    // A second nested class would get a new database if the first one's afterAll had dropped it.
    @Nested
    class OtherInner {
      @Test
      void record(TestDatabase db) {
        DatabasePerClassIT.record("First.OtherNested", db);
      }
    }
  }

  @PgTest
  @EnabledIf("io.pgtrickle.testing.DatabasePerClassIT#runningFixtures")
  static class Second {

    @Test
    void record(TestDatabase db) throws SQLException {
      DatabasePerClassIT.record("Second", db);
      ROLES.add(db.createRole("owner", "pw"));
      leftOpen = db.connect();
    }
  }

  @PgTest
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  @EnabledIf("io.pgtrickle.testing.DatabasePerClassIT#runningFixtures")
  static class PerClass {

    PerClass(TestDatabase db) {
      DatabasePerClassIT.record("PerClass.constructor", db);
    }

    @Test
    void record(TestDatabase db) {
      DatabasePerClassIT.record("PerClass", db);
    }
  }
}
