package io.pgtrickle.server.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Fails a test when Netty's leak detector (at paranoid level) reports a buffer that was never
 * released, by listening to the detector's log.
 */
// The detector only logs; listening to its logger works whatever code created the detector first,
// unlike installing a ResourceLeakDetectorFactory, which must happen before any buffer class loads.
public final class LeakCheckExtension implements BeforeAllCallback, AfterEachCallback {
  private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
  private static boolean installed;

  @Override
  public void beforeAll(ExtensionContext context) {
    install();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    assertThat(collectLeaks(3)).as("buffers leaked (Netty leak detector)").isEmpty();
  }

  static synchronized void install() {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    if (installed) {
      return;
    }
    Logger logger = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
    logger.setLevel(Level.ERROR);
    // The report reaches the test failure message; printing it too would only add noise.
    logger.setAdditive(false);
    AppenderBase<ILoggingEvent> appender =
        new AppenderBase<>() {
          @Override
          protected void append(ILoggingEvent event) {
            if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
              LEAKS.add(event.getFormattedMessage());
            }
          }
        };
    appender.start();
    logger.addAppender(appender);
    installed = true;
  }

  /**
   * Makes the detector look for collected, unreleased buffers and returns (and forgets) what it
   * reported; it only looks when a new buffer is tracked, hence the allocations.
   */
  static List<String> collectLeaks(int rounds) {
    for (int i = 0; i < rounds; i++) {
      System.gc();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      for (int j = 0; j < 10; j++) {
        ByteBuf probe = PooledByteBufAllocator.DEFAULT.buffer(8);
        probe.release();
      }
    }
    List<String> found = new ArrayList<>(LEAKS);
    LEAKS.clear();
    return found;
  }
}
