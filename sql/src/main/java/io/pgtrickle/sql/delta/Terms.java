package io.pgtrickle.sql.delta;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The inclusion–exclusion expansion of a join's change: for changed tables C, the change of {@code
 * T1 ⋈ … ⋈ Tn} is the sum over non-empty S ⊆ C of (−1)^(|S|+1) times the join with the tables in S
 * replaced by their changes and the others by their current contents (all "after" states, so no
 * "before" state is ever needed). With one changed table that is one term.
 */
final class Terms {
  private Terms() {}

  /** One term: the bindings of the changed aliases it reads changes of, and its sign. */
  record Term(Map<String, Binding> bindings, int sign) {}

  /** All terms for the given changed aliases, smallest subsets first. */
  static List<Term> expand(List<String> changed) {
    if (changed.size() > 12) {
      throw new IllegalArgumentException("too many changed tables for one refresh: " + changed);
    }
    List<Term> terms = new ArrayList<>();
    int n = changed.size();
    for (int size = 1; size <= n; size++) {
      for (int mask = 1; mask < (1 << n); mask++) {
        if (Integer.bitCount(mask) != size) {
          continue;
        }
        Map<String, Binding> bindings = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
          if ((mask & (1 << i)) != 0) {
            bindings.put(changed.get(i), Binding.DELTA);
          }
        }
        terms.add(new Term(bindings, size % 2 == 1 ? 1 : -1));
      }
    }
    return terms;
  }
}
