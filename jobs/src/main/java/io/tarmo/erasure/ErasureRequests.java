package io.tarmo.erasure;

import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import io.tarmo.TarmoException;
import io.tarmo.subject.IdentifierType;
import io.tarmo.subject.Identifiers;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Erasure requests (CONTRACT 3.4): CSV with the header
 * {@code request_id,subject_type,subject_value,received_at}, validated and normalised as ingest
 * normalises identifiers, so an email in capitals and padded with spaces finds the stored one.
 * An invalid request is rejected with a reason that never quotes the identifier.
 */
public final class ErasureRequests {

  /** The header a request file must start with. */
  public static final List<String> HEADER = List.of("request_id", "subject_type", "subject_value", "received_at");

  /** GDPR Art. 12(3): a request is answered within one month; Tarmo counts 30 days. */
  public static final Duration DEADLINE = Duration.ofDays(30);

  /** What a request id may look like: it is shown on the console and stored in clear. */
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

  private ErasureRequests() {}

  /**
   * A valid request.
   *
   * @param requestId its id
   * @param type the identifier type
   * @param value the identifier, normalised
   * @param raw the identifier as received, trimmed
   * @param receivedAt when it was received
   */
  public record Request(String requestId, IdentifierType type, String value, String raw, Instant receivedAt) {
    public Instant dueAt() {
      return receivedAt.plus(DEADLINE);
    }
  }

  /** An invalid request: its id (or where it stood, when the id is unusable) and why. */
  public record Rejection(String requestId, String reason, Instant receivedAt) {}

  /** The requests of one or more files. */
  public record Batch(List<Request> requests, List<Rejection> rejections) {
    public Batch {
      requests = List.copyOf(requests);
      rejections = List.copyOf(rejections);
    }
  }

  /**
   * Parses the lines of request files, by file name; a file whose first line is not the header is
   * refused as a whole (exit 2). A request id given twice with the same subject is one request;
   * with different subjects, or also on a rejected line, every line of it is rejected.
   */
  public static Batch parse(Map<String, List<String>> files, String phoneRegion) {
    Map<String, List<Object>> byId = new LinkedHashMap<>();
    List<Rejection> rejections = new ArrayList<>();
    CsvParser parser = new CsvParser(settings());
    for (Map.Entry<String, List<String>> file : files.entrySet()) {
      String name = file.getKey().substring(file.getKey().lastIndexOf('/') + 1);
      List<String> lines = file.getValue();
      if (lines.isEmpty() || !header(parser.parseLine(lines.get(0)))) {
        throw TarmoException.usage("Cannot read erasure requests " + name + ": the first line must be the header "
            + String.join(",", HEADER));
      }
      for (int i = 1; i < lines.size(); i++) {
        if (lines.get(i).isBlank()) {
          continue;
        }
        Object parsed = parse(parser.parseLine(lines.get(i)), name, i + 1, phoneRegion);
        if (parsed instanceof Rejection rejection) {
          rejections.add(rejection);
        } else {
          Request request = (Request) parsed;
          byId.computeIfAbsent(request.requestId(), id -> new ArrayList<>()).add(request);
        }
      }
    }
    // An id also given on a rejected line is not erased under that id either: which line is meant?
    java.util.Set<String> rejectedIds = new java.util.HashSet<>();
    rejections.forEach(rejection -> rejectedIds.add(rejection.requestId()));
    List<Request> requests = new ArrayList<>();
    for (Map.Entry<String, List<Object>> entry : byId.entrySet()) {
      Request first = (Request) entry.getValue().get(0);
      boolean same = entry.getValue().stream().map(Request.class::cast)
          .allMatch(other -> other.type() == first.type() && other.value().equals(first.value()));
      if (rejectedIds.contains(entry.getKey())) {
        rejections.add(new Rejection(entry.getKey(), "duplicate request_id: also given on a line that was rejected; "
            + "send the request again, corrected, on one line", first.receivedAt()));
      } else if (same) {
        requests.add(first);
      } else {
        rejections.add(new Rejection(entry.getKey(), "duplicate request_id: given " + entry.getValue().size()
            + " times with different subjects", first.receivedAt()));
      }
    }
    return new Batch(requests, rejections);
  }

  /**
   * One request from its parts (an access request names its subject on the command line), validated
   * and normalised exactly as a line of a request file; an invalid one is refused with exit 2 and a
   * reason that never quotes the value.
   */
  public static Request request(String requestId, String type, String value, Instant receivedAt,
      String phoneRegion) {
    Object parsed = parse(new String[] {requestId, type, value, receivedAt.toString()}, "the request", 1,
        phoneRegion);
    if (parsed instanceof Rejection rejection) {
      throw TarmoException.usage("Cannot read the subject: " + rejection.reason());
    }
    return (Request) parsed;
  }

  /**
   * Whether a line of a request file names no usable request id (a wrong number of fields, an
   * invalid id): such a line is rejected by its place in the file ("line N of F"), and erasure
   * removes it from the pending files with the finished requests, since the request id cannot.
   * The header and blank lines are usable.
   */
  public static boolean unusable(String line) {
    if (line == null || line.isBlank()) {
      return false;
    }
    return unusableBecause(new CsvParser(settings()).parseLine(line)) != null;
  }

  /** Why a parsed line names no usable request id (its fields, its id); null when it names one. */
  private static String unusableBecause(String[] fields) {
    if (fields == null || fields.length != HEADER.size()) {
      return "expected 4 fields (" + String.join(",", HEADER) + ")";
    }
    if (!REQUEST_ID.matcher(fields[0] == null ? "" : fields[0].strip()).matches()) {
      return "invalid request_id: 1 to 128 letters, digits, '.', '_', ':' or '-'";
    }
    return null;
  }

  private static boolean header(String[] fields) {
    if (fields == null || fields.length != HEADER.size()) {
      return false;
    }
    for (int i = 0; i < fields.length; i++) {
      if (fields[i] == null || !fields[i].strip().replace("\uFEFF", "").equalsIgnoreCase(HEADER.get(i))) {
        return false;
      }
    }
    return true;
  }

  private static Object parse(String[] fields, String file, int line, String phoneRegion) {
    String unusable = unusableBecause(fields);
    if (unusable != null) {
      return new Rejection("line " + line + " of " + file, unusable, null);
    }
    String requestId = fields[0].strip();
    Optional<Instant> receivedAt = instant(fields[3]);
    if (receivedAt.isEmpty()) {
      return new Rejection(requestId, "invalid received_at: an ISO-8601 date or timestamp with zone", null);
    }
    Optional<IdentifierType> type = IdentifierType.byName(fields[1] == null ? "" : fields[1].strip());
    if (type.isEmpty()) {
      return new Rejection(requestId, "unknown subject_type (expected " + IdentifierType.names() + ")",
          receivedAt.get());
    }
    String raw = fields[2] == null ? "" : fields[2].strip();
    if (raw.isEmpty()) {
      return new Rejection(requestId, "empty subject_value", receivedAt.get());
    }
    String value = switch (type.get()) {
      case EMAIL -> Identifiers.normalizeEmail(raw);
      case PHONE -> Identifiers.normalizePhone(raw, phoneRegion);
      default -> Identifiers.normalizeId(raw);
    };
    if (value == null) {
      return new Rejection(requestId, "invalid subject_value: not a valid " + type.get().key(), receivedAt.get());
    }
    return new Request(requestId, type.get(), value, raw, receivedAt.get());
  }

  private static Optional<Instant> instant(String value) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    String text = value.strip();
    try {
      return Optional.of(OffsetDateTime.parse(text).toInstant());
    } catch (DateTimeParseException notATimestamp) {
      try {
        return Optional.of(LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant());
      } catch (DateTimeParseException notADate) {
        return Optional.empty();
      }
    }
  }

  private static CsvParserSettings settings() {
    CsvParserSettings settings = new CsvParserSettings();
    settings.setHeaderExtractionEnabled(false);
    settings.setNullValue("");
    settings.setEmptyValue("");
    settings.trimValues(false);
    settings.getFormat().setLineSeparator("\n");
    return settings;
  }
}
