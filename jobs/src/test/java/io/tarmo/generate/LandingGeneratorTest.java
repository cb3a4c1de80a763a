package io.tarmo.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarmo.lake.Lake;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LandingGeneratorTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final LocalDate END = LocalDate.of(2024, 5, 10);
  private static final Set<String> TYPES = Set.of("track", "page", "screen", "identify", "alias", "group");

  @TempDir static Path shared;
  private static GenerationResult sharedResult;

  @BeforeAll
  static void generateShared() {
    sharedResult = generate(shared, 5_000, 5, 42);
  }

  private static GenerationResult generate(Path root, long customers, int days, long seed) {
    return new LandingGenerator(new GeneratorSettings(END, days, customers, seed), Lake.at(root.toString()),
        new Configuration()).run();
  }

  @Test
  void sameSettingsGiveSameBytesAndAnotherSeedDifferentBytes(@TempDir Path a, @TempDir Path b, @TempDir Path c)
      throws IOException {
    generate(a, 1_000, 2, 7);
    generate(b, 1_000, 2, 7);
    generate(c, 1_000, 2, 8);
    Map<String, byte[]> first = files(a);
    Map<String, byte[]> second = files(b);
    assertThat(first.keySet()).isEqualTo(second.keySet()).isNotEmpty();
    first.forEach((name, bytes) -> assertThat(second.get(name)).as(name).isEqualTo(bytes));
    byte[] otherEvents = files(c).get("landing/events/dt=2024-05-10/events-00000.json.gz");
    assertThat(otherEvents).isNotEqualTo(first.get("landing/events/dt=2024-05-10/events-00000.json.gz"));
  }

  @Test
  void rerunReplacesTheFilesOfTheDayWithIdenticalBytes(@TempDir Path root) throws IOException {
    generate(root, 1_000, 1, 3);
    Map<String, byte[]> first = files(root);
    generate(root, 1_000, 1, 3);
    Map<String, byte[]> second = files(root);
    assertThat(second.keySet()).isEqualTo(first.keySet());
    first.forEach((name, bytes) -> assertThat(second.get(name)).as(name).isEqualTo(bytes));
  }

  @Test
  void everyEventLineThatIsNotMalformedFollowsTheContract() throws IOException {
    long malformed = 0;
    long valid = 0;
    for (LocalDate day = END.minusDays(4); !day.isAfter(END); day = day.plusDays(1)) {
      for (byte[] raw : eventLines(day)) {
        JsonNode event = parseOrNull(raw);
        if (event == null || !isValidEvent(event, day)) {
          malformed++;
          continue;
        }
        valid++;
        String type = event.get("type").asText();
        if (type.equals("track")) {
          assertThat(event.path("event").asText()).isNotBlank();
        }
        if (type.equals("alias")) {
          assertThat(event.path("previousId").asText()).isNotBlank();
          assertThat(event.path("userId").asText()).startsWith("C");
        }
        if (event.has("userId")) {
          assertThat(event.get("userId").asText()).matches("C\\d{10}");
        }
        assertThat(event.path("context").path("consent").path("categoryPreferences").has("analytics")).isTrue();
      }
    }
    assertThat(malformed).isEqualTo(sharedResult.counts().get("events.malformed"));
    assertThat(valid + malformed).isEqualTo(sharedResult.counts().get("events.lines"));
  }

  @Test
  void everyMalformedKindAppearsOnASmallDay() throws IOException {
    List<byte[]> lines = eventLines(END);
    assertThat(lines.size()).isGreaterThan(2_000);
    Set<String> kinds = new HashSet<>();
    for (byte[] raw : lines) {
      String kind = malformedKind(raw);
      if (kind != null) {
        kinds.add(kind);
      }
    }
    assertThat(kinds).contains("invalid-json", "invalid-utf8", "missing-messageId", "missing-timestamp",
        "missing-ids", "unparseable-timestamp", "timestamp-without-zone", "absurd-timestamp", "unknown-type",
        "timestamp-not-a-string");

    List<String> crm = lines(shared.resolve("landing/crm/dt=" + END.minusDays(4) + "/crm.csv"));
    assertThat(crm).anyMatch(l -> l.startsWith(","));
    assertThat(crm).anyMatch(l -> l.endsWith(",unexpected"));
    assertThat(crm).anyMatch(l -> l.contains("31.02.2024 25:61"));
    assertThat(crm).anyMatch(l -> l.chars().filter(ch -> ch == '"').count() % 2 == 1);

    List<String> consent = lines(shared.resolve("landing/consent/dt=" + END.minusDays(4) + "/consent.json"));
    assertThat(consent).anyMatch(l -> parseOrNull(l.getBytes(StandardCharsets.UTF_8)) == null);
    assertThat(consent).anyMatch(l -> l.contains("\"status\":\"maybe\""));
    assertThat(consent).anyMatch(l -> !l.contains("subject_value") && parseOrNull(l.getBytes(StandardCharsets.UTF_8)) != null);
  }

  @Test
  void countsEqualTheLinesOnDisk() throws IOException {
    long events = 0;
    long crm = 0;
    long consent = 0;
    for (LocalDate day = END.minusDays(4); !day.isAfter(END); day = day.plusDays(1)) {
      events += eventLines(day).size();
      crm += lines(shared.resolve("landing/crm/dt=" + day + "/crm.csv")).size() - 1;
      consent += lines(shared.resolve("landing/consent/dt=" + day + "/consent.json")).size();
    }
    Map<String, Long> counts = sharedResult.counts();
    assertThat(counts.get("events.lines")).isEqualTo(events);
    assertThat(counts.get("crm.lines")).isEqualTo(crm);
    assertThat(counts.get("consent.lines")).isEqualTo(consent);
    assertThat(counts.get("days")).isEqualTo(5);
    assertThat(counts.get("customers")).isEqualTo(5_000);
    assertThat(counts.get("events.duplicates")).isPositive();
    assertThat(counts.get("crm.malformed")).isPositive();
    assertThat(counts.get("consent.malformed")).isPositive();
    assertThat(sharedResult.summary()).doesNotContain("@");
  }

  @Test
  void crmHasTheContractHeaderAndThirteenColumns() throws IOException {
    for (LocalDate day = END.minusDays(4); !day.isAfter(END); day = day.plusDays(1)) {
      List<String> crm = lines(shared.resolve("landing/crm/dt=" + day + "/crm.csv"));
      assertThat(crm.get(0)).isEqualTo("customer_id,email,phone,first_name,last_name,birth_date,street,"
          + "postal_code,city,country,loyalty_card_id,created_at,updated_at");
      long wellFormed = crm.stream().skip(1).filter(l -> csvColumns(l) == 13 && !l.startsWith(",")).count();
      assertThat(wellFormed).isGreaterThan((crm.size() - 1) * 9 / 10);
    }
    List<String> first = lines(shared.resolve("landing/crm/dt=" + END.minusDays(4) + "/crm.csv"));
    assertThat(first.size() - 1).isGreaterThan(4_900);
    List<String> later = lines(shared.resolve("landing/crm/dt=" + END + "/crm.csv"));
    assertThat(later.size() - 1).isBetween(5, 200);
  }

  @Test
  void duplicatesAreRepeatedWithinADayAndReSentTheNextDay() throws IOException {
    Map<String, Integer> firstSeen = new HashMap<>();
    boolean sameDay = false;
    boolean nextDay = false;
    for (int d = 4; d >= 0; d--) {
      LocalDate day = END.minusDays(d);
      Set<String> today = new HashSet<>();
      for (byte[] raw : eventLines(day)) {
        JsonNode event = parseOrNull(raw);
        if (event == null || !event.hasNonNull("messageId")) {
          continue;
        }
        String id = event.get("messageId").asText();
        if (!today.add(id)) {
          sameDay = true;
        }
        Integer seen = firstSeen.putIfAbsent(id, d);
        if (seen != null && seen == d + 1) {
          nextDay = true;
        }
      }
    }
    assertThat(sameDay).isTrue();
    assertThat(nextDay).isTrue();
  }

  @Test
  void bothStoriesAreTold() throws IOException {
    Set<String> avocadoViewers = new HashSet<>();
    long avocadoPages = 0;
    long financeReads = 0;
    long appointments = 0;
    for (LocalDate day = END.minusDays(4); !day.isAfter(END); day = day.plusDays(1)) {
      for (byte[] raw : eventLines(day)) {
        JsonNode e = parseOrNull(raw);
        if (e == null) {
          continue;
        }
        if ("Product Viewed".equals(e.path("event").asText())
            && "sku-avo-organic".equals(e.path("properties").path("product_id").asText())) {
          avocadoViewers.add(e.path("anonymousId").asText());
        }
        if ("page".equals(e.path("type").asText())
            && "/p/organic-avocados".equals(e.path("properties").path("path").asText())) {
          avocadoPages++;
        }
        if ("Interest-rate caps".equals(e.path("name").asText())
            && "/finance/interest-rate-caps".equals(e.path("context").path("page").path("path").asText())
            && "finance".equals(e.path("properties").path("category").asText())) {
          financeReads++;
        }
        if ("Appointment Booked".equals(e.path("event").asText())
            && "interest-rate-caps".equals(e.path("properties").path("topic").asText())) {
          appointments++;
        }
      }
    }
    assertThat(avocadoViewers).hasSizeGreaterThan(50);
    assertThat(avocadoPages).isPositive();
    assertThat(financeReads).isPositive();
    assertThat(appointments).isPositive();
  }

  @Test
  void consentLinesFollowTheContract() throws IOException {
    Set<String> ids = new HashSet<>();
    Set<String> sources = new HashSet<>();
    Set<String> channels = new HashSet<>();
    Set<String> statuses = new HashSet<>();
    Set<String> subjects = new HashSet<>();
    Set<String> legitimateInterestChannels = new HashSet<>();
    long records = 0;
    long expiringWithinTheDays = 0;
    OffsetDateTime first = END.minusDays(4).atStartOfDay().atOffset(java.time.ZoneOffset.UTC);
    OffsetDateTime after = END.plusDays(1).atStartOfDay().atOffset(java.time.ZoneOffset.UTC);
    for (LocalDate day = END.minusDays(4); !day.isAfter(END); day = day.plusDays(1)) {
      for (String line : lines(shared.resolve("landing/consent/dt=" + day + "/consent.json"))) {
        JsonNode c = parseOrNull(line.getBytes(StandardCharsets.UTF_8));
        if (c == null || !c.has("subject_value") || "maybe".equals(c.path("status").asText())) {
          continue;
        }
        assertThat(ids.add(c.get("consent_id").asText())).isTrue();
        assertThat(c.get("subject_type").asText()).isIn("customer_id", "email", "phone", "anonymous_id");
        assertThat(c.get("purpose").asText()).isIn("marketing", "profiling", "analytics", "personalization");
        assertThat(c.get("status").asText()).isIn("granted", "denied", "withdrawn");
        assertThat(c.get("legal_basis").asText()).isIn("consent", "legitimate_interest", "contract");
        OffsetDateTime.parse(c.get("ts").asText());
        sources.add(c.get("source").asText());
        channels.add(c.get("channel").asText());
        statuses.add(c.get("status").asText());
        subjects.add(c.get("subject_type").asText());
        if (c.get("legal_basis").asText().equals("legitimate_interest")) {
          legitimateInterestChannels.add(c.get("channel").asText());
        }
        if (c.has("expires_at")) {
          OffsetDateTime expires = OffsetDateTime.parse(c.get("expires_at").asText());
          expiringWithinTheDays += !expires.isBefore(first) && expires.isBefore(after) ? 1 : 0;
        }
        records++;
      }
    }
    assertThat(sources).contains("cmp", "crm", "web_form", "call_center");
    assertThat(channels).contains("email", "sms", "push", "phone", "web", "all");
    assertThat(statuses).containsExactlyInAnyOrder("granted", "denied", "withdrawn");
    assertThat(subjects).containsExactlyInAnyOrder("customer_id", "email", "phone", "anonymous_id");
    assertThat(legitimateInterestChannels).as("legitimate interest on several channels").contains("email", "phone");
    assertThat(expiringWithinTheDays).as("grants that lapse within the generated days").isPositive();
    assertThat(records).as("about three records per customer").isBetween(5_000L * 2, 5_000L * 5);
  }

  @Test
  void twentyThousandCustomersForTwoDaysHaveOneOversizedLinePerDay(@TempDir Path root) throws IOException {
    // How long this takes is LandingGeneratorBenchmark's question (bench/generate.sh), not a test's.
    GenerationResult result = generate(root, 20_000, 2, 11);
    assertThat(result.counts().get("events.lines")).isBetween(30_000L, 50_000L);
    for (LocalDate day : List.of(END.minusDays(1), END)) {
      assertThat(eventLines(root, day).stream().filter(l -> l.length > 70_000).count()).isEqualTo(1);
    }
  }

  @Test
  void aTinyPopulationStillWritesEveryFile(@TempDir Path root) {
    GenerationResult result = generate(root, 1, 3, 5);
    assertThat(result.counts().get("crm.lines")).isEqualTo(1);
    for (LocalDate day = END.minusDays(2); !day.isAfter(END); day = day.plusDays(1)) {
      assertThat(root.resolve("landing/events/dt=" + day + "/events-00000.json.gz")).exists();
      assertThat(root.resolve("landing/crm/dt=" + day + "/crm.csv")).exists();
      assertThat(root.resolve("landing/consent/dt=" + day + "/consent.json")).exists();
    }
  }

  private static boolean isValidEvent(JsonNode e, LocalDate day) {
    if (!e.path("messageId").isTextual() || !e.path("timestamp").isTextual() || !TYPES.contains(e.path("type").asText())) {
      return false;
    }
    if (!e.hasNonNull("anonymousId") && !e.hasNonNull("userId")) {
      return false;
    }
    try {
      OffsetDateTime ts = OffsetDateTime.parse(e.get("timestamp").asText());
      long age = day.toEpochDay() - ts.toInstant().atOffset(java.time.ZoneOffset.UTC).toLocalDate().toEpochDay();
      // late sessions are up to 3 days old; re-sent the next day, up to 4
      return age >= 0 && age <= 4;
    } catch (java.time.format.DateTimeParseException ex) {
      return false;
    }
  }

  private static String malformedKind(byte[] raw) {
    String text = new String(raw, StandardCharsets.UTF_8);
    if (text.contains("\uFFFD")) {
      return "invalid-utf8";
    }
    JsonNode e = parseOrNull(raw);
    if (e == null) {
      return "invalid-json";
    }
    if (!e.has("messageId")) {
      return "missing-messageId";
    }
    if (!e.has("timestamp")) {
      return "missing-timestamp";
    }
    if (!e.has("anonymousId") && !e.has("userId")) {
      return "missing-ids";
    }
    if (!TYPES.contains(e.path("type").asText())) {
      return "unknown-type";
    }
    if (!e.get("timestamp").isTextual()) {
      return "timestamp-not-a-string";
    }
    String ts = e.get("timestamp").asText();
    if (ts.equals("yesterday")) {
      return "unparseable-timestamp";
    }
    if (ts.startsWith("1970") || ts.startsWith("2099")) {
      return "absurd-timestamp";
    }
    if (ts.length() == 23) {
      return "timestamp-without-zone";
    }
    return null;
  }

  private static JsonNode parseOrNull(byte[] raw) {
    try {
      return JSON.readTree(raw);
    } catch (IOException e) {
      return null;
    }
  }

  private static int csvColumns(String line) {
    int columns = 1;
    boolean quoted = false;
    for (char c : line.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        columns++;
      }
    }
    return quoted ? -1 : columns;
  }

  private static List<byte[]> eventLines(LocalDate day) throws IOException {
    return eventLines(shared, day);
  }

  private static List<byte[]> eventLines(Path root, LocalDate day) throws IOException {
    List<byte[]> lines = new ArrayList<>();
    Path folder = root.resolve("landing/events/dt=" + day);
    try (Stream<Path> files = Files.list(folder)) {
      for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".json.gz")).sorted().toList()) {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
          byte[] all = in.readAllBytes();
          int start = 0;
          for (int k = 0; k < all.length; k++) {
            if (all[k] == '\n') {
              byte[] line = new byte[k - start];
              System.arraycopy(all, start, line, 0, line.length);
              lines.add(line);
              start = k + 1;
            }
          }
        }
      }
    }
    return lines;
  }

  private static List<String> lines(Path file) throws IOException {
    return Files.readAllLines(file, StandardCharsets.UTF_8);
  }

  private static Map<String, byte[]> files(Path root) throws IOException {
    Map<String, byte[]> out = new HashMap<>();
    try (Stream<Path> walk = Files.walk(root.resolve("landing"))) {
      for (Path p : walk.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
          .toList()) {
        out.put(root.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    return out;
  }
}
