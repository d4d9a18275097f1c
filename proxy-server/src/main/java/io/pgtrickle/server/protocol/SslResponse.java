package io.pgtrickle.server.protocol;

/**
 * The server's single-byte answer to an SSLRequest or GSSENCRequest, which unlike every other
 * message has no type byte and no length.
 *
 * @param answer {@code 'S'} or {@code 'G'} (accepted) or {@code 'N'} (refused), see {@link
 *     MessageTags.Negotiation}
 */
public record SslResponse(byte answer) {
  /** Whether the server agreed to encrypt. */
  public boolean accepted() {
    return answer != MessageTags.Negotiation.REFUSED;
  }
}
