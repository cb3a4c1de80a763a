package io.tarmo.subject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.apache.spark.sql.functions.col;

import io.tarmo.TarmoException;
import io.tarmo.testing.SparkTest;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

@SparkTest
class PseudonymsTest {

  static final String KEY = "key-of-at-least-thirty-two-characters";

  private final SparkSession spark;

  PseudonymsTest(SparkSession spark) {
    this.spark = spark;
  }

  @Test
  void isTheHmacSha256OfTheValueAsLowerCaseHex() {
    // printf '%s' anna@example.org | openssl dgst -sha256 -hmac key-of-at-least-thirty-two-characters
    String pseudonym = Pseudonyms.withKey(KEY).of("anna@example.org");
    assertThat(pseudonym).isEqualTo("a0fa06f18f31e03b714f1524456ecc5a9876be82af8def445cee3024af321a4b")
        .isEqualTo(Pseudonyms.withKey("  " + KEY + "\n").of("anna@example.org"))
        .isNotEqualTo(Pseudonyms.withKey(KEY + "x").of("anna@example.org"))
        .isNotEqualTo(Pseudonyms.withKey(KEY).of("anna@example.com"));
    assertThat(Pseudonyms.withKey(KEY).of((String) null)).isNull();
  }

  @Test
  void theSparkColumnGivesTheSameAnswers() {
    Pseudonyms pseudonyms = Pseudonyms.withKey(KEY);
    List<String> values = Arrays.asList("anna@example.org", "+4915112345678", "cookie-1", null);
    List<String> hashed = spark.createDataset(values, Encoders.STRING()).toDF("v")
        .select(pseudonyms.of(col("v"))).as(Encoders.STRING()).collectAsList();
    assertThat(hashed).isEqualTo(values.stream().map(v -> v == null ? null : pseudonyms.of(v)).toList());
  }

  @Test
  void theKeyComesFromTheEnvironmentAndIsNeverShown() {
    assertThat(Pseudonyms.fromEnvironment(Map.of())).isEmpty();
    assertThat(Pseudonyms.fromEnvironment(Map.of(Pseudonyms.KEY_VARIABLE, " "))).isEmpty();
    assertThat(Pseudonyms.fromEnvironment(Map.of(Pseudonyms.KEY_VARIABLE, KEY))).get()
        .extracting(Object::toString).asString().doesNotContain(KEY);
    assertThatThrownBy(() -> Pseudonyms.fromEnvironment(Map.of(Pseudonyms.KEY_VARIABLE, "short-secret")))
        .isInstanceOfSatisfying(TarmoException.class, e -> {
          assertThat(e.failure().exitCode()).isEqualTo(2);
          assertThat(e.getMessage()).contains("TARMO_PSEUDONYM_KEY").doesNotContain("short-secret");
        });
  }
}
