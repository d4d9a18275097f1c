package io.pgtrickle.sql.lex;

import io.pgtrickle.errors.PgTrickleException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes the escapes of {@code E'...'} strings and of {@code U&'...'} strings and identifiers.
 * Octal and hex escapes denote bytes, so runs of them are collected and decoded as UTF-8, which is
 * how {@code E'\xc3\xa9'} becomes "é" in a UTF-8 database.
 */
final class EscapeDecoder {
  private static final String E_HINT = "Unicode escapes must be \\uXXXX or \\UXXXXXXXX.";
  private static final String U_HINT = "Unicode escapes must be \\XXXX or \\+XXXXXX.";

  private final String sql;
  private final int tokenStart;
  private final StringBuilder out = new StringBuilder();
  private ByteArrayOutputStream bytes;

  private EscapeDecoder(String sql, int tokenStart) {
    this.sql = sql;
    this.tokenStart = tokenStart;
  }

  /** Decodes the body of an {@code E'...'} string, whose quotes are already undoubled. */
  static String decodeEscapeString(String body, String sql, int tokenStart)
      throws PgTrickleException {
    EscapeDecoder d = new EscapeDecoder(sql, tokenStart);
    int n = body.length();
    int i = 0;
    while (i < n) {
      char c = body.charAt(i);
      if (c != '\\' || i + 1 >= n) {
        d.text(c);
        i++;
        continue;
      }
      char e = body.charAt(i + 1);
      i += 2;
      switch (e) {
        case 'b' -> d.text('\b');
        case 'f' -> d.text('\f');
        case 'n' -> d.text('\n');
        case 'r' -> d.text('\r');
        case 't' -> d.text('\t');
        case 'x' -> {
          int end = hexRun(body, i, 2);
          if (end == i) {
            d.text('x');
          } else {
            d.bytes().write(Integer.parseInt(body.substring(i, end), 16));
            i = end;
          }
        }
        case 'u', 'U' -> {
          int digits = e == 'u' ? 4 : 8;
          if (hexRun(body, i, digits) != i + digits) {
            throw Scan.error("invalid Unicode escape", E_HINT, sql, tokenStart);
          }
          long cp = Long.parseLong(body.substring(i, i + digits), 16);
          int value = cp > Character.MAX_CODE_POINT ? -1 : (int) cp;
          i = d.codePoint(value, body, i + digits, '\\', true, E_HINT);
        }
        default -> {
          if (e >= '0' && e <= '7') {
            int end = i;
            while (end < n && end < i + 2 && body.charAt(end) >= '0' && body.charAt(end) <= '7') {
              end++;
            }
            // \777 overflows a byte; PostgreSQL keeps the low eight bits.
            d.bytes().write(Integer.parseInt(body.substring(i - 1, end), 8) & 0xFF);
            i = end;
          } else {
            d.text(e);
          }
        }
      }
    }
    return d.finish();
  }

  /** Decodes the body of a {@code U&} string or identifier with the given escape character. */
  static String decodeUnicode(String body, char escape, String sql, int tokenStart)
      throws PgTrickleException {
    EscapeDecoder d = new EscapeDecoder(sql, tokenStart);
    int n = body.length();
    int i = 0;
    while (i < n) {
      char c = body.charAt(i);
      if (c != escape) {
        d.text(c);
        i++;
      } else if (i + 1 < n && body.charAt(i + 1) == escape) {
        d.text(escape);
        i += 2;
      } else if (hexRun(body, i + 1, 4) == i + 5) {
        int cp = Integer.parseInt(body.substring(i + 1, i + 5), 16);
        i = d.codePoint(cp, body, i + 5, escape, false, U_HINT);
      } else if (i + 1 < n && body.charAt(i + 1) == '+' && hexRun(body, i + 2, 6) == i + 8) {
        int cp = Integer.parseInt(body.substring(i + 2, i + 8), 16);
        i = d.codePoint(cp, body, i + 8, escape, false, U_HINT);
      } else {
        throw Scan.error("invalid Unicode escape", U_HINT, sql, tokenStart);
      }
    }
    return d.finish();
  }

  /**
   * Appends a code point given by an escape. A high surrogate must be followed by an escaped low
   * surrogate, as PostgreSQL requires; {@code next} is the offset after the first escape, and the
   * offset after whatever was consumed is returned.
   */
  private int codePoint(int cp, String body, int next, char escape, boolean eStyle, String hint)
      throws PgTrickleException {
    int after = next;
    if (cp >= Character.MIN_HIGH_SURROGATE && cp <= Character.MAX_HIGH_SURROGATE) {
      int low = -1;
      int n = body.length();
      if (next + 1 < n && body.charAt(next) == escape) {
        char kind = body.charAt(next + 1);
        int from = eStyle ? next + 2 : (kind == '+' ? next + 2 : next + 1);
        int digits = eStyle ? (kind == 'u' ? 4 : kind == 'U' ? 8 : 0) : (kind == '+' ? 6 : 4);
        if (digits > 0 && hexRun(body, from, digits) == from + digits) {
          low = (int) Long.parseLong(body.substring(from, from + digits), 16);
          after = from + digits;
        }
      }
      if (low < Character.MIN_LOW_SURROGATE || low > Character.MAX_LOW_SURROGATE) {
        throw Scan.error("invalid Unicode surrogate pair", hint, sql, tokenStart);
      }
      cp = Character.toCodePoint((char) cp, (char) low);
    } else if (cp >= Character.MIN_LOW_SURROGATE && cp <= Character.MAX_LOW_SURROGATE) {
      throw Scan.error("invalid Unicode surrogate pair", hint, sql, tokenStart);
    }
    if (cp <= 0 || cp > Character.MAX_CODE_POINT) {
      throw Scan.error("invalid Unicode escape value", hint, sql, tokenStart);
    }
    flush();
    out.appendCodePoint(cp);
    return after;
  }

  private static int hexRun(String s, int from, int max) {
    int j = from;
    while (j < s.length() && j < from + max && Character.digit(s.charAt(j), 16) >= 0) {
      j++;
    }
    return j;
  }

  private void text(char c) throws PgTrickleException {
    flush();
    out.append(c);
  }

  private ByteArrayOutputStream bytes() {
    if (bytes == null) {
      bytes = new ByteArrayOutputStream();
    }
    return bytes;
  }

  /** Decodes pending escaped bytes strictly, because PostgreSQL rejects invalid UTF-8 and NUL. */
  private void flush() throws PgTrickleException {
    if (bytes == null || bytes.size() == 0) {
      return;
    }
    byte[] b = bytes.toByteArray();
    bytes.reset();
    for (byte x : b) {
      if (x == 0) {
        throw invalidBytes(b);
      }
    }
    try {
      out.append(
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(b)));
    } catch (CharacterCodingException e) {
      throw invalidBytes(b);
    }
  }

  private PgTrickleException invalidBytes(byte[] b) {
    StringBuilder hex = new StringBuilder();
    for (byte x : b) {
      hex.append(hex.length() == 0 ? "0x" : " 0x").append(String.format("%02x", x & 0xFF));
    }
    return Scan.error(
        "invalid byte sequence for encoding \"UTF8\": " + hex,
        "Octal and hex escapes in E'...' strings must form valid UTF-8 and must not be zero.",
        sql,
        tokenStart);
  }

  private String finish() throws PgTrickleException {
    flush();
    return out.toString();
  }
}
