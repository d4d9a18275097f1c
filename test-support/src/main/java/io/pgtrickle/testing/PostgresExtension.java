package io.pgtrickle.testing;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each test class a fresh database on the JVM's shared test PostgreSQL, drops it after the
 * class, and resolves {@link TestDatabase} parameters; use it through {@link PgTest}.
 *
 * <p>{@code @Nested} classes share their enclosing class's database. With {@code
 * -Dpgtrickle.pgbouncer=true} and no {@code pgbouncer} installed, the class is skipped, unless the
 * run requires PgBouncer ({@code CI} or {@code PGTRICKLE_REQUIRE_PGBOUNCER} set): then it fails.
 */
public final class PostgresExtension
    implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(PostgresExtension.class);
  private static final String DATABASE_KEY = "database";

  @Override
  public void beforeAll(ExtensionContext context) {
    database(context);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    // remove() looks at this class's own store only, so a @Nested class never drops the database
    // its enclosing class created.
    TestDatabase db = context.getStore(NAMESPACE).remove(DATABASE_KEY, TestDatabase.class);
    if (db != null) {
      DatabaseLifecycle.drop(db);
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestDatabase.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return database(context);
  }

  /**
   * The class's database, created on first use. With {@code PER_CLASS} lifecycle the constructor is
   * resolved before {@link #beforeAll}, hence creation on demand rather than only in beforeAll.
   */
  private static TestDatabase database(ExtensionContext context) {
    if (PgBouncer.requested() && !PgBouncer.required() && PgBouncer.binary().isEmpty()) {
      // Locally only: where PgBouncer is required (CI), starting it fails with the same message.
      Assumptions.abort("skipped: " + PgBouncer.missingMessage());
    }
    ExtensionContext classContext = classContext(context);
    Class<?> testClass = classContext.getRequiredTestClass();
    // Store lookups fall back to enclosing contexts, which is what lets @Nested classes share.
    return classContext
        .getStore(NAMESPACE)
        .computeIfAbsent(
            DATABASE_KEY, key -> DatabaseLifecycle.create(testClass), TestDatabase.class);
  }

  private static ExtensionContext classContext(ExtensionContext context) {
    ExtensionContext current = context;
    while (current.getTestMethod().isPresent()
        || current.getElement().filter(Class.class::isInstance).isEmpty()) {
      current =
          current
              .getParent()
              .orElseThrow(
                  () ->
                      new IllegalStateException("TestDatabase is only available in a test class"));
    }
    return current;
  }
}
