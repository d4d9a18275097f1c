package io.pgtrickle.engine.scheduler;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The strongly connected components with more than one node of a small directed graph (Tarjan). */
final class Cycles {
  private final Map<Long, Set<Long>> edges;
  private final Map<Long, Integer> index = new HashMap<>();
  private final Map<Long, Integer> low = new HashMap<>();
  private final Deque<Long> stack = new ArrayDeque<>();
  private final List<List<Long>> found = new ArrayList<>();

  private Cycles(Map<Long, Set<Long>> edges) {
    this.edges = edges;
  }

  /** The cycles of the graph {@code node -> successors}, each as its list of nodes. */
  static List<List<Long>> of(Map<Long, Set<Long>> edges) {
    Cycles c = new Cycles(edges);
    for (long node : edges.keySet()) {
      if (!c.index.containsKey(node)) {
        c.visit(node);
      }
    }
    return c.found;
  }

  private void visit(long node) {
    index.put(node, index.size());
    low.put(node, index.get(node));
    stack.push(node);
    for (long next : edges.getOrDefault(node, Set.of())) {
      if (!index.containsKey(next)) {
        visit(next);
        low.put(node, Math.min(low.get(node), low.get(next)));
      } else if (stack.contains(next)) {
        low.put(node, Math.min(low.get(node), index.get(next)));
      }
    }
    if (low.get(node).equals(index.get(node))) {
      List<Long> component = new ArrayList<>();
      long n;
      do {
        n = stack.pop();
        component.add(n);
      } while (n != node);
      if (component.size() > 1) {
        found.add(component);
      }
    }
  }
}
