package io.pgtrickle.server.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves {@link LeakCheckExtension} notices a leak, so its silence in other tests means something.
 */
class LeakCheckSelfTest {
  @Test
  void detectsALeakedBuffer() {
    LeakCheckExtension.install();
    assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
    leak();
    List<String> leaks = new ArrayList<>();
    for (int i = 0; i < 50 && leaks.isEmpty(); i++) {
      leaks.addAll(LeakCheckExtension.collectLeaks(1));
    }
    assertThat(leaks).anySatisfy(l -> assertThat(l).contains("LEAK"));
  }

  private static void leak() {
    PooledByteBufAllocator.DEFAULT.buffer(16).writeLong(42);
  }
}
