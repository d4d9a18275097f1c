package io.pgtrickle.bench.harness;

import java.util.List;

/**
 * What hangs off the source table {@code ib_src (id, g, v)} while it is written: nothing, an
 * IMMEDIATE stream table, or (for comparison only) a hand-written trigger.
 */
enum ImmediateShape {
  /** No stream table: the baseline. */
  NONE("no stream table", List.of(), null),

  /** One IMMEDIATE aggregate stream table, maintained by the product. */
  AGGREGATE(
      "IMMEDIATE aggregate",
      List.of(
          "SELECT pgtrickle.create_stream_table('ib_agg',"
              + " $$SELECT g, sum(v) AS total, count(*) AS n FROM ib_src GROUP BY g$$,"
              + " refresh_mode => 'IMMEDIATE')"),
      differs(
          "SELECT g, total, n FROM ib_agg", "SELECT g, sum(v), count(*) FROM ib_src GROUP BY g")),

  /** One IMMEDIATE join stream table (the source joined to a dimension table). */
  JOIN(
      "IMMEDIATE join",
      List.of(
          "SELECT pgtrickle.create_stream_table('ib_join',"
              + " $$SELECT s.id, s.v, d.label FROM ib_src s JOIN ib_dim d ON d.g = s.g$$,"
              + " refresh_mode => 'IMMEDIATE')"),
      differs(
          "SELECT id, v, label FROM ib_join",
          "SELECT s.id, s.v, d.label FROM ib_src s JOIN ib_dim d ON d.g = s.g")),

  /**
   * A comparison baseline, not the product: a plain table kept as the aggregate by an AFTER INSERT
   * statement trigger with a transition table (INSERTs only), maintained per statement.
   */
  TRIGGER(
      "hand-written trigger (comparison)",
      List.of(
          "CREATE TABLE ib_trig_agg (g int PRIMARY KEY, total bigint NOT NULL, n bigint NOT NULL)",
          "INSERT INTO ib_trig_agg SELECT g, sum(v), count(*) FROM ib_src GROUP BY g",
          "CREATE FUNCTION ib_trig_fn() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN"
              + " INSERT INTO ib_trig_agg SELECT g, sum(v), count(*) FROM ib_new GROUP BY g"
              + " ON CONFLICT (g) DO UPDATE SET total = ib_trig_agg.total + EXCLUDED.total,"
              + " n = ib_trig_agg.n + EXCLUDED.n;"
              + " RETURN NULL; END $f$",
          "CREATE TRIGGER ib_trig AFTER INSERT ON ib_src REFERENCING NEW TABLE AS ib_new"
              + " FOR EACH STATEMENT EXECUTE FUNCTION ib_trig_fn()"),
      differs(
          "SELECT g, total, n FROM ib_trig_agg",
          "SELECT g, sum(v), count(*) FROM ib_src GROUP BY g"));

  private final String label;
  private final List<String> setUp;
  private final String differences;

  ImmediateShape(String label, List<String> setUp, String differences) {
    this.label = label;
    this.setUp = setUp;
    this.differences = differences;
  }

  /** The number of rows in one and not the other, counting duplicates (EXCEPT ALL both ways). */
  private static String differs(String table, String query) {
    return "SELECT count(*) FROM (("
        + table
        + " EXCEPT ALL "
        + query
        + ") UNION ALL ("
        + query
        + " EXCEPT ALL "
        + table
        + ")) d";
  }

  String label() {
    return label;
  }

  /** Statements run through the pg_trickle driver after the tables exist. */
  List<String> setUp() {
    return setUp;
  }

  /**
   * A query counting the rows in which the maintained table and its query differ; null for none.
   */
  String differences() {
    return differences;
  }

  /** Whether the writes need interception: an IMMEDIATE stream table hangs off the source. */
  boolean immediate() {
    return this == AGGREGATE || this == JOIN;
  }
}
