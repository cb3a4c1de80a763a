package io.tarmo.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarmo.TarmoException;
import io.tarmo.subject.Pseudonyms;
import io.tarmo.testing.SparkTest;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** suppression_list remembers its key's fingerprint, and another key is refused before it is used. */
@SparkTest
class SuppressionKeysTest {

  private static final String KEY = "the-lake-key-0123456789abcdef-0123456789";
  private static final String OTHER_KEY = "another-key-0123456789abcdef-0123456789";

  private final SparkSession spark;
  @TempDir Path root;

  SuppressionKeysTest(SparkSession spark) {
    this.spark = spark;
  }

  @Test
  void aFingerprintIsStableDiffersPerKeyAndShowsNothingOfTheKey() {
    String check = Pseudonyms.withKey(KEY).keyCheck();
    assertThat(check).matches("[0-9a-f]{16}").isEqualTo(Pseudonyms.withKey(KEY).keyCheck())
        .isNotEqualTo(Pseudonyms.withKey(OTHER_KEY).keyCheck());
    assertThat(KEY).doesNotContain(check);
  }

  @Test
  void theFirstKeyIsRecordedAndAnotherKeyIsRefused() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    Pseudonyms lakeKey = Pseudonyms.withKey(KEY);
    SuppressionKeys.verify(store, Pseudonyms.withKey(OTHER_KEY), "ingest");

    SuppressionKeys.record(store, lakeKey, "erase");

    assertThat(store.property(Tables.SUPPRESSION_LIST, SuppressionKeys.PROPERTY)).contains(lakeKey.keyCheck());
    SuppressionKeys.verify(store, lakeKey, "ingest");
    SuppressionKeys.record(store, lakeKey, "erase");
    for (String command : new String[] {"ingest", "erase"}) {
      assertThatThrownBy(() -> {
        if (command.equals("erase")) {
          SuppressionKeys.record(store, Pseudonyms.withKey(OTHER_KEY), command);
        } else {
          SuppressionKeys.verify(store, Pseudonyms.withKey(OTHER_KEY), command);
        }
      }).isInstanceOfSatisfying(TarmoException.class, e -> assertThat(e.failure().exitCode()).isEqualTo(2))
          .hasMessageStartingWith("Cannot run " + command + ": TARMO_PSEUDONYM_KEY is not the key")
          .message().doesNotContain(KEY, OTHER_KEY, lakeKey.keyCheck());
    }
    assertThat(store.property(Tables.SUPPRESSION_LIST, SuppressionKeys.PROPERTY)).contains(lakeKey.keyCheck());
  }
}
