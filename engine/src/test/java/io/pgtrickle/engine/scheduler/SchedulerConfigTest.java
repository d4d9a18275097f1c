package io.pgtrickle.engine.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtrickle.engine.scheduler.SchedulerConfig.InvalidSettingException;
import io.pgtrickle.engine.scheduler.SchedulerConfig.Setting;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchedulerConfigTest {

  @Test
  void defaultsAreTheSettingsDefaults() {
    assertThat(SchedulerConfig.DEFAULTS)
        .isEqualTo(
            new SchedulerConfig(
                4,
                Duration.ofSeconds(1),
                3,
                Duration.ofSeconds(1),
                Duration.ofMinutes(5),
                Duration.ofSeconds(1)));
  }

  @Test
  void settingsAreParsedFromText() {
    SchedulerConfig c =
        SchedulerConfig.of(
            Map.of(
                Setting.WORKERS, " 2 ",
                Setting.TICK, "250ms",
                Setting.MAX_CONSECUTIVE_ERRORS, "5",
                Setting.BACKOFF, "1m30s",
                Setting.BACKOFF_MAX, "1H",
                Setting.CALCULATED_DEFAULT, "1d"));
    assertThat(c)
        .isEqualTo(
            new SchedulerConfig(
                2,
                Duration.ofMillis(250),
                5,
                Duration.ofSeconds(90),
                Duration.ofHours(1),
                Duration.ofDays(1)));
  }

  @Test
  void aBadValueNamesItsSetting() {
    assertThatThrownBy(() -> SchedulerConfig.of(Map.of(Setting.TICK, "0s")))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessageContaining("'0s' is not a positive duration")
        .extracting(e -> ((InvalidSettingException) e).setting())
        .isEqualTo(Setting.TICK);
    assertThatThrownBy(() -> SchedulerConfig.of(Map.of(Setting.BACKOFF, "soon")))
        .extracting(e -> ((InvalidSettingException) e).setting())
        .isEqualTo(Setting.BACKOFF);
    assertThatThrownBy(() -> SchedulerConfig.of(Map.of(Setting.WORKERS, "0")))
        .hasMessageContaining("'0' is not a whole number of at least 1")
        .extracting(e -> ((InvalidSettingException) e).setting())
        .isEqualTo(Setting.WORKERS);
    assertThatThrownBy(() -> SchedulerConfig.of(Map.of(Setting.BACKOFF, "10m")))
        .hasMessageContaining("maximum backoff PT5M is below the first backoff PT10M")
        .extracting(e -> ((InvalidSettingException) e).setting())
        .isEqualTo(Setting.BACKOFF_MAX);
  }

  @Test
  void settingsAreSpelledForTheDriverAndTheProxy() {
    assertThat(Setting.MAX_CONSECUTIVE_ERRORS.property())
        .isEqualTo("pgtrickle.schedulerMaxConsecutiveErrors");
    assertThat(Setting.MAX_CONSECUTIVE_ERRORS.option())
        .isEqualTo("--scheduler-max-consecutive-errors");
  }

  @Test
  void backoffDoublesUpToItsMaximum() {
    SchedulerConfig c =
        SchedulerConfig.of(Map.of(Setting.BACKOFF, "1s", Setting.BACKOFF_MAX, "5s"));
    assertThat(c.backoffAfter(0)).isEqualTo(Duration.ZERO);
    assertThat(c.backoffAfter(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.backoffAfter(3)).isEqualTo(Duration.ofSeconds(4));
    assertThat(c.backoffAfter(4)).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.backoffAfter(40)).isEqualTo(Duration.ofSeconds(5));
  }
}
