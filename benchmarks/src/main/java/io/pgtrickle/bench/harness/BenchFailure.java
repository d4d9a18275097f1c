package io.pgtrickle.bench.harness;

/**
 * A run that must not be counted: a stream table that differs from its query, or a refresh meant to
 * be DIFFERENTIAL that ran as something else.
 */
final class BenchFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  BenchFailure(String message) {
    super(message);
  }
}
