package io.pgtrickle.sql.plan;

/**
 * A run of tokens {@code [from, to)} of a {@link CanonicalText}; spans count tokens, not
 * characters, so trimming parentheses or an alias never has to think about whitespace.
 *
 * @param from index of the first token
 * @param to index just past the last token
 */
record Span(int from, int to) {
  Span {
    if (from < 0 || to <= from) {
      throw new IllegalArgumentException("bad span [" + from + ", " + to + ")");
    }
  }

  /** The number of tokens. */
  int size() {
    return to - from;
  }

  /** Whether token {@code index} lies inside this span. */
  boolean contains(int index) {
    return index >= from && index < to;
  }
}
