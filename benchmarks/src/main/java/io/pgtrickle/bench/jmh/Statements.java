package io.pgtrickle.bench.jmh;

/**
 * The client statements the classification benchmarks feed in: pgbench's built-in scripts as a
 * client sends them in the simple protocol, with the literals changing from call to call as they do
 * in a real run, so every text is new unless a benchmark repeats one on purpose.
 */
final class Statements {
  private Statements() {}

  /** pgbench -S (select-only): one point read. */
  static String selectOnly(long aid) {
    return "SELECT abalance FROM pgbench_accounts WHERE aid = " + aid + ";";
  }

  /** The first write of pgbench's TPC-B-like script. */
  static String accountUpdate(long aid, int delta) {
    return "UPDATE pgbench_accounts SET abalance = abalance + "
        + delta
        + " WHERE aid = "
        + aid
        + ";";
  }

  /**
   * pgbench's whole TPC-B-like transaction sent as one Query message: seven statements, four of
   * them writes, with transaction control around them.
   */
  static String tpcbScript(long aid, int tid, int bid, int delta) {
    return "BEGIN;"
        + "UPDATE pgbench_accounts SET abalance = abalance + "
        + delta
        + " WHERE aid = "
        + aid
        + ";"
        + "SELECT abalance FROM pgbench_accounts WHERE aid = "
        + aid
        + ";"
        + "UPDATE pgbench_tellers SET tbalance = tbalance + "
        + delta
        + " WHERE tid = "
        + tid
        + ";"
        + "UPDATE pgbench_branches SET bbalance = bbalance + "
        + delta
        + " WHERE bid = "
        + bid
        + ";"
        + "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ("
        + tid
        + ", "
        + bid
        + ", "
        + aid
        + ", "
        + delta
        + ", CURRENT_TIMESTAMP);"
        + "END;";
  }

  /** A delta between -5000 and 5000 derived from {@code n}, as pgbench draws one. */
  static int delta(long n) {
    return (int) (n % 10_001) - 5_000;
  }
}
