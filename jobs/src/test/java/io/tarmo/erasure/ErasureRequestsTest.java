package io.tarmo.erasure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarmo.TarmoException;
import io.tarmo.subject.IdentifierType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ErasureRequestsTest {

  private static final String HEADER = "request_id,subject_type,subject_value,received_at";

  private static ErasureRequests.Batch parse(String... lines) {
    List<String> all = new java.util.ArrayList<>(List.of(HEADER));
    all.addAll(List.of(lines));
    return ErasureRequests.parse(Map.of("file:/lake/landing/erasure/r.csv", all), "DE");
  }

  @Test
  void normalisesEachIdentifierAsIngestDoes() {
    ErasureRequests.Batch batch = parse(
        "R1,email,\"  Anna@Example.DE \",2026-11-30",
        "R2,phone,0151 23456789,2026-11-30T14:05:00+01:00",
        "R3,customer_id, C1 ,2026-11-30",
        "R4,anonymous_id,ck-1,2026-11-30",
        "R5,loyalty_card_id,LC1,2026-11-30");
    assertThat(batch.rejections()).isEmpty();
    assertThat(batch.requests()).extracting(r -> r.requestId() + " " + r.type().key() + " " + r.value())
        .containsExactly("R1 email anna@example.de", "R2 phone +4915123456789", "R3 customer_id C1",
            "R4 anonymous_id ck-1", "R5 loyalty_card_id LC1");
    assertThat(batch.requests().get(1).receivedAt()).isEqualTo(Instant.parse("2026-11-30T13:05:00Z"));
    assertThat(batch.requests().get(0).dueAt()).isEqualTo(Instant.parse("2026-12-30T00:00:00Z"));
    assertThat(batch.requests().get(0).type()).isEqualTo(IdentifierType.EMAIL);
  }

  @Test
  void rejectsBadRequestsWithReasonsThatNeverQuoteTheValue() {
    ErasureRequests.Batch batch = parse(
        "R1,passport,X123,2026-11-30",
        "R2,email,,2026-11-30",
        "R3,email,not-an-address@,2026-11-30",
        "R4,phone,12,2026-11-30",
        "R5,email,anna@example.de,yesterday",
        "bad id!,email,anna@example.de,2026-11-30",
        "R6,email,anna@example.de,2026-11-30",
        "R6,email,bob@example.de,2026-11-30",
        "R7,email,same@example.de,2026-11-30",
        "R7,email,SAME@example.de,2026-11-30",
        "R8,email,anna@example.de,2026-11-30",
        "R8,email,not-an-address,2026-11-30");
    assertThat(batch.rejections()).extracting(r -> r.requestId() + ": " + r.reason()).containsExactly(
        "R1: unknown subject_type (expected customer_id|loyalty_card_id|email|phone|anonymous_id)",
        "R2: empty subject_value",
        "R3: invalid subject_value: not a valid email",
        "R4: invalid subject_value: not a valid phone",
        "R5: invalid received_at: an ISO-8601 date or timestamp with zone",
        "line 7 of r.csv: invalid request_id: 1 to 128 letters, digits, '.', '_', ':' or '-'",
        "R8: invalid subject_value: not a valid email",
        "R6: duplicate request_id: given 2 times with different subjects",
        "R8: duplicate request_id: also given on a line that was rejected; send the request again, corrected, on "
            + "one line");
    assertThat(batch.requests()).extracting(ErasureRequests.Request::requestId).containsExactly("R7");
    assertThat(batch.rejections().toString()).doesNotContain("X123", "not-an-address", "anna@", "bob@");
  }

  @Test
  void aFileWithoutTheHeaderIsRefusedAsAWhole() {
    assertThatThrownBy(() -> ErasureRequests.parse(Map.of("x/r.csv", List.of("R1,email,anna@example.de,2026-11-30")),
        "DE")).isInstanceOf(TarmoException.class)
        .hasMessage("Cannot read erasure requests r.csv: the first line must be the header " + HEADER);
  }
}
