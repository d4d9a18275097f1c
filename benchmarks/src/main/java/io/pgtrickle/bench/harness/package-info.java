/**
 * Benchmark harnesses that drive the product end to end through its JDBC driver against a real
 * PostgreSQL, as opposed to the JMH micro-benchmarks of single hot paths. Each harness is a {@code
 * main} that prints what it measured and how, and writes CSV for the documentation.
 */
package io.pgtrickle.bench.harness;
