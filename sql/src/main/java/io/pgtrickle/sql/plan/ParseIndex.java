package io.pgtrickle.sql.plan;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.parser.ASTNodeAccess;
import net.sf.jsqlparser.parser.Node;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.Select;

/**
 * The column references, function calls and subqueries of a statement with their positions, taken
 * from JSqlParser's parse tree rather than its object model. JSqlParser's visitor adapter does not
 * descend into every construct ({@code SUBSTRING(x FROM 1)}, {@code POSITION(a IN b)}); its parse
 * tree records every node its grammar built, so {@link ExprAnalyzer} sweeps it to be sure nothing
 * inside an expression went unchecked.
 */
final class ParseIndex {
  /** An object of interest and its tokens. */
  record Entry(Object value, Span span) {}

  private final List<Entry> entries;

  private ParseIndex(List<Entry> entries) {
    this.entries = entries;
  }

  /** Indexes {@code statement}, whose text is {@code text}. */
  static ParseIndex of(Statement statement, CanonicalText text) {
    List<Entry> entries = new ArrayList<>();
    if (statement instanceof ASTNodeAccess access && access.getASTNode() != null) {
      Node root = access.getASTNode();
      while (root.jjtGetParent() != null) {
        root = root.jjtGetParent();
      }
      Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
      Deque<Node> pending = new ArrayDeque<>(List.of(root));
      while (!pending.isEmpty()) {
        Node node = pending.pop();
        Object value = node.jjtGetValue();
        if (interesting(value) && seen.add(value)) {
          Span span = text.span(value);
          if (span != null) {
            entries.add(new Entry(value, span));
          }
        }
        for (int i = node.jjtGetNumChildren() - 1; i >= 0; i--) {
          pending.push(node.jjtGetChild(i));
        }
      }
    }
    return new ParseIndex(List.copyOf(entries));
  }

  // A plain * (AllColumns) only ever appears as count(*), which the analyzer handles itself.
  private static boolean interesting(Object value) {
    return value instanceof Column
        || value instanceof AllTableColumns
        || value instanceof Function
        || value instanceof AnalyticExpression
        || value instanceof Select;
  }

  /** The indexed objects lying inside {@code span}, in text order. */
  List<Object> within(Span span) {
    List<Object> out = new ArrayList<>();
    for (Entry e : entries) {
      if (e.span().from() >= span.from() && e.span().to() <= span.to()) {
        out.add(e.value());
      }
    }
    return out;
  }
}
