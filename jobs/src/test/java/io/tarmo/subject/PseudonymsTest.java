package io.tarmo.subject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.apache.spark.sql.functions.col;

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
  void givesTheSameAnswersOnEveryThreadAndAfterTravellingToAnExecutor() throws Exception {
    Pseudonyms pseudonyms = Pseudonyms.withKey(KEY);
    String expected = "a0fa06f18f31e03b714f1524456ecc5a9876be82af8def445cee3024af321a4b";
    List<String> answers = java.util.stream.IntStream.range(0, 2_000).parallel()
        .mapToObj(i -> pseudonyms.of(i % 2 == 0 ? "anna@example.org" : "cookie-" + i))
        .filter(hash -> !hash.equals(pseudonyms.of("cookie-x")))
        .toList();
    assertThat(answers.stream().filter(expected::equals)).hasSize(1_000);

    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
      out.writeObject(pseudonyms);
    }
    try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(
        new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
      assertThat(((Pseudonyms) in.readObject()).of("anna@example.org")).isEqualTo(expected);
    }
  }

  @Test
  void theKeyComesFromTheEnvironmentAndIsNeverShown() {
    assertThat(Pseudonyms.fromEnvironment(Map.of())).isEmpty();
    assertThat(Pseudonyms.fromEnvironment(Map.of(Pseudonyms.KEY_VARIABLE, " "))).isEmpty();
    assertThat(Pseudonyms.fromEnvironment(Map.of(Pseudonyms.KEY_VARIABLE, KEY))).get()
        .extracting(Object::toString).asString().doesNotContain(KEY);
    assertThatThrownBy(() -> Pseudonyms.fromEnvironment(Map.of(Pseudonyms.KEY_VARIABLE, "short-secret")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TARMO_PSEUDONYM_KEY").message().doesNotContain("short-secret");
  }
}
