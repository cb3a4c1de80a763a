package io.tarmo;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.testing.SparkTest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@SparkTest
class PhasesTest {

  private static final String DESCRIPTION = "spark.job.description";
  private static final Clock FIXED = Clock.fixed(Instant.parse("2026-11-29T03:00:00Z"), ZoneOffset.UTC);

  private final SparkSession spark;
  private final SparkContext context;

  PhasesTest(SparkSession spark) {
    this.spark = spark;
    this.context = spark.sparkContext();
  }

  @AfterEach
  void clear() {
    context.setJobDescription(null);
  }

  @Test
  void stepsAreNamedAndTheOuterDescriptionComesBack() {
    context.setJobDescription("tarmo ingest 2026-11-28");
    try (Phases phases = Phases.start(spark, "ingest 2026-11-28", FIXED)) {
      phases.describe("events");
      assertThat(context.getLocalProperty(DESCRIPTION)).isEqualTo("ingest 2026-11-28: events");
      phases.done("events");
      phases.describe("crm");
      assertThat(context.getLocalProperty(DESCRIPTION)).isEqualTo("ingest 2026-11-28: crm");
    }
    assertThat(context.getLocalProperty(DESCRIPTION)).isEqualTo("tarmo ingest 2026-11-28");
  }

  @Test
  void aNestedRunRestoresTheOuterStep() {
    try (Phases night = Phases.start(spark, "nightly 2026-11-28", FIXED)) {
      night.describe("identity");
      try (Phases identity = Phases.start(spark, "identity 2026-11-28", FIXED)) {
        identity.describe("resolve");
      }
      assertThat(context.getLocalProperty(DESCRIPTION)).isEqualTo("nightly 2026-11-28: identity");
    }
    assertThat(context.getLocalProperty(DESCRIPTION)).isNull();
  }

  @Test
  void eachStepIsTimedFromTheEndOfThePreviousOne() {
    long[] now = {1_000};
    Clock ticking = new Clock() {
      @Override
      public Instant instant() {
        return Instant.ofEpochMilli(now[0]);
      }

      @Override
      public java.time.ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }
    };
    try (Phases night = Phases.start(spark, "nightly 2026-11-28", ticking)) {
      now[0] += 250;
      assertThat(night.done("ingest")).isEqualTo(250);
      now[0] += 40;
      assertThat(night.done("identity")).isEqualTo(40);
      assertThat(night.elapsedMillis()).isEqualTo(290);
    }
  }

  @Test
  void elapsedTimeIsTheClocks() {
    try (Phases phases = Phases.start(spark, "segments 2026-11-28", FIXED)) {
      phases.done("membership");
      assertThat(phases.elapsedMillis()).isZero();
    }
  }
}
