package io.pgtrickle.engine.api;

import io.pgtrickle.engine.model.CdcMode;
import io.pgtrickle.engine.model.DiamondConsistency;
import io.pgtrickle.engine.model.DiamondSchedulePolicy;
import io.pgtrickle.engine.model.RefreshMode;
import io.pgtrickle.engine.model.Schedule;
import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import java.util.Locale;

/**
 * The validated options of {@code create_stream_table}: every value parsed once, before anything is
 * sent to the server.
 */
record StreamTableOptions(
    Schedule schedule,
    RefreshMode refreshMode,
    boolean initialize,
    DiamondConsistency diamondConsistency,
    DiamondSchedulePolicy diamondSchedulePolicy,
    CdcMode cdcMode,
    boolean appendOnly,
    boolean poolerCompatibilityMode) {

  /** Parses the raw parameter values; null means "not given" for the nullable ones. */
  static StreamTableOptions parse(
      String schedule,
      String refreshMode,
      boolean initialize,
      String diamondConsistency,
      String diamondSchedulePolicy,
      String cdcMode,
      boolean appendOnly,
      boolean poolerCompatibilityMode)
      throws PgTrickleException {
    RefreshMode mode = refreshMode == null ? RefreshMode.AUTO : RefreshMode.parse(refreshMode);
    Schedule sched;
    if (isImmediateSchedule(schedule)) {
      // The patterns guide writes schedule => 'IMMEDIATE' for in-transaction maintenance.
      if (mode == RefreshMode.FULL) {
        throw PgTrickleException.builder(
                SqlState.INVALID_PARAMETER_VALUE,
                "schedule 'IMMEDIATE' cannot be combined with refresh_mode FULL")
            .hint("IMMEDIATE maintenance is incremental; drop the schedule or the FULL mode.")
            .build();
      }
      mode = RefreshMode.IMMEDIATE;
      sched = new Schedule.Manual();
    } else {
      sched = mode == RefreshMode.IMMEDIATE ? new Schedule.Manual() : Schedule.parse(schedule);
    }
    CdcMode cdc = cdcMode == null ? null : CdcMode.parse(cdcMode);
    checkCompatible(mode, cdc, appendOnly);
    return new StreamTableOptions(
        sched,
        mode,
        initialize,
        diamondConsistency == null
            ? DiamondConsistency.ATOMIC
            : DiamondConsistency.parse(diamondConsistency),
        diamondSchedulePolicy == null
            ? DiamondSchedulePolicy.FASTEST
            : DiamondSchedulePolicy.parse(diamondSchedulePolicy),
        cdc,
        appendOnly,
        poolerCompatibilityMode);
  }

  /** Whether a schedule value asks for IMMEDIATE maintenance. */
  static boolean isImmediateSchedule(String schedule) {
    return schedule != null && schedule.trim().toLowerCase(Locale.ROOT).equals(Schedule.IMMEDIATE);
  }

  /** Rejects option combinations pg_trickle documents as incompatible. */
  static void checkCompatible(RefreshMode mode, CdcMode cdc, boolean appendOnly)
      throws PgTrickleException {
    if (appendOnly && (mode == RefreshMode.FULL || mode == RefreshMode.IMMEDIATE)) {
      throw PgTrickleException.builder(
              SqlState.INVALID_PARAMETER_VALUE,
              "append_only cannot be combined with refresh_mode " + mode)
          .hint("append_only speeds up DIFFERENTIAL refreshes of insert-only sources.")
          .build();
    }
    if (cdc == CdcMode.WAL && mode == RefreshMode.IMMEDIATE) {
      throw PgTrickleException.builder(
              SqlState.INVALID_PARAMETER_VALUE,
              "cdc_mode 'wal' cannot be combined with refresh_mode IMMEDIATE")
          .hint("IMMEDIATE maintenance happens inside the writing transaction; use 'trigger'.")
          .build();
    }
  }
}
