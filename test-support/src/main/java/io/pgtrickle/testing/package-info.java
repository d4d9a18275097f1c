/**
 * Test support shared by every module's integration tests: a JUnit 5 extension that gives each test
 * class its own database on one real PostgreSQL per JVM (embedded 18, or the server named by {@code
 * PGTRICKLE_TEST_URL}), the oracle that checks a stream table against a fresh run of its query, and
 * seeded random queries and DML to drive it.
 */
package io.pgtrickle.testing;
