package io.pgtrickle.testing;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Waiting for the scheduler: polls the refresh history, never asserting how fast it is. */
public final class ScheduledRefreshes {
  /** Generous: the machines running the tests are shared. */
  public static final Duration TIMEOUT = Duration.ofSeconds(120);

  private ScheduledRefreshes() {}

  /** The database's {@code clock_timestamp()} as text, to pass to {@link #awaitAfter}. */
  public static String now(Connection c) throws SQLException {
    return Sql.string(c, "SELECT clock_timestamp()::text");
  }

  /**
   * Waits until {@code n} completed scheduled refreshes of the stream table {@code schema.name}
   * started after {@code after}. (Name it: other stream tables of the database refresh too.)
   *
   * @throws AssertionError after {@link #TIMEOUT}, listing the refresh history
   */
  public static void awaitAfter(Connection c, String qualifiedName, String after, int n)
      throws SQLException, InterruptedException {
    String[] parts = qualifiedName.split("\\.", 2);
    String table = " AND s.pgt_schema = '" + parts[0] + "' AND s.pgt_name = '" + parts[1] + "'";
    String count =
        "SELECT count(*) FROM pgtrickle.pgt_refresh_history h"
            + " JOIN pgtrickle.pgt_stream_tables s USING (pgt_id)"
            + " WHERE h.initiated_by = 'SCHEDULER' AND h.status = 'COMPLETED'"
            + " AND h.start_time > '"
            + after
            + "'::timestamptz"
            + table;
    Instant deadline = Instant.now().plus(TIMEOUT);
    while (Sql.scalar(c, count) < n) {
      if (Instant.now().isAfter(deadline)) {
        List<String> history =
            Sql.column(
                c,
                "SELECT pgt_id || ' ' || initiated_by || ' ' || action || ' ' || status || ' '"
                    + " || start_time || ' ' || coalesce(error_message, '')"
                    + " FROM pgtrickle.pgt_refresh_history ORDER BY refresh_id");
        throw new AssertionError(
            "waited "
                + TIMEOUT
                + " for "
                + n
                + " scheduled refresh(es) of "
                + qualifiedName
                + " after "
                + after
                + "; history: "
                + history);
      }
      Thread.sleep(50);
    }
  }
}
