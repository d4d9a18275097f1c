package io.pgtrickle.sql.dml;

import io.pgtrickle.sql.lex.QualifiedName;
import java.util.Objects;
import java.util.Set;

/**
 * What one client statement means for stream tables maintained in the writer's transaction: the
 * kind of statement, the tables it writes, and the names it mentions.
 *
 * @param kind what the statement does to the transaction or the data
 * @param writes the tables it writes by name, as written (schema-qualified or not)
 * @param writesUnknown whether it may write tables not in {@code writes} (a function call, a
 *     prepared statement executed by name, a DO block)
 * @param names every identifier the statement mentions (unquoted ones folded to lower case), so a
 *     caller can tell whether it may read a given table
 * @param inlineValues whether the text carries its values written into it: it holds a numeric,
 *     string or bit-string constant and no {@code $n} parameter, so the same text is unlikely to
 *     come again (a cache of classes by text gains little by keeping it)
 */
public record StatementClass(
    Kind kind,
    Set<QualifiedName> writes,
    boolean writesUnknown,
    Set<String> names,
    boolean inlineValues) {

  /** What a statement does. */
  public enum Kind {
    /** Reads only (SELECT, VALUES, TABLE, SHOW, COPY … TO, FETCH, …), as far as the text tells. */
    READ,
    /** Writes tables: INSERT, UPDATE, DELETE, MERGE, COPY … FROM, TRUNCATE, or a writing CTE. */
    WRITE,
    /** BEGIN or START TRANSACTION. */
    BEGIN,
    /** COMMIT or END. */
    COMMIT,
    /** ROLLBACK or ABORT of the whole transaction. */
    ROLLBACK,
    /** SAVEPOINT. */
    SAVEPOINT,
    /** RELEASE [SAVEPOINT]. */
    RELEASE,
    /** ROLLBACK TO [SAVEPOINT]. */
    ROLLBACK_TO,
    /** PREPARE TRANSACTION: the transaction leaves the session. */
    PREPARE_TRANSACTION,
    /**
     * Code that may write anything and, outside a transaction block, commit on its own: CALL of a
     * procedure, a DO block, or several statements with transaction control among them.
     */
    CALL,
    /** Anything else: DDL, SET, LISTEN, VACUUM, empty text, … */
    OTHER
  }

  /** Checks the parts are present and keeps immutable copies. */
  public StatementClass {
    Objects.requireNonNull(kind, "kind");
    writes = Set.copyOf(writes);
    names = Set.copyOf(names);
  }

  /** A class whose text carries no values inline (see {@link #inlineValues}). */
  public StatementClass(
      Kind kind, Set<QualifiedName> writes, boolean writesUnknown, Set<String> names) {
    this(kind, writes, writesUnknown, names, false);
  }

  /** Whether the statement may change table data. */
  public boolean mayWrite() {
    return !writes.isEmpty() || writesUnknown;
  }

  /** Whether the statement mentions {@code name} (folded or quoted as the lexer gives it). */
  public boolean mentions(String name) {
    return names.contains(name);
  }
}
