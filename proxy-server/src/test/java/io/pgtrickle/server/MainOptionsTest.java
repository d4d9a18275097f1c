package io.pgtrickle.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.engine.scheduler.SchedulerConfig.Setting;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainOptionsTest {

  @Test
  void everySchedulerSettingHasAnOption() {
    CommandLine.Model.CommandSpec spec = new CommandLine(new Main()).getCommandSpec();
    for (Setting setting : Setting.values()) {
      assertThat(spec.findOption(setting.option())).as(setting.option()).isNotNull();
      assertThat(spec.findOption(setting.option()).description()[0])
          .as("the documented default of " + setting.option())
          .contains("(default: " + setting.defaultValue() + ")");
    }
  }
}
