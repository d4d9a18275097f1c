package io.pgtrickle.server.protocol;

/** The PostgreSQL v3 message type bytes and startup-packet codes, in one place. */
public final class MessageTags {
  /** Protocol version 3.0 as sent in a StartupMessage (major 3 in the high 16 bits). */
  public static final int PROTOCOL_3_0 = 3 << 16;

  /** The code of an SSLRequest (1234 in the high 16 bits, 5679 in the low). */
  public static final int SSL_REQUEST_CODE = (1234 << 16) | 5679;

  /** The code of a GSSENCRequest. */
  public static final int GSSENC_REQUEST_CODE = (1234 << 16) | 5680;

  /** The code of a CancelRequest. */
  public static final int CANCEL_REQUEST_CODE = (1234 << 16) | 5678;

  private MessageTags() {}

  /** Type bytes of messages a client sends. */
  public static final class Frontend {
    public static final byte QUERY = 'Q';
    public static final byte PARSE = 'P';
    public static final byte BIND = 'B';
    public static final byte DESCRIBE = 'D';
    public static final byte EXECUTE = 'E';
    public static final byte SYNC = 'S';
    public static final byte FLUSH = 'H';
    public static final byte CLOSE = 'C';
    public static final byte TERMINATE = 'X';
    public static final byte COPY_DATA = 'd';
    public static final byte COPY_DONE = 'c';
    public static final byte COPY_FAIL = 'f';
    public static final byte FUNCTION_CALL = 'F';

    /** PasswordMessage, SASLInitialResponse, SASLResponse and GSSResponse share this byte. */
    public static final byte PASSWORD = 'p';

    private Frontend() {}
  }

  /** Type bytes of messages a server sends. */
  public static final class Backend {
    public static final byte AUTHENTICATION = 'R';
    public static final byte BACKEND_KEY_DATA = 'K';
    public static final byte PARAMETER_STATUS = 'S';
    public static final byte READY_FOR_QUERY = 'Z';
    public static final byte ROW_DESCRIPTION = 'T';
    public static final byte DATA_ROW = 'D';
    public static final byte COMMAND_COMPLETE = 'C';
    public static final byte EMPTY_QUERY_RESPONSE = 'I';
    public static final byte ERROR_RESPONSE = 'E';
    public static final byte NOTICE_RESPONSE = 'N';
    public static final byte PARSE_COMPLETE = '1';
    public static final byte BIND_COMPLETE = '2';
    public static final byte CLOSE_COMPLETE = '3';
    public static final byte NO_DATA = 'n';
    public static final byte PARAMETER_DESCRIPTION = 't';
    public static final byte PORTAL_SUSPENDED = 's';
    public static final byte COPY_IN_RESPONSE = 'G';
    public static final byte COPY_OUT_RESPONSE = 'H';
    public static final byte COPY_BOTH_RESPONSE = 'W';
    public static final byte NOTIFICATION_RESPONSE = 'A';
    public static final byte NEGOTIATE_PROTOCOL_VERSION = 'v';

    /** CopyData and CopyDone flow in both directions with the same bytes. */
    public static final byte COPY_DATA = 'd';

    public static final byte COPY_DONE = 'c';

    private Backend() {}
  }

  /** The single-byte answers to SSLRequest and GSSENCRequest, which carry no length. */
  public static final class Negotiation {
    /** SSL accepted: a TLS handshake follows. */
    public static final byte SSL_ACCEPTED = 'S';

    /** GSSAPI encryption accepted. */
    public static final byte GSS_ACCEPTED = 'G';

    /** Refused: the client may go on in plain text or try the other kind. */
    public static final byte REFUSED = 'N';

    private Negotiation() {}
  }

  /** Transaction status bytes of ReadyForQuery. */
  public static final class TransactionStatus {
    public static final byte IDLE = 'I';
    public static final byte IN_TRANSACTION = 'T';
    public static final byte FAILED = 'E';

    private TransactionStatus() {}
  }
}
