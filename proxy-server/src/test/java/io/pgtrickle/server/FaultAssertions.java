package io.pgtrickle.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.pgtrickle.server.RawClient.Message;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** What a client should see when its session ends because of a fault. */
final class FaultAssertions {
  /** SQLSTATEs of a session whose server went away: the server's own, or the proxy's. */
  private static final String[] CONNECTION_LOST = {"57P01", "08006"};

  private FaultAssertions() {}

  /** The connection carried exactly one FATAL error with {@code sqlState}, then closed. */
  static void assertSingleFatal(List<Message> reply, String sqlState) {
    assertThat(reply).as("everything received before the connection closed").hasSize(1);
    Map<Character, String> fields = reply.get(0).fields();
    assertThat(reply.get(0).type()).isEqualTo('E');
    assertThat(fields).containsEntry('V', "FATAL").containsEntry('C', sqlState);
  }

  /**
   * The first error before the connection closed is FATAL: the server's "terminating connection due
   * to administrator command" (57P01), or the proxy's 08006 if that never arrived.
   */
  static void assertEndedByServer(List<Message> reply) {
    List<Message> errors = reply.stream().filter(Message::isError).toList();
    assertThat(errors).as("errors before the connection closed").isNotEmpty();
    assertThat(errors.get(0).fields()).containsEntry('V', "FATAL");
    assertThat(errors.get(0).sqlState()).isIn((Object[]) CONNECTION_LOST);
  }

  /**
   * pgjdbc reports the lost session: the server's 57P01, or its own 08006 for the closed socket,
   * but not because its socket timeout (the tests' hang guard) ran out.
   */
  static void assertConnectionLost(ThrowingCallable statement) {
    assertThatExceptionOfType(SQLException.class)
        .isThrownBy(statement)
        .satisfies(e -> assertThat(e.getSQLState()).isIn((Object[]) CONNECTION_LOST))
        .satisfies(e -> assertThat(causes(e)).noneMatch(SocketTimeoutException.class::isInstance));
  }

  private static List<Throwable> causes(Throwable t) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable c = t; c != null && !chain.contains(c); c = c.getCause()) {
      chain.add(c);
    }
    return chain;
  }
}
