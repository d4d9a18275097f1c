package io.pgtrickle.sql.dml;

import io.pgtrickle.sql.dml.StatementClass.Kind;
import io.pgtrickle.sql.lex.QualifiedName;
import io.pgtrickle.sql.lex.SqlLexer;
import io.pgtrickle.sql.lex.Statements;
import io.pgtrickle.sql.lex.Token;
import io.pgtrickle.sql.lex.TokenKind;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Classifies one statement of client SQL for IMMEDIATE maintenance: transaction control, reads, and
 * writes with the tables they target.
 *
 * <p>It reads tokens, not a full parse, so it accepts any statement PostgreSQL accepts, new syntax
 * included, and errs on the side of "may write": a statement that could write something it cannot
 * name (a procedure call, EXECUTE of a prepared statement, a DO block, EXPLAIN ANALYZE) says so
 * with {@link StatementClass#writesUnknown()}. Writes hidden in a function called from a SELECT are
 * not seen; the change-capture triggers still record them.
 */
public final class StatementClassifier {
  private static final Set<String> READ_WORDS =
      Set.of("select", "values", "table", "show", "fetch", "move", "close", "declare");

  private static final Set<String> UNKNOWN_WRITE_WORDS = Set.of("call", "do", "execute");

  /** Words that start code which may control the transaction itself. */
  private static final Set<String> CALL_WORDS = Set.of("call", "do");

  /** Words after which a DML keyword starts the statement EXPLAIN runs. */
  private static final Set<String> EXPLAIN_WORDS =
      Set.of("explain", "analyze", "analyse", "verbose");

  private StatementClassifier() {}

  /**
   * Classifies {@code sql}, one statement (a trailing semicolon is fine). Text that does not lex is
   * classified as {@link Kind#OTHER} that may write anything: PostgreSQL will reject it.
   */
  public static StatementClass classify(String sql) {
    String first = Statements.firstKeyword(sql);
    List<Token> tokens;
    try {
      tokens = SqlLexer.tokenize(sql, false);
    } catch (io.pgtrickle.errors.PgTrickleException e) {
      return new StatementClass(Kind.OTHER, Set.of(), true, Set.of());
    }
    Set<String> names = new HashSet<>();
    boolean literals = false;
    boolean parameters = false;
    for (Token t : tokens) {
      switch (t.kind()) {
        case IDENTIFIER, QUOTED_IDENTIFIER -> names.add(t.value());
        case NUMBER, STRING, BIT_STRING -> literals = true;
        case PARAMETER -> parameters = true;
        default -> {}
      }
    }
    boolean inline = literals && !parameters;
    Kind control = transactionControl(first, tokens);
    if (control != null) {
      return new StatementClass(control, Set.of(), false, names, inline);
    }
    Set<QualifiedName> writes = new LinkedHashSet<>();
    boolean unknown = UNKNOWN_WRITE_WORDS.contains(first);
    for (int i = 0; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      if (t.is(TokenKind.IDENTIFIER) && startsStatement(tokens, i)) {
        unknown |= collectTarget(tokens, i, writes);
      }
    }
    if (first.equals("explain") && mentionsWord(tokens, "analyze") && !writes.isEmpty()) {
      // EXPLAIN ANALYZE runs the statement.
      return new StatementClass(Kind.WRITE, writes, unknown, names, inline);
    }
    if (first.equals("explain")) {
      return new StatementClass(Kind.READ, Set.of(), false, names, inline);
    }
    if (first.equals("copy")) {
      boolean from = mentionsWord(tokens, "from");
      QualifiedName target = from ? nameAt(tokens, 1) : null;
      return target == null
          ? new StatementClass(Kind.READ, Set.of(), false, names, inline)
          : new StatementClass(Kind.WRITE, Set.of(target), false, names, inline);
    }
    if (first.equals("truncate")) {
      collectList(tokens, 1, writes);
      return new StatementClass(Kind.WRITE, writes, unknown, names, inline);
    }
    if (CALL_WORDS.contains(first)) {
      return new StatementClass(Kind.CALL, writes, true, names, inline);
    }
    if (!writes.isEmpty() || unknown) {
      return new StatementClass(Kind.WRITE, writes, unknown, names, inline);
    }
    if (READ_WORDS.contains(first) || first.equals("with")) {
      // SELECT … INTO creates a table; that is DDL, not a write of an existing table.
      return new StatementClass(
          first.equals("select") && mentionsWord(tokens, "into") ? Kind.OTHER : Kind.READ,
          Set.of(),
          false,
          names,
          inline);
    }
    return new StatementClass(Kind.OTHER, Set.of(), false, names, inline);
  }

  private static Kind transactionControl(String first, List<Token> tokens) {
    switch (first) {
      case "begin", "start":
        return first.equals("start") && !wordAt(tokens, 1, "transaction") ? null : Kind.BEGIN;
      case "commit", "end":
        return wordAt(tokens, 1, "prepared") ? Kind.OTHER : Kind.COMMIT;
      case "rollback", "abort":
        if (wordAt(tokens, 1, "prepared")) {
          return Kind.OTHER;
        }
        return wordAt(tokens, 1, "to") || wordAt(tokens, 2, "to")
            ? Kind.ROLLBACK_TO
            : Kind.ROLLBACK;
      case "savepoint":
        return Kind.SAVEPOINT;
      case "release":
        return Kind.RELEASE;
      case "prepare":
        return wordAt(tokens, 1, "transaction") ? Kind.PREPARE_TRANSACTION : null;
      default:
        return null;
    }
  }

  /**
   * If the token at {@code i} starts a write (INSERT INTO t, UPDATE t, DELETE FROM t, MERGE INTO
   * t), adds its target; returns whether the target could not be named.
   */
  private static boolean collectTarget(List<Token> tokens, int i, Set<QualifiedName> writes) {
    Token t = tokens.get(i);
    int at;
    switch (t.value()) {
      case "insert", "merge":
        if (!wordAt(tokens, i + 1, "into")) {
          return false;
        }
        at = i + 2;
        break;
      case "delete":
        if (!wordAt(tokens, i + 1, "from")) {
          return false;
        }
        at = i + 2;
        break;
      case "update":
        at = i + 1;
        break;
      default:
        return false;
    }
    if (wordAt(tokens, at, "only")) {
      at++;
    }
    QualifiedName name = nameAt(tokens, at);
    if (name == null) {
      return true;
    }
    writes.add(name);
    return false;
  }

  /**
   * Whether the keyword at {@code i} can start a (sub)statement: first in the text, inside or right
   * after parentheses (a writing CTE, {@code WITH … AS (…) INSERT}), or after EXPLAIN's words. So
   * {@code FOR UPDATE}, {@code DO UPDATE SET}, {@code ON DELETE CASCADE}, {@code GRANT UPDATE} and
   * {@code PREPARE p AS INSERT} are not taken for writes.
   */
  private static boolean startsStatement(List<Token> tokens, int i) {
    if (i == 0) {
      return true;
    }
    Token before = tokens.get(i - 1);
    return before.is(TokenKind.LEFT_PAREN)
        || before.is(TokenKind.RIGHT_PAREN)
        || (before.is(TokenKind.IDENTIFIER) && EXPLAIN_WORDS.contains(before.value()));
  }

  /** Adds the comma-separated table names of TRUNCATE [TABLE] [ONLY] a, [ONLY] b. */
  private static void collectList(List<Token> tokens, int i, Set<QualifiedName> writes) {
    if (wordAt(tokens, i, "table")) {
      i++;
    }
    while (i < tokens.size()) {
      if (wordAt(tokens, i, "only")) {
        i++;
      }
      QualifiedName name = nameAt(tokens, i);
      if (name == null) {
        return;
      }
      writes.add(name);
      i += name.isQualified() ? 3 : 1;
      if (i < tokens.size()
          && tokens.get(i).is(TokenKind.OPERATOR)
          && tokens.get(i).value().equals("*")) {
        i++;
      }
      if (i >= tokens.size() || !tokens.get(i).is(TokenKind.COMMA)) {
        return;
      }
      i++;
    }
  }

  /** The name {@code a} or {@code a.b} at {@code i}, or null if none starts there. */
  private static QualifiedName nameAt(List<Token> tokens, int i) {
    if (!isName(tokens, i)) {
      return null;
    }
    String first = tokens.get(i).value();
    if (i + 2 < tokens.size() && tokens.get(i + 1).is(TokenKind.DOT) && isName(tokens, i + 2)) {
      return new QualifiedName(first, tokens.get(i + 2).value());
    }
    return new QualifiedName(null, first);
  }

  private static boolean isName(List<Token> tokens, int i) {
    return i < tokens.size()
        && (tokens.get(i).is(TokenKind.IDENTIFIER)
            || tokens.get(i).is(TokenKind.QUOTED_IDENTIFIER));
  }

  private static boolean wordAt(List<Token> tokens, int i, String word) {
    return i < tokens.size() && tokens.get(i).isWord(word);
  }

  private static boolean mentionsWord(List<Token> tokens, String word) {
    for (Token t : tokens) {
      if (t.isWord(word)) {
        return true;
      }
    }
    return false;
  }
}
