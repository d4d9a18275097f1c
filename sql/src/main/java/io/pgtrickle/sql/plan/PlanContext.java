package io.pgtrickle.sql.plan;

import net.sf.jsqlparser.expression.Expression;

/**
 * What translating one query needs: its text, its range table and the function catalog.
 *
 * @param text the canonical text
 * @param scope the FROM clause's tables
 * @param catalog classifies called functions
 * @param index the statement's parse tree, for the analyzer's completeness sweep
 */
record PlanContext(CanonicalText text, Scope scope, FunctionCatalog catalog, ParseIndex index) {
  /** Analyzes {@code e}, whose text is JSqlParser's own node for it. */
  ExprAnalyzer.Result analyze(Expression e, Clause clause) {
    Span span = text.span(e);
    if (span == null) {
      throw PlanErrors.internal("no position for " + clause.label() + " expression " + e);
    }
    return ExprAnalyzer.analyze(e, span, clause, this);
  }
}
