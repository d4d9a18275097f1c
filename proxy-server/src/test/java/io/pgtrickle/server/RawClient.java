package io.pgtrickle.server;

import io.pgtrickle.server.protocol.MessageTags;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A PostgreSQL v3 client on a plain socket that sends whatever bytes a test builds, so tests can
 * send what no driver would: broken frames, half a startup packet, a query one byte at a time.
 */
final class RawClient implements AutoCloseable {
  /** How long a read may wait before the test fails as hung; never a statement about speed. */
  static final Duration HANG_GUARD = Duration.ofSeconds(30);

  /** One backend message: its type byte and its body (without type and length). */
  record Message(char type, byte[] body) {
    /** The fields of an ErrorResponse or NoticeResponse, by field code. */
    Map<Character, String> fields() {
      Map<Character, String> fields = new LinkedHashMap<>();
      int i = 0;
      while (i < body.length && body[i] != 0) {
        char code = (char) body[i];
        int end = i + 1;
        while (body[end] != 0) {
          end++;
        }
        fields.put(code, new String(body, i + 1, end - i - 1, StandardCharsets.UTF_8));
        i = end + 1;
      }
      return fields;
    }

    boolean isError() {
      return type == 'E';
    }

    String sqlState() {
      return fields().get('C');
    }

    /** The transaction status of a ReadyForQuery. */
    char status() {
      return (char) body[0];
    }

    /** The text of a DataRow's first column (null for SQL NULL). */
    String firstColumn() {
      ByteBuffer b = ByteBuffer.wrap(body);
      b.getShort();
      int length = b.getInt();
      return length < 0 ? null : new String(body, b.position(), length, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return isError() || type == 'N' ? type + fields().toString() : type + "[" + body.length + "]";
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private int processId;
  private int secretKey;
  private boolean splitEveryByte;

  private RawClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  static RawClient connect(String host, int port) throws IOException {
    Socket s = new Socket(host, port);
    // Each write must leave as its own segment for the byte-at-a-time tests to mean anything.
    s.setTcpNoDelay(true);
    s.setSoTimeout((int) HANG_GUARD.toMillis());
    return new RawClient(s);
  }

  static RawClient connect(TestProxy proxy) throws IOException {
    return connect(proxy.host(), proxy.port());
  }

  /** The server's BackendKeyData, as the proxy relayed it. */
  int processId() {
    return processId;
  }

  int secretKey() {
    return secretKey;
  }

  /**
   * Makes every later send write each byte on its own, so the proxy sees the stream split at every
   * offset.
   */
  RawClient splittingEveryByte() {
    splitEveryByte = true;
    return this;
  }

  void send(byte[] bytes) throws IOException {
    if (splitEveryByte) {
      for (byte b : bytes) {
        out.write(b);
        out.flush();
      }
    } else {
      out.write(bytes);
      out.flush();
    }
  }

  /**
   * Logs in as {@code user} to {@code database}, answering a cleartext or MD5 password request, and
   * returns once the server is ready for a query.
   *
   * @param parameters further StartupMessage parameters (application_name, settings)
   */
  List<Message> login(String user, String database, String password, Map<String, String> parameters)
      throws IOException {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("user", user);
    all.put("database", database);
    all.putAll(parameters);
    send(startup(all));
    List<Message> received = new ArrayList<>();
    while (true) {
      Message m = read();
      if (m == null) {
        throw new EOFException("connection closed during login after " + received);
      }
      received.add(m);
      switch (m.type()) {
        case 'R' -> authenticate(m, user, password);
        case 'K' -> {
          ByteBuffer b = ByteBuffer.wrap(m.body());
          processId = b.getInt();
          secretKey = b.getInt();
        }
        case 'E' -> throw new IOException("login failed: " + m.fields());
        case 'Z' -> {
          return received;
        }
        default -> {
          // ParameterStatus, notices: nothing to answer.
        }
      }
    }
  }

  private void authenticate(Message m, String user, String password) throws IOException {
    int code = ByteBuffer.wrap(m.body()).getInt();
    switch (code) {
      case 0 -> {
        // AuthenticationOk
      }
      case 3 -> send(message('p', bytes().cstr(requirePassword(password)).build()));
      case 5 -> {
        byte[] salt = new byte[] {m.body()[4], m.body()[5], m.body()[6], m.body()[7]};
        String inner = md5Hex((requirePassword(password) + user).getBytes(StandardCharsets.UTF_8));
        byte[] outerInput =
            bytes().raw(inner.getBytes(StandardCharsets.US_ASCII)).raw(salt).build();
        send(message('p', bytes().cstr("md5" + md5Hex(outerInput)).build()));
      }
      default ->
          throw new IOException(
              "authentication method " + code + " is not supported by this test client");
    }
  }

  private static String requirePassword(String password) throws IOException {
    if (password == null) {
      throw new IOException("the server asks for a password, but the test database has none");
    }
    return password;
  }

  private static String md5Hex(byte[] input) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(input));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Sends a simple Query and returns everything up to and including its ReadyForQuery. */
  List<Message> query(String sql) throws IOException {
    send(queryMessage(sql));
    return readUntilReady();
  }

  List<Message> readUntilReady() throws IOException {
    List<Message> received = new ArrayList<>();
    Message m;
    do {
      m = read();
      if (m == null) {
        throw new EOFException("connection closed before ReadyForQuery, after " + received);
      }
      received.add(m);
    } while (m.type() != 'Z');
    return received;
  }

  /** Reads messages until the peer closes the connection, and returns them. */
  List<Message> readUntilClosed() throws IOException {
    List<Message> received = new ArrayList<>();
    Message m;
    while ((m = read()) != null) {
      received.add(m);
    }
    return received;
  }

  /**
   * Reads one message, or returns null once the peer has closed the connection (a reset counts as
   * closed: the peer may have had unread input from us when it closed).
   */
  Message read() throws IOException {
    try {
      int type = in.read();
      if (type < 0) {
        return null;
      }
      int length = in.readInt();
      if (length < 4) {
        throw new IOException("invalid length " + length + " of message " + (char) type);
      }
      byte[] body = new byte[length - 4];
      in.readFully(body);
      return new Message((char) type, body);
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no answer from the proxy within " + HANG_GUARD, e);
    } catch (EOFException e) {
      return null;
    } catch (SocketException e) {
      if (String.valueOf(e.getMessage()).contains("reset")) {
        return null;
      }
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  // ---- message builders ----

  static byte[] startup(Map<String, String> parameters) {
    Bytes body = bytes().int32(MessageTags.PROTOCOL_3_0);
    parameters.forEach((name, value) -> body.cstr(name).cstr(value));
    byte[] b = body.int8(0).build();
    return bytes().int32(b.length + 4).raw(b).build();
  }

  static byte[] cancelRequest(int processId, int secretKey) {
    return bytes()
        .int32(16)
        .int32(MessageTags.CANCEL_REQUEST_CODE)
        .int32(processId)
        .int32(secretKey)
        .build();
  }

  /** A typed message around {@code body}. */
  static byte[] message(char type, byte[] body) {
    return bytes().int8(type).int32(body.length + 4).raw(body).build();
  }

  static byte[] queryMessage(String sql) {
    return message('Q', bytes().cstr(sql).build());
  }

  static Bytes bytes() {
    return new Bytes();
  }

  /** Builds a byte string in protocol byte order. */
  static final class Bytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Bytes int8(int v) {
      out.write(v);
      return this;
    }

    Bytes int16(int v) {
      out.write(v >>> 8);
      out.write(v);
      return this;
    }

    Bytes int32(int v) {
      return int16(v >>> 16).int16(v);
    }

    Bytes raw(byte[] b) {
      out.writeBytes(b);
      return this;
    }

    Bytes cstr(String s) {
      out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
      return int8(0);
    }

    byte[] build() {
      return out.toByteArray();
    }
  }
}
