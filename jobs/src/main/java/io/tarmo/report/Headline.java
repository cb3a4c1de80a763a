package io.tarmo.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarmo.erasure.ErasureJob;
import java.time.LocalDate;
import java.util.function.Predicate;

/**
 * The report day's own figures, taken from the same aggregates as the charts so the two always
 * agree: the night's status and duration, lines read and stored, lines quarantined, customers and
 * merges, members contacted and excluded, open erasure requests and those past their deadline. A
 * figure whose step did not run that day is null (shown as a dash), not 0.
 */
final class Headline {

  private Headline() {}

  static ObjectNode of(ObjectNode data, LocalDate day) {
    Predicate<JsonNode> onDay = JsonRows.is("day", day.toString());
    ObjectNode headline = JsonRows.NODES.objectNode();
    JsonNode night = first((ArrayNode) data.get("steps"), onDay.and(JsonRows.is("command", "nightly")));
    headline.put("night_status", night == null ? null : night.get("status").asText());
    headline.put("night_duration_ms", night == null || night.get("duration_ms").isNull() ? null
        : night.get("duration_ms").asLong());
    ArrayNode volumes = (ArrayNode) data.get("volumes");
    headline.put("events_read", JsonRows.sum(volumes, onDay.and(JsonRows.is("source", "events")), "read"));
    headline.put("events_stored", JsonRows.sum(volumes, onDay.and(JsonRows.is("source", "events")), "stored"));
    headline.put("quarantined", JsonRows.sum(volumes, onDay, "quarantined"));
    headline.put("customers", JsonRows.sum((ArrayNode) data.get("identity"),
        onDay.and(JsonRows.is("metric", "customers")).and(JsonRows.is("label", "")), "value"));
    boolean identity = ran(data, day, "identity");
    boolean activate = ran(data, day, "activate");
    headline.put("merges", orZero(JsonRows.sum((ArrayNode) data.get("merges"), onDay, "merges"), identity));
    headline.put("contacted", orZero(JsonRows.sum((ArrayNode) data.get("activations"), onDay, "members"), activate));
    headline.put("excluded", orZero(JsonRows.sum((ArrayNode) data.get("exclusions"), onDay, "members"), activate));
    Predicate<JsonNode> open = row -> !ErasureJob.Status.CLOSED.contains(row.path("status").asText());
    ArrayNode erasure = (ArrayNode) data.get("erasure");
    boolean logged = data.path("tables").path("erasure_log").asBoolean();
    headline.put("erasure_open", orZero(JsonRows.sum(erasure, open, "requests"), logged));
    headline.put("erasure_past_due", orZero(JsonRows.sum(erasure, open.and(row -> row.path("past_due").asBoolean()),
        "requests"), logged));
    return headline;
  }

  private static JsonNode first(ArrayNode rows, Predicate<JsonNode> where) {
    for (JsonNode row : rows) {
      if (where.test(row)) {
        return row;
      }
    }
    return null;
  }

  /** Whether {@code command} wrote its rows for {@code day}: its latest run succeeded or failed only its gate. */
  private static boolean ran(ObjectNode data, LocalDate day, String command) {
    JsonNode run = first((ArrayNode) data.get("steps"),
        JsonRows.is("day", day.toString()).and(JsonRows.is("command", command)));
    return run != null && ("SUCCEEDED".equals(run.get("status").asText())
        || "QUALITY_FAILED".equals(run.get("status").asText()));
  }

  /**
   * Nothing counted is 0 where the rows would be if there were any (the step ran that day, the
   * erasure log exists), and unknown (null) otherwise.
   */
  private static Long orZero(Long sum, boolean counted) {
    return sum == null && counted ? Long.valueOf(0L) : sum;
  }
}
