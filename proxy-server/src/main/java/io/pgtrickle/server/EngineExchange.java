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
 * The server's replies to one exchange of the engine's, collected on the event loop until
 * ReadyForQuery hands them to the waiting engine thread.
 */
final class EngineExchange {
  private final CompletableFuture<EngineReply> done;
  private List<Row> rows = new ArrayList<>();
  private String tag;
  private Map<Character, String> error;

  EngineExchange(CompletableFuture<EngineReply> done) {
    this.done = done;
  }

  /** Takes in a reply other than ReadyForQuery; the caller still owns (and releases) the frame. */
  void collect(Frame f, Charset charset) {
    switch (f.type()) {
      case Backend.ROW_DESCRIPTION -> rows = new ArrayList<>();
      case Backend.DATA_ROW -> rows.add(new Row(MessageReader.dataRow(f.payload(), charset)));
      case Backend.COMMAND_COMPLETE -> tag = MessageReader.commandTag(f.payload());
      case Backend.ERROR_RESPONSE -> {
        if (error == null) {
          error = MessageReader.fields(f.payload());
        }
      }
      default -> {
        // ParseComplete, BindComplete, notices: nothing the engine needs.
      }
    }
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
