package io.pgtrickle.bench.harness;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The benchmark's source tables and the seeded changes applied to them.
 *
 * <p>{@code bench.orders} holds {@code size} rows (id, customer_id, amount numeric(12,2), status
 * out of five); {@code bench.customers} one row per ten orders (id, name, region out of ten). Only
 * orders change. A batch of {@code k} changes is 70 % updates, 15 % deletes and 15 % inserts, on
 * distinct rows drawn from the live ids: an update sets a new amount and status, and in one case
 * out of five a new customer (so group and join keys move too); inserts take fresh ids. Inserts and
 * deletes balance, so the table keeps its size. Every value comes from one {@link
 * SplittableRandom}, so a seed replays a run's changes exactly.
 */
final class OrdersWorkload {
  static final String[] STATUSES = {"new", "paid", "shipped", "delivered", "returned"};

  private final int size;
  private final int customers;
  private final SplittableRandom random;

  /** The live order ids; positions [0, live) are in the table. */
  private long[] ids;

  private int live;
  private long nextId;

  OrdersWorkload(int size, long seed) {
    this.size = size;
    this.customers = Math.max(1, size / 10);
    this.random = new SplittableRandom(seed);
  }

  int size() {
    return size;
  }

  /**
   * Creates schema {@code bench} afresh and loads both tables, then VACUUM ANALYZE. The loaded
   * values come from PostgreSQL's random() seeded from the same seed.
   */
  void load(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS bench CASCADE");
      s.execute("CREATE SCHEMA bench");
      s.execute(
          "CREATE TABLE bench.customers (id int PRIMARY KEY, name text NOT NULL,"
              + " region text NOT NULL)");
      s.execute(
          "CREATE TABLE bench.orders (id bigint PRIMARY KEY, customer_id int NOT NULL,"
              + " amount numeric(12,2) NOT NULL, status text NOT NULL)");
      // setseed() takes a value in [-1, 1]; the session's random() sequence follows from it.
      s.execute("SELECT setseed(" + (random.nextDouble() * 2 - 1) + ")");
      s.execute(
          "INSERT INTO bench.customers SELECT g, 'customer ' || g, 'region ' || (g % 10)"
              + " FROM generate_series(1, "
              + customers
              + ") g");
      s.execute(
          "INSERT INTO bench.orders SELECT g, 1 + floor(random() * "
              + customers
              + ")::int, round((random() * 1000)::numeric, 2),"
              + " (ARRAY['new','paid','shipped','delivered','returned'])[1 + floor(random() * 5)::int]"
              + " FROM generate_series(1, "
              + size
              + ") g");
      s.execute("CREATE INDEX ON bench.orders (customer_id)");
      s.execute("VACUUM ANALYZE bench.customers");
      s.execute("VACUUM ANALYZE bench.orders");
    }
    ids = new long[size + size / 2 + 16];
    for (int i = 0; i < size; i++) {
      ids[i] = i + 1;
    }
    live = size;
    nextId = size + 1L;
  }

  /** How many changes a batch at {@code rate} (a fraction of the table) makes: at least one. */
  int changesAt(double rate) {
    return (int) Math.max(1, Math.round(rate * size));
  }

  /**
   * Applies one batch of {@code k} changes in one transaction of three statements (UPDATE, DELETE,
   * INSERT from arrays), so change capture runs once per statement as it would for bulk writes.
   */
  void apply(Connection c, int k) throws SQLException {
    int updates = (int) Math.round(k * 0.70);
    int deletes = (int) Math.round(k * 0.15);
    int inserts = k - updates - deletes;
    if (updates + deletes > live) {
      throw new IllegalArgumentException(k + " changes is more than the table's " + live + " rows");
    }
    // A partial Fisher-Yates shuffle moves updates + deletes distinct live ids to the end.
    for (int i = 0; i < updates + deletes; i++) {
      int j = random.nextInt(live - i);
      long t = ids[j];
      ids[j] = ids[live - 1 - i];
      ids[live - 1 - i] = t;
    }
    Long[] upId = new Long[updates];
    Integer[] upCents = new Integer[updates];
    Integer[] upStatus = new Integer[updates];
    Integer[] upCustomer = new Integer[updates];
    for (int i = 0; i < updates; i++) {
      upId[i] = ids[live - 1 - i];
      upCents[i] = random.nextInt(100_001);
      upStatus[i] = 1 + random.nextInt(STATUSES.length);
      upCustomer[i] = random.nextInt(5) == 0 ? 1 + random.nextInt(customers) : null;
    }
    Long[] delId = new Long[deletes];
    for (int i = 0; i < deletes; i++) {
      delId[i] = ids[live - 1 - updates - i];
    }
    live -= deletes;
    Long[] insId = new Long[inserts];
    Integer[] insCents = new Integer[inserts];
    Integer[] insStatus = new Integer[inserts];
    Integer[] insCustomer = new Integer[inserts];
    if (live + inserts > ids.length) {
      ids = Arrays.copyOf(ids, (live + inserts) * 2);
    }
    for (int i = 0; i < inserts; i++) {
      insId[i] = nextId++;
      ids[live++] = insId[i];
      insCents[i] = random.nextInt(100_001);
      insStatus[i] = 1 + random.nextInt(STATUSES.length);
      insCustomer[i] = 1 + random.nextInt(customers);
    }
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      if (updates > 0) {
        try (PreparedStatement p =
            c.prepareStatement(
                "UPDATE bench.orders o SET amount = u.cents / 100.0,"
                    + " status = (ARRAY['new','paid','shipped','delivered','returned'])[u.st],"
                    + " customer_id = coalesce(u.cust, o.customer_id)"
                    + " FROM unnest(?::bigint[], ?::int[], ?::int[], ?::int[])"
                    + " AS u(id, cents, st, cust) WHERE o.id = u.id")) {
          p.setArray(1, c.createArrayOf("bigint", upId));
          p.setArray(2, c.createArrayOf("int4", upCents));
          p.setArray(3, c.createArrayOf("int4", upStatus));
          p.setArray(4, c.createArrayOf("int4", upCustomer));
          p.executeUpdate();
        }
      }
      if (deletes > 0) {
        try (PreparedStatement p =
            c.prepareStatement("DELETE FROM bench.orders WHERE id = ANY (?::bigint[])")) {
          p.setArray(1, c.createArrayOf("bigint", delId));
          p.executeUpdate();
        }
      }
      if (inserts > 0) {
        try (PreparedStatement p =
            c.prepareStatement(
                "INSERT INTO bench.orders (id, customer_id, amount, status)"
                    + " SELECT u.id, u.cust, u.cents / 100.0,"
                    + " (ARRAY['new','paid','shipped','delivered','returned'])[u.st]"
                    + " FROM unnest(?::bigint[], ?::int[], ?::int[], ?::int[])"
                    + " AS u(id, cents, st, cust)")) {
          p.setArray(1, c.createArrayOf("bigint", insId));
          p.setArray(2, c.createArrayOf("int4", insCents));
          p.setArray(3, c.createArrayOf("int4", insStatus));
          p.setArray(4, c.createArrayOf("int4", insCustomer));
          p.executeUpdate();
        }
      }
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(auto);
    }
  }
}
