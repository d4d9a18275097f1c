package io.pgtrickle.server;

import io.pgtrickle.engine.session.Row;
import io.pgtrickle.server.protocol.Frame;
import io.pgtrickle.server.protocol.MessageReader;
import io.pgtrickle.server.protocol.MessageTags.Backend;
import java.nio.charset.Charset;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The server's replies to one exchange of the engine's, collected on the event loop until the
 * exchange's end hands them to the waiting engine thread: ReadyForQuery after a Sync, or, for an
 * exchange ended by Flush inside the client's batch, the last Execute's completion or an error.
 */
final class EngineExchange {
  private final CompletableFuture<EngineReply> done;
  private List<Row> rows = new ArrayList<>();
  private String tag;
  private Map<Character, String> error;

  /** Messages still unanswered in an exchange ended by Flush; -1 for one ended by Sync. */
  private int repliesOwed;

  /**
   * An exchange whose end {@code done} waits for.
   *
   * @param messages for an exchange ended by Flush, how many messages it sent (Parse, Bind, Execute
   *     and Close, each answered by one completion); -1 for one ended by Sync
   */
  EngineExchange(CompletableFuture<EngineReply> done, int messages) {
    this.done = done;
    this.repliesOwed = messages;
  }

  /**
   * Takes in a reply other than ReadyForQuery; the caller still owns (and releases) the frame.
   *
   * @return whether this reply ends an exchange ended by Flush (the caller then calls {@link
   *     #complete})
   */
  boolean collect(Frame f, Charset charset) {
    switch (f.type()) {
      case Backend.ROW_DESCRIPTION -> rows = new ArrayList<>();
      case Backend.DATA_ROW -> rows.add(new Row(MessageReader.dataRow(f.payload(), charset)));
      case Backend.COMMAND_COMPLETE -> tag = MessageReader.commandTag(f.payload());
      case Backend.ERROR_RESPONSE -> {
        if (error == null) {
          error = MessageReader.fields(f.payload());
        }
        // After an error the server skips the rest up to a Sync, which a Flush exchange lacks.
        return repliesOwed >= 0;
      }
      default -> {
        // ParseComplete, BindComplete, CloseComplete, notices: nothing the engine needs.
      }
    }
    return repliesOwed > 0 && completes(f.type()) && --repliesOwed == 0;
  }

  private static boolean completes(byte type) {
    return switch (type) {
      case Backend.PARSE_COMPLETE,
          Backend.BIND_COMPLETE,
          Backend.CLOSE_COMPLETE,
          Backend.COMMAND_COMPLETE,
          Backend.EMPTY_QUERY_RESPONSE,
          Backend.PORTAL_SUSPENDED ->
          true;
      default -> false;
    };
  }

  /** Ends the exchange at ReadyForQuery with this transaction status. */
  void complete(byte transactionStatus) {
    done.complete(new EngineReply(rows, tag, error, transactionStatus));
  }

  /** Ends the exchange without a reply: the connection is gone. */
  void fail(SQLException e) {
    done.completeExceptionally(e);
  }
}
