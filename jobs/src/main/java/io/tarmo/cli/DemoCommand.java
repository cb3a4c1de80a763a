package io.tarmo.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "demo", mixinStandardHelpOptions = true, description = "Not yet available.")
final class DemoCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;

  @Override
  public Integer call() {
    throw io.tarmo.TarmoException.usage("Cannot run demo: not yet available");
  }
}
