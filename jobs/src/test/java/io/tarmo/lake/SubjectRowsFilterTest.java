package io.tarmo.lake;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.subject.IdentifierType;
import io.tarmo.subject.SubjectSet;
import io.tarmo.subject.ValueMatcher;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which lines of a folder's files are about a subject: what erasure rewrites and an access request exports. */
class SubjectRowsFilterTest {

  private static final SubjectSet ANNA = new SubjectSet(List.of(12L), Map.of(IdentifierType.EMAIL,
      Set.of("anna@example.de")), ValueMatcher.of(List.of(new ValueMatcher.Value(IdentifierType.EMAIL,
      "anna@example.de", null)), "DE"));

  @Test
  void anExportLineIsAboutTheSubjectByItsLeadingKeyOrByText() {
    LakeFiles.RecordFilter exports = SubjectRows.filter(Tables.folder(ExportFiles.FOLDER), ANNA);

    assertThat(exports.drop("12,dev-7f3a")).isTrue();
    assertThat(exports.drop("7,ANNA@example.de")).isTrue();
    assertThat(exports.drop("120,dev-9c1e")).isFalse();
    assertThat(exports.drop("7,hanna@example.de")).isFalse();
    assertThat(exports.drop("99999999999999999999,x")).as("not a key").isFalse();
    assertThat(exports.drop("customer_key,email")).isFalse();
  }

  @Test
  void aLandingLineIsAboutTheSubjectByTextOnly() {
    LakeFiles.RecordFilter events = SubjectRows.filter(Tables.folder("landing/events"), ANNA);

    assertThat(events.drop("{\"traits\":{\"email\":\"Anna@Example.de\"}}")).isTrue();
    assertThat(events.drop("12,whatever")).as("a landing line has no customer_key").isFalse();
  }
}
