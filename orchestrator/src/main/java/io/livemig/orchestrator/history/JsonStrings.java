package io.livemig.orchestrator.history;

import java.util.ArrayList;
import java.util.List;

/**
 * Lists of strings as JSON arrays of strings, e.g. {@code ["a","b \"c\""]}: exact for any
 * content (commas, quotes, newlines, control characters) and readable by SQLite's own JSON
 * functions when someone inspects the file by hand. Small enough not to need a JSON library.
 */
final class JsonStrings {
  private JsonStrings() {}

  static String write(List<String> values) {
    StringBuilder out = new StringBuilder("[");
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append('"');
      String v = values.get(i);
      for (int j = 0; j < v.length(); j++) {
        char c = v.charAt(j);
        switch (c) {
          case '"' -> out.append("\\\"");
          case '\\' -> out.append("\\\\");
          case '\n' -> out.append("\\n");
          case '\r' -> out.append("\\r");
          case '\t' -> out.append("\\t");
          default -> {
            if (c < 0x20 || Character.isSurrogate(c) || c == 0x7f) {
              out.append(String.format("\\u%04x", (int) c));
            } else {
              out.append(c);
            }
          }
        }
      }
      out.append('"');
    }
    return out.append(']').toString();
  }

  /**
   * @throws IllegalArgumentException if {@code json} is not an array of strings
   */
  static List<String> read(String json) {
    return new Reader(json).array();
  }

  private static final class Reader {
    private final String s;
    private int i;

    Reader(String s) {
      this.s = s;
    }

    List<String> array() {
      List<String> values = new ArrayList<>();
      skipBlanks();
      expect('[');
      skipBlanks();
      if (peek() == ']') {
        i++;
      } else {
        while (true) {
          skipBlanks();
          values.add(string());
          skipBlanks();
          char c = next();
          if (c == ']') {
            break;
          }
          if (c != ',') {
            throw error("expected ',' or ']'");
          }
        }
      }
      skipBlanks();
      if (i != s.length()) {
        throw error("unexpected text after the array");
      }
      return values;
    }

    private String string() {
      expect('"');
      StringBuilder v = new StringBuilder();
      while (true) {
        char c = next();
        if (c == '"') {
          return v.toString();
        }
        if (c != '\\') {
          v.append(c);
          continue;
        }
        char e = next();
        switch (e) {
          case '"', '\\', '/' -> v.append(e);
          case 'n' -> v.append('\n');
          case 'r' -> v.append('\r');
          case 't' -> v.append('\t');
          case 'b' -> v.append('\b');
          case 'f' -> v.append('\f');
          case 'u' -> {
            if (i + 4 > s.length()) {
              throw error("truncated \\u escape");
            }
            try {
              v.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            } catch (NumberFormatException ex) {
              throw error("bad \\u escape");
            }
            i += 4;
          }
          default -> throw error("bad escape \\" + e);
        }
      }
    }

    private void skipBlanks() {
      while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
        i++;
      }
    }

    private char peek() {
      if (i >= s.length()) {
        throw error("unexpected end");
      }
      return s.charAt(i);
    }

    private char next() {
      char c = peek();
      i++;
      return c;
    }

    private void expect(char c) {
      if (next() != c) {
        throw error("expected '" + c + "'");
      }
    }

    private IllegalArgumentException error(String what) {
      return new IllegalArgumentException(
          "not a JSON array of strings (" + what + " at offset " + i + ")");
    }
  }
}
