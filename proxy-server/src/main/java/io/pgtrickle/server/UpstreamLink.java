package io.pgtrickle.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.Charset;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Function;

/**
 * The engine's access to a client's upstream connection while the client waits for an API call.
 * Called from an engine thread; the connection's event loop does the I/O.
 */
interface UpstreamLink {

  /**
   * Sends the messages and waits for the server's replies: up to ReadyForQuery for messages that
   * end with Sync, or, for messages that end with Flush (inside the client's batch, whose implicit
   * transaction a Sync would end), up to the last of {@code replies} completions or the first
   * error.
   *
   * @param replies how many messages (each answered by one completion) come before the Flush; -1 if
   *     they end with Sync
   * @throws SQLException CONNECTION_FAILURE if the connection is lost meanwhile
   */
  EngineReply exchange(Function<ByteBufAllocator, List<ByteBuf>> messages, int replies)
      throws SQLException;

  /** The charset of the session's client_encoding, for the statements' text. */
  Charset charset();
}
