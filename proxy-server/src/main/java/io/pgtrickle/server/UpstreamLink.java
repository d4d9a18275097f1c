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
   * Sends the messages (which must end with Sync or be a simple Query) and waits for the server's
   * replies up to ReadyForQuery.
   *
   * @throws SQLException CONNECTION_FAILURE if the connection is lost meanwhile
   */
  EngineReply exchange(Function<ByteBufAllocator, List<ByteBuf>> messages) throws SQLException;

  /** The charset of the session's client_encoding, for the statements' text. */
  Charset charset();
}
