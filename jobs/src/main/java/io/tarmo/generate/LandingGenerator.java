package io.tarmo.generate;

import io.tarmo.TarmoException;
import io.tarmo.lake.Lake;
import org.apache.hadoop.conf.Configuration;

/** Writes seeded landing files for events, CRM and consent. */
public final class LandingGenerator {

  private final GeneratorSettings settings;
  private final Lake lake;
  private final Configuration hadoop;

  public LandingGenerator(GeneratorSettings settings, Lake lake, Configuration hadoop) {
    this.settings = settings;
    this.lake = lake;
    this.hadoop = hadoop;
  }

  public GenerationResult run() {
    throw TarmoException.job("Cannot generate: the generator is being written");
  }
}
