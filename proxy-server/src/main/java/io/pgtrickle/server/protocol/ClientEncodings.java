package io.pgtrickle.server.protocol;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * Java charsets for PostgreSQL's client encodings, so text the proxy reads or writes itself (API
 * calls, the engine's statements and results) uses the encoding the client's session uses.
 */
public final class ClientEncodings {
  private static final Map<String, String> JAVA_NAMES =
      Map.ofEntries(
          Map.entry("UTF8", "UTF-8"),
          Map.entry("UNICODE", "UTF-8"),
          // SQL_ASCII means "no conversion": bytes are whatever the client sent.
          Map.entry("SQL_ASCII", "UTF-8"),
          Map.entry("LATIN1", "ISO-8859-1"),
          Map.entry("LATIN2", "ISO-8859-2"),
          Map.entry("LATIN3", "ISO-8859-3"),
          Map.entry("LATIN4", "ISO-8859-4"),
          Map.entry("LATIN5", "ISO-8859-9"),
          Map.entry("LATIN7", "ISO-8859-13"),
          Map.entry("LATIN9", "ISO-8859-15"),
          Map.entry("ISO_8859_5", "ISO-8859-5"),
          Map.entry("ISO_8859_6", "ISO-8859-6"),
          Map.entry("ISO_8859_7", "ISO-8859-7"),
          Map.entry("ISO_8859_8", "ISO-8859-8"),
          Map.entry("WIN866", "IBM866"),
          Map.entry("WIN874", "x-windows-874"),
          Map.entry("WIN1250", "windows-1250"),
          Map.entry("WIN1251", "windows-1251"),
          Map.entry("WIN1252", "windows-1252"),
          Map.entry("WIN1253", "windows-1253"),
          Map.entry("WIN1254", "windows-1254"),
          Map.entry("WIN1255", "windows-1255"),
          Map.entry("WIN1256", "windows-1256"),
          Map.entry("WIN1257", "windows-1257"),
          Map.entry("WIN1258", "windows-1258"),
          Map.entry("KOI8R", "KOI8-R"),
          Map.entry("KOI8U", "KOI8-U"),
          Map.entry("EUC_JP", "EUC-JP"),
          Map.entry("EUC_KR", "EUC-KR"),
          Map.entry("EUC_CN", "GB2312"),
          Map.entry("SJIS", "Shift_JIS"),
          Map.entry("GBK", "GBK"),
          Map.entry("GB18030", "GB18030"),
          Map.entry("BIG5", "Big5"),
          Map.entry("UHC", "x-windows-949"));

  private ClientEncodings() {}

  /**
   * The charset of a PostgreSQL encoding name as reported in ParameterStatus {@code
   * client_encoding}; UTF-8 for names without a Java equivalent.
   */
  public static Charset charset(String pgName) {
    String javaName = JAVA_NAMES.get(pgName.toUpperCase(Locale.ROOT).replace("-", "_"));
    if (javaName == null || !Charset.isSupported(javaName)) {
      return StandardCharsets.UTF_8;
    }
    return Charset.forName(javaName);
  }
}
