package io.pgtrickle.sql.plan;

/** How a function behaves, as far as incremental maintenance cares (from {@code pg_proc}). */
public enum FunctionKind {
  /** Same arguments, same result, forever: safe anywhere. */
  IMMUTABLE,
  /** Same result within one statement ({@code now()}): allowed; the engine decides what to do. */
  STABLE,
  /** May differ on every call ({@code random()}): a re-run would not reproduce the result. */
  VOLATILE,
  /** An aggregate function ({@code prokind = 'a'}). */
  AGGREGATE,
  /** A window function ({@code prokind = 'w'}). */
  WINDOW,
  /** The catalog does not know the function. */
  UNKNOWN
}
