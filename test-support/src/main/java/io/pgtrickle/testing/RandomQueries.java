package io.pgtrickle.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded generator of queries from the grammar the DIFFERENTIAL engine maintains: scans, filters,
 * projections, inner joins of up to three tables (self-joins included), LEFT JOIN under
 * aggregation, GROUP BY with the five aggregates, HAVING, DISTINCT and DISTINCT ON, over the schema
 * of {@link #SCHEMA}; and random DML on that schema.
 */
public final class RandomQueries {
  /** Three small tables; {@code r3} has no primary key and holds duplicate rows. */
  public static final List<String> SCHEMA =
      List.of(
          "CREATE TABLE r1 (id int PRIMARY KEY, g int, v int, s text, f numeric(8,2))",
          "CREATE TABLE r2 (id int PRIMARY KEY, r1_id int, w int, tag text)",
          "CREATE TABLE r3 (k int, x int)");

  private final SplittableRandom random;

  /** A generator drawing from {@code random}; the same seed gives the same queries. */
  public RandomQueries(SplittableRandom random) {
    this.random = random;
  }

  /** One random query. */
  public String next() {
    int shape = random.nextInt(11);
    return switch (shape) {
      case 0, 1, 2 -> spj();
      case 3, 4, 5 -> aggregate();
      case 6 -> leftJoinAggregate();
      case 7 -> distinct();
      case 8 -> distinctOn();
      case 9 -> leftJoin();
      default -> globalAggregate();
    };
  }

  private String spj() {
    int tables = 1 + random.nextInt(3);
    String from;
    List<String> cols = new ArrayList<>();
    switch (tables) {
      case 1 -> {
        from = pick("r1 a", "r3 c");
        if (from.startsWith("r1")) {
          cols.addAll(List.of("a.id", "a.g", "a.v", "a.s", "a.f"));
        } else {
          cols.addAll(List.of("c.k", "c.x"));
        }
      }
      case 2 -> {
        from =
            pick(
                "r1 a JOIN r2 b ON b.r1_id = a.id",
                "r1 a, r3 c WHERE_JOIN c.k = a.g",
                "r1 a JOIN r1 a2 ON a2.g = a.g AND a2.id <> a.id");
        cols.addAll(List.of("a.id", "a.g", "a.v", "a.s"));
        if (from.contains("r2 b")) {
          cols.addAll(List.of("b.w", "b.tag"));
        } else if (from.contains("r3 c")) {
          cols.add("c.x");
        } else {
          cols.add("a2.v");
        }
      }
      default -> {
        from = "r1 a JOIN r2 b ON b.r1_id = a.id JOIN r3 c ON c.k = b.w";
        cols.addAll(List.of("a.id", "a.g", "b.w", "c.x", "a.s"));
      }
    }
    String joinWhere = null;
    if (from.contains(" WHERE_JOIN ")) {
      joinWhere = from.substring(from.indexOf(" WHERE_JOIN ") + 12);
      from = from.substring(0, from.indexOf(" WHERE_JOIN "));
    }
    List<String> select = new ArrayList<>();
    int n = 1 + random.nextInt(Math.min(4, cols.size()));
    for (int i = 0; i < n; i++) {
      select.add(expression(cols.get(random.nextInt(cols.size()))) + " AS c" + i);
    }
    String where = predicate(cols);
    if (joinWhere != null) {
      where = where == null ? joinWhere : joinWhere + " AND (" + where + ")";
    }
    return "SELECT "
        + String.join(", ", select)
        + " FROM "
        + from
        + (where == null ? "" : " WHERE " + where);
  }

  private String aggregate() {
    boolean join = random.nextBoolean();
    String from = join ? "r1 a JOIN r2 b ON b.r1_id = a.id" : "r1 a";
    String key = pick("a.g", "a.s", "a.g % 3", "coalesce(a.s, 'none')");
    String measure = join ? pick("b.w", "a.v", "a.f") : pick("a.v", "a.f", "a.id");
    List<String> aggs = new ArrayList<>();
    aggs.add("count(*) AS n");
    // Half the time only COUNT, SUM and AVG: those are maintained from running totals.
    boolean linearOnly = random.nextBoolean();
    for (String agg : List.of("count", "sum", "avg", "min", "max")) {
      if (linearOnly && (agg.equals("min") || agg.equals("max"))) {
        continue;
      }
      if (random.nextInt(3) > 0) {
        aggs.add(agg + "(" + measure + ") AS " + agg + "_m");
      }
    }
    String where = predicate(List.of("a.v", "a.g", "a.s"));
    String having = random.nextInt(4) == 0 ? " HAVING count(*) > 1" : "";
    boolean ordinal = random.nextBoolean();
    return "SELECT "
        + key
        + " AS k, "
        + String.join(", ", aggs)
        + " FROM "
        + from
        + (where == null ? "" : " WHERE " + where)
        + " GROUP BY "
        + (ordinal ? "1" : key)
        + having;
  }

  private String leftJoinAggregate() {
    return "SELECT a.id, a.s, count(b.id) AS orders, coalesce(sum(b.w), 0) AS total,"
        + " max(b.tag) AS last_tag FROM r1 a LEFT JOIN r2 b ON b.r1_id = a.id"
        + (random.nextBoolean() ? " WHERE a.v IS NOT NULL" : "")
        + " GROUP BY a.id, a.s";
  }

  /** LEFT JOIN without aggregation; the right side's key is not always selected (duplicates). */
  private String leftJoin() {
    String where = random.nextBoolean() ? "" : " WHERE " + pick("a.v > 2", "a.s IS NOT NULL");
    return pick(
            "SELECT a.id, a.s, b.id AS bid, b.w, b.tag FROM r1 a LEFT JOIN r2 b ON b.r1_id = a.id",
            "SELECT a.id, b.tag FROM r1 a LEFT JOIN r2 b ON b.r1_id = a.id",
            "SELECT a.id, a.g, c.x FROM r1 a LEFT JOIN r3 c ON c.k = a.g",
            "SELECT a.id, b.w, c.x FROM r1 a LEFT JOIN r2 b ON b.r1_id = a.id"
                + " LEFT JOIN r3 c ON c.k = a.v")
        + where;
  }

  private String distinct() {
    return pick(
        "SELECT DISTINCT a.g, a.s FROM r1 a",
        "SELECT DISTINCT c.k FROM r3 c WHERE c.x > 2",
        "SELECT DISTINCT b.tag, a.g FROM r1 a JOIN r2 b ON b.r1_id = a.id");
  }

  private String distinctOn() {
    return pick(
        "SELECT DISTINCT ON (a.g) a.g, a.id, a.v FROM r1 a ORDER BY a.g, a.v DESC NULLS LAST, a.id",
        "SELECT DISTINCT ON (b.r1_id) b.r1_id, b.w, b.tag FROM r2 b ORDER BY b.r1_id, b.id DESC");
  }

  private String globalAggregate() {
    return pick(
        "SELECT count(*) AS n, sum(a.v) AS s, min(a.f) AS lo, max(a.s) AS hi FROM r1 a",
        "SELECT count(*) AS n, sum(a.v) AS s, avg(a.f) AS m, count(a.s) AS named FROM r1 a"
            + " WHERE a.g IS DISTINCT FROM 3",
        "SELECT count(c.x) AS n, avg(c.x) AS m FROM r3 c WHERE c.k IS NOT NULL");
  }

  private String expression(String col) {
    boolean numeric = !col.endsWith(".s") && !col.endsWith(".tag");
    if (!numeric) {
      return pick(
          col,
          "upper(" + col + ")",
          "coalesce(" + col + ", '-')",
          col + " || '!'",
          "length(" + col + ")");
    }
    return pick(
        col,
        col + " + 1",
        col + " * 2",
        "CASE WHEN " + col + " > 3 THEN 'hi' ELSE 'lo' END",
        "coalesce(" + col + ", 0)",
        col + "::text",
        "CAST(" + col + " AS bigint)");
  }

  private String predicate(List<String> cols) {
    if (random.nextInt(3) == 0) {
      return null;
    }
    List<String> parts = new ArrayList<>();
    int n = 1 + random.nextInt(2);
    for (int i = 0; i < n; i++) {
      String col = cols.get(random.nextInt(cols.size()));
      boolean text = col.endsWith(".s") || col.endsWith(".tag");
      parts.add(
          text
              ? pick(
                  col + " IS NULL",
                  col + " IS NOT NULL",
                  col + " LIKE 's%'",
                  col + " IN ('s1', 's2', 's3')",
                  "NOT (" + col + " = 's4')")
              : pick(
                  col + " > " + random.nextInt(6),
                  col + " BETWEEN 1 AND 4",
                  col + " IS NOT NULL",
                  col + " IN (1, 2, 3)",
                  col + " <> 2"));
    }
    return String.join(random.nextBoolean() ? " AND " : " OR ", parts);
  }

  private String pick(String... options) {
    return options[random.nextInt(options.length)];
  }

  /** A random batch of writes to the schema: inserts, updates of keys and values, deletes. */
  public static List<String> dml(SplittableRandom r, int statements) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < statements; i++) {
      int id = r.nextInt(30);
      String v = r.nextInt(5) == 0 ? "NULL" : String.valueOf(r.nextInt(7));
      String s = r.nextInt(5) == 0 ? "NULL" : "'s" + r.nextInt(6) + "'";
      switch (r.nextInt(12)) {
        case 0, 1, 2 ->
            out.add(
                "INSERT INTO r1 VALUES ("
                    + id
                    + ", "
                    + v
                    + ", "
                    + v
                    + ", "
                    + s
                    + ", "
                    + r.nextInt(100)
                    + ".5) ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v, s = EXCLUDED.s");
        case 3, 4 ->
            out.add(
                "INSERT INTO r2 VALUES ("
                    + (100 + id)
                    + ", "
                    + r.nextInt(30)
                    + ", "
                    + v
                    + ", "
                    + s
                    + ") ON CONFLICT (id) DO UPDATE SET r1_id = EXCLUDED.r1_id, w = EXCLUDED.w");
        case 5 ->
            out.add("INSERT INTO r3 VALUES (" + v + ", " + r.nextInt(5) + "), (" + v + ", 1)");
        case 6 -> out.add("UPDATE r1 SET g = " + v + " WHERE id % 5 = " + r.nextInt(5));
        case 7 ->
            out.add(
                "UPDATE r2 SET r1_id = r1_id + 1, tag = " + s + " WHERE id % 4 = " + r.nextInt(4));
        case 8 -> out.add("UPDATE r3 SET x = x + 1 WHERE k = " + r.nextInt(7));
        case 9 -> out.add("DELETE FROM r1 WHERE id % 7 = " + r.nextInt(7));
        case 10 -> out.add("DELETE FROM r2 WHERE w = " + r.nextInt(7));
        default -> out.add(r.nextInt(8) == 0 ? "DELETE FROM r3" : "DELETE FROM r3 WHERE x = 1");
      }
    }
    return out;
  }

  /**
   * Random writes: {@link #dml}'s statements, about half of them replaced by the forms an IMMEDIATE
   * interceptor must recognise (INSERT … SELECT, UPDATE … FROM, DELETE … USING, MERGE, which needs
   * PostgreSQL 15).
   */
  public static List<String> writes(SplittableRandom r, int n) {
    List<String> out = new ArrayList<>();
    for (String dml : dml(r, n)) {
      switch (r.nextInt(8)) {
        case 0 -> out.add("INSERT INTO r3 SELECT g, v FROM r1 WHERE id % 6 = " + r.nextInt(6));
        case 1 ->
            out.add(
                "UPDATE r2 SET w = r1.v FROM r1 WHERE r2.r1_id = r1.id AND r1.g = " + r.nextInt(7));
        case 2 -> out.add("DELETE FROM r3 USING r1 WHERE r3.k = r1.g AND r1.id = " + r.nextInt(30));
        case 3 ->
            out.add(
                "MERGE INTO r1 USING (VALUES ("
                    + r.nextInt(30)
                    + ", "
                    + r.nextInt(7)
                    + ")) AS m(id, v) ON r1.id = m.id WHEN MATCHED THEN UPDATE SET v = m.v"
                    + " WHEN NOT MATCHED THEN INSERT VALUES (m.id, 1, m.v, 'm', 2.5)");
        default -> out.add(dml);
      }
    }
    return out;
  }
}
