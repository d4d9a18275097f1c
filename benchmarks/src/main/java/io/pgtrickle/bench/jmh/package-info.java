/**
 * JMH benchmarks of the per-statement and per-byte hot paths: statement classification and its
 * cache, the incremental-plan cache, delta SQL generation, and the proxy's frame decoding and
 * pass-through of result rows. They run without a database; {@code docs/BENCHMARKS.md} records how
 * to run them and what they measured.
 */
package io.pgtrickle.bench.jmh;
