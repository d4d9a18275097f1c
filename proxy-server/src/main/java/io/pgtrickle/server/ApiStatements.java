package io.pgtrickle.server;

import io.pgtrickle.errors.PgTrickleException;
import io.pgtrickle.errors.SqlState;
import io.pgtrickle.server.protocol.MessageReader.Bind;
import io.pgtrickle.sql.api.ApiCall;
import io.pgtrickle.sql.lex.Identifiers;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The extended-protocol prepared statements and portals of one client connection that are API
 * calls, so an Execute of such a portal runs the call instead of reaching the server.
 *
 * <p>The server holds a stand-in for each such statement (see {@link #standIn}), so Bind, Describe
 * and Close are answered by the server exactly as for any function call; only Execute is ours.
 */
final class ApiStatements {
  /** Type OIDs whose binary format we can read as a parameter value. */
  private static final int BOOL = 16;

  private static final int INT8 = 20;
  private static final int INT2 = 21;
  private static final int INT4 = 23;

  /** A prepared API call and the parameter types its Parse declared. */
  record Prepared(ApiCall call, int[] parameterTypes) {}

  /**
   * A portal bound to an API call.
   *
   * @param call the call
   * @param values the parameter values, as the engine takes them
   * @param error why the values could not be read, or null
   * @param epoch how many Syncs the client had sent before the Bind: the portal dies with the
   *     transaction that the next Sync's ReadyForQuery reports as ended
   */
  record Portal(ApiCall call, List<Object> values, PgTrickleException error, long epoch) {}

  private final Map<String, Prepared> statements = new HashMap<>();
  private final Map<String, Portal> portals = new HashMap<>();

  boolean isEmpty() {
    return statements.isEmpty() && portals.isEmpty();
  }

  boolean hasPortals() {
    return !portals.isEmpty();
  }

  /** Records a Parse of an API call. */
  void prepared(String statement, ApiCall call, int[] parameterTypes) {
    statements.put(statement, new Prepared(call, parameterTypes));
  }

  /**
   * Records a Parse of an ordinary statement: it replaces the unnamed statement, while a second
   * Parse of a named one fails on the server and changes nothing.
   */
  void preparedOther(String statement) {
    if (statement.isEmpty()) {
      statements.remove(statement);
    }
  }

  /** The API call prepared under this name, or null. */
  Prepared statement(String name) {
    return statements.get(name);
  }

  /** Records a Bind: of an API call's statement, or of anything else to this portal name. */
  void bound(String portal, Prepared statement, Bind bind, Charset charset, long epoch) {
    if (statement == null) {
      portals.remove(portal);
      return;
    }
    List<Object> values = new ArrayList<>(bind.values().size());
    PgTrickleException error = null;
    try {
      for (int i = 0; i < bind.values().size(); i++) {
        byte[] v = bind.values().get(i);
        int type = i < statement.parameterTypes().length ? statement.parameterTypes()[i] : 0;
        values.add(
            v == null
                ? null
                : bind.isBinary(i) ? binary(v, type, i + 1, charset) : text(v, charset));
      }
    } catch (PgTrickleException e) {
      error = e;
    }
    portals.put(portal, new Portal(statement.call(), values, error, epoch));
  }

  /** The API call bound to this portal, or null. */
  Portal portal(String name) {
    return portals.get(name);
  }

  /** Records a Close of a statement ({@code 'S'}) or portal ({@code 'P'}). */
  void closed(byte kind, String name) {
    (kind == 'S' ? statements : portals).remove(name);
  }

  /**
   * Forgets the portals bound before the {@code syncNumber}-th Sync, whose ReadyForQuery reported
   * that no transaction is open: the server has dropped them.
   */
  void transactionEnded(long syncNumber) {
    portals.values().removeIf(p -> p.epoch() < syncNumber);
  }

  /**
   * The query the server prepares in place of an API call: it returns what the function would (one
   * row, one {@code void} column named like the function or its alias) and takes the same
   * parameters, so the server validates Bind and answers Describe as for the real call.
   *
   * @param parameters how many parameters it must take
   */
  static String standIn(ApiCall call, int parameters) {
    StringBuilder sql =
        new StringBuilder("SELECT NULL::void AS ").append(Identifiers.quote(call.resultColumn()));
    if (parameters > 0) {
      // Casting to text gives an undeclared parameter a type and accepts any declared one.
      sql.append(" FROM (VALUES (");
      for (int i = 1; i <= parameters; i++) {
        sql.append(i > 1 ? ", " : "").append('$').append(i).append("::text");
      }
      sql.append(")) AS pgtrickle_parameters");
    }
    return sql.toString();
  }

  private static Object text(byte[] v, Charset charset) {
    return new String(v, charset);
  }

  private static Object binary(byte[] v, int type, int index, Charset charset)
      throws PgTrickleException {
    ByteBuffer b = ByteBuffer.wrap(v);
    return switch (type) {
      case BOOL -> {
        expectLength(v, 1, index);
        yield v[0] != 0;
      }
      case INT2 -> {
        expectLength(v, 2, index);
        yield Short.toString(b.getShort());
      }
      case INT4 -> {
        expectLength(v, 4, index);
        yield Integer.toString(b.getInt());
      }
      case INT8 -> {
        expectLength(v, 8, index);
        yield Long.toString(b.getLong());
      }
      // text, varchar, name, bpchar, unknown and undeclared: the binary form is the text itself
      case 25, 1043, 19, 1042, 705, 0 -> new String(v, charset);
      default ->
          throw PgTrickleException.builder(
                  SqlState.FEATURE_NOT_SUPPORTED,
                  "parameter $"
                      + index
                      + " of a pg_trickle call is in binary format of type OID "
                      + type)
              .hint("Send the parameters of pg_trickle calls in text format.")
              .build();
    };
  }

  private static void expectLength(byte[] v, int length, int index) throws PgTrickleException {
    if (v.length != length) {
      throw PgTrickleException.builder(
              SqlState.PROTOCOL_VIOLATION,
              "parameter $"
                  + index
                  + " has "
                  + v.length
                  + " bytes, not the "
                  + length
                  + " its type needs")
          .build();
    }
  }
}
