package io.pgtrickle.engine.cdc;

import io.pgtrickle.engine.session.Row;
import io.pgtrickle.engine.session.SqlSession;
import io.pgtrickle.sql.lex.Identifiers;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Installs, describes and removes the change buffer of a source table.
 *
 * <p>A buffer {@code pgtrickle_changes.changes_<oid>} has a change id (ordering changes within a
 * transaction), the writing transaction's id, the operation ({@code I}, {@code D}, or {@code T} for
 * TRUNCATE), and the source's columns. AFTER … FOR EACH STATEMENT triggers with transition tables
 * fill it, so a bulk statement costs one INSERT … SELECT; an UPDATE is stored as the old rows
 * deleted and the new rows inserted. The trigger function runs as the buffer's owner, so writers
 * need no privileges on it. One buffer serves every stream table reading the source.
 */
public final class ChangeBuffers {
  /** Advisory-lock class for buffer installation, so two creators of one buffer take turns. */
  private static final int LOCK_CLASS = 0x70677463; // "pgtc"

  private ChangeBuffers() {}

  /** The buffer table's qualified, quoted name. */
  public static String bufferName(long sourceRelid) {
    return "pgtrickle_changes." + Identifiers.quote("changes_" + sourceRelid);
  }

  private static String functionName(long sourceRelid) {
    return "pgtrickle_changes." + Identifiers.quote("capture_" + sourceRelid);
  }

  /** Installs the buffer and triggers for a source unless they exist. */
  public static void ensure(SqlSession s, long sourceRelid) throws SQLException {
    s.query("SELECT pg_advisory_xact_lock(?::int, ?::int)", LOCK_CLASS, (int) sourceRelid);
    if (exists(s, sourceRelid)) {
      return;
    }
    String source = s.queryOne("SELECT ?::oid::regclass::text", sourceRelid).text(0);
    List<SourceColumn> columns = columns(s, sourceRelid);
    String buffer = bufferName(sourceRelid);
    String defs =
        columns.stream()
            .map(
                c ->
                    Identifiers.quote(c.name())
                        + " "
                        + c.type()
                        + (c.collation() == null ? "" : " COLLATE " + c.collation()))
            .collect(Collectors.joining(", "));
    s.rawUpdate(
        "CREATE TABLE "
            + buffer
            + " (__pgt_change_id bigserial PRIMARY KEY,"
            + " __pgt_xid xid8 NOT NULL DEFAULT pg_current_xact_id(),"
            + " __pgt_op \"char\" NOT NULL"
            + (defs.isEmpty() ? "" : ", " + defs)
            + ")");
    String cols =
        columns.stream().map(c -> Identifiers.quote(c.name())).collect(Collectors.joining(", "));
    String target = "INSERT INTO " + buffer + " (__pgt_op" + (cols.isEmpty() ? "" : ", " + cols);
    String fromNew = target + ") SELECT 'I'" + prefixed(cols) + " FROM __pgt_new;";
    String fromOld = target + ") SELECT 'D'" + prefixed(cols) + " FROM __pgt_old;";
    s.rawUpdate(
        "CREATE FUNCTION "
            + functionName(sourceRelid)
            + "() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER"
            + " SET search_path = pg_catalog, pg_temp AS $pgt$\nBEGIN\n"
            + "  IF TG_OP = 'INSERT' THEN\n    "
            + fromNew
            + "\n  ELSIF TG_OP = 'DELETE' THEN\n    "
            + fromOld
            + "\n  ELSIF TG_OP = 'UPDATE' THEN\n    "
            + fromOld
            + "\n    "
            + fromNew
            + "\n  ELSE\n    INSERT INTO "
            + buffer
            + " (__pgt_op) VALUES ('T');\n  END IF;\n  RETURN NULL;\nEND\n$pgt$");
    String fn = functionName(sourceRelid) + "()";
    s.rawUpdate(
        "CREATE TRIGGER pgt_capture_ins AFTER INSERT ON "
            + source
            + " REFERENCING NEW TABLE AS __pgt_new FOR EACH STATEMENT EXECUTE FUNCTION "
            + fn);
    s.rawUpdate(
        "CREATE TRIGGER pgt_capture_upd AFTER UPDATE ON "
            + source
            + " REFERENCING OLD TABLE AS __pgt_old NEW TABLE AS __pgt_new"
            + " FOR EACH STATEMENT EXECUTE FUNCTION "
            + fn);
    s.rawUpdate(
        "CREATE TRIGGER pgt_capture_del AFTER DELETE ON "
            + source
            + " REFERENCING OLD TABLE AS __pgt_old FOR EACH STATEMENT EXECUTE FUNCTION "
            + fn);
    s.rawUpdate(
        "CREATE TRIGGER pgt_capture_trunc AFTER TRUNCATE ON "
            + source
            + " FOR EACH STATEMENT EXECUTE FUNCTION "
            + fn);
  }

  private static String prefixed(String cols) {
    return cols.isEmpty() ? "" : ", " + cols;
  }

  /** Whether the source has a buffer. */
  public static boolean exists(SqlSession s, long sourceRelid) throws SQLException {
    return s.queryOne("SELECT to_regclass(?) IS NOT NULL", bufferName(sourceRelid)).bool(0);
  }

  /**
   * Removes the buffer and triggers of a source that no stream table consumes incrementally any
   * more. The triggers go with the source if it was dropped already.
   */
  public static void dropIfUnused(SqlSession s, long sourceRelid) throws SQLException {
    boolean used =
        s.queryOne(
                "SELECT EXISTS (SELECT 1 FROM pgtrickle.pgt_dependencies"
                    + " WHERE source_relid = ?::oid AND consumed_snapshot IS NOT NULL)",
                sourceRelid)
            .bool(0);
    if (used || !exists(s, sourceRelid)) {
      return;
    }
    Row source = s.queryOne("SELECT ?::oid::regclass::text", sourceRelid);
    boolean sourceExists =
        s.queryOne("SELECT EXISTS (SELECT 1 FROM pg_class WHERE oid = ?::oid)", sourceRelid)
            .bool(0);
    if (sourceExists) {
      for (String trigger :
          List.of("pgt_capture_ins", "pgt_capture_upd", "pgt_capture_del", "pgt_capture_trunc")) {
        s.rawUpdate("DROP TRIGGER IF EXISTS " + trigger + " ON " + source.text(0));
      }
    }
    s.rawUpdate("DROP FUNCTION IF EXISTS " + functionName(sourceRelid) + "() CASCADE");
    s.rawUpdate("DROP TABLE IF EXISTS " + bufferName(sourceRelid));
  }

  /** The source's columns, in order, as the buffer repeats them. */
  public static List<SourceColumn> columns(SqlSession s, long sourceRelid) throws SQLException {
    List<SourceColumn> out = new ArrayList<>();
    for (Row r :
        s.query(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod),"
                + " CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0"
                + "  THEN (SELECT quote_ident(n.nspname) || '.' || quote_ident(co.collname)"
                + "   FROM pg_collation co JOIN pg_namespace n ON n.oid = co.collnamespace"
                + "   WHERE co.oid = a.attcollation) END"
                + " FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
                + " WHERE a.attrelid = ?::oid AND a.attnum > 0 AND NOT a.attisdropped"
                + " ORDER BY a.attnum",
            sourceRelid)) {
      out.add(new SourceColumn(r.text(0), r.text(1), r.text(2)));
    }
    return out;
  }
}
