package io.tarmo.dsar;

import io.tarmo.lake.ErasureWork;
import io.tarmo.lake.Tables;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The readable part of an access request ({@code summary.md}): the identifiers held, the golden
 * profile, segments with their titles per day, the consent history, activation by channel, erasure
 * and suppression status, and what the folder holds. Built from what the export found, with no I/O,
 * so it says nothing the exported rows do not.
 */
public final class DsarSummary {

  /** The file name in the export folder. */
  public static final String FILE = "summary.md";

  private DsarSummary() {}

  /**
   * What the summary is built from.
   *
   * @param requestedType the identifier type the request named
   * @param preparedAt when the export was made
   * @param subject the subject as resolved (keys, identifiers, which are shared)
   * @param rows the exported rows by table, each row by column in table order
   * @param rowsByTable rows per table searched, in catalogue order
   * @param linesByFolder file records per folder searched, in catalogue order
   * @param titles segment titles by {@code as_of_date/segment_id}
   * @param erasure lines on erasure and suppression, readable, without identifiers
   */
  public record Findings(String requestedType, Instant preparedAt, ErasureWork.Subject subject,
      Map<String, List<Map<String, Object>>> rows, Map<String, Long> rowsByTable, Map<String, Long> linesByFolder,
      Map<String, String> titles, List<String> erasure) {}

  /** The file name of a table's rows in the export folder. */
  public static String tableFile(String table) {
    return "tables/" + table + ".json";
  }

  /** The file name of a folder's records in the export folder. */
  public static String folderFile(String folder) {
    return "files/" + folder.replace('/', '_') + ".jsonl";
  }

  public static String markdown(Findings findings) {
    List<String> out = new ArrayList<>();
    boolean known = findings.rowsByTable().values().stream().anyMatch(rows -> rows > 0)
        || findings.linesByFolder().values().stream().anyMatch(lines -> lines > 0);
    out.add("# Access request (GDPR Art. 15)");
    out.add("");
    out.add("Subject requested by `" + findings.requestedType() + "`; prepared " + findings.preparedAt() + " (UTC).");
    out.add("");
    if (!known) {
      out.add("**The lake holds no data about this subject.** No table row and no landing or export file mentions "
          + "the identifier in any form, and the identity graph does not know it. The folders `tables/` and "
          + "`files/` are therefore absent.");
      out.add("");
    } else if (findings.subject().keys().isEmpty()) {
      out.add("The identity graph does not know this identifier: no customer profile is linked to it. The records "
          + "below mention it.");
      out.add("");
    }
    identifiers(out, findings);
    if (known) {
      profile(out, findings.rows().getOrDefault(Tables.CUSTOMER_PROFILES.name(), List.of()));
      segments(out, findings.rows().getOrDefault(Tables.SEGMENT_MEMBERSHIP.name(), List.of()), findings.titles());
      consent(out, findings.rows().getOrDefault(Tables.CONSENT_EVENTS.name(), List.of()),
          findings.rows().getOrDefault(Tables.CONSENT_STATE.name(), List.of()));
      activation(out, findings.rows().getOrDefault(Tables.ACTIVATION.name(), List.of()));
    }
    out.add("## Erasure and suppression");
    out.add("");
    findings.erasure().forEach(line -> out.add("- " + line));
    out.add("");
    contents(out, findings);
    return String.join("\n", out) + "\n";
  }

  private static void identifiers(List<String> out, Findings findings) {
    out.add("## Identifiers held");
    out.add("");
    ErasureWork.Subject subject = findings.subject();
    if (!subject.keys().isEmpty()) {
      out.add("Customer key(s): " + subject.keys().stream().sorted().map(String::valueOf)
          .collect(Collectors.joining(", ")) + " (internal numbers; keys merged into the current one included).");
      out.add("");
    }
    out.add("| type | value | note |");
    out.add("| --- | --- | --- |");
    // Subjects lists the requested identifier first.
    ErasureWork.Identifier requested = subject.identifiers().isEmpty() ? null : subject.identifiers().get(0);
    for (ErasureWork.Identifier identifier : subject.identifiers().stream()
        .sorted(Comparator.comparing(ErasureWork.Identifier::type).thenComparing(ErasureWork.Identifier::value))
        .toList()) {
      String note = identifier.shared()
          ? "also linked to another customer: records found only through it are not included"
          : identifier.equals(requested) ? "the identifier of the request" : "";
      out.add(row(identifier.type(), identifier.value(), note));
    }
    out.add("");
  }

  private static void profile(List<String> out, List<Map<String, Object>> profiles) {
    out.add("## Profile (`customer_profiles`)");
    out.add("");
    if (profiles.isEmpty()) {
      out.add("No profile has been computed for this subject.");
      out.add("");
      return;
    }
    for (Map<String, Object> profile : profiles) {
      out.add("| field | value |");
      out.add("| --- | --- |");
      profile.forEach((column, value) -> {
        if (value != null) {
          out.add(row(column, text(value)));
        }
      });
      out.add("");
    }
  }

  private static void segments(List<String> out, List<Map<String, Object>> memberships, Map<String, String> titles) {
    out.add("## Segments (`segment_membership`)");
    out.add("");
    if (memberships.isEmpty()) {
      out.add("The subject was not a member of any segment.");
      out.add("");
      return;
    }
    Map<String, List<String>> byDay = new TreeMap<>();
    for (Map<String, Object> membership : memberships) {
      String day = text(membership.get("as_of_date"));
      String segment = text(membership.get("segment_id"));
      String title = titles.get(day + "/" + segment);
      byDay.computeIfAbsent(day, d -> new ArrayList<>())
          .add(title == null || title.isBlank() ? "`" + segment + "`" : title + " (`" + segment + "`)");
    }
    out.add("| day | segments |");
    out.add("| --- | --- |");
    byDay.forEach((day, segments) -> out.add(row(day, segments.stream().sorted().collect(Collectors.joining("; ")))));
    out.add("");
  }

  private static void consent(List<String> out, List<Map<String, Object>> ledger, List<Map<String, Object>> state) {
    out.add("## Consent");
    out.add("");
    out.add("### Decisions recorded (`consent_events`)");
    out.add("");
    if (ledger.isEmpty()) {
      out.add("None recorded.");
    } else {
      table(out, sorted(ledger, "ts", "consent_id"), List.of("ts", "purpose", "channel", "status", "legal_basis",
          "expires_at", "source", "subject_type", "consent_id"));
    }
    out.add("");
    out.add("### Consent state as intervals (`consent_state`)");
    out.add("");
    if (state.isEmpty()) {
      out.add("None derived.");
    } else {
      table(out, sorted(state, "purpose", "channel", "valid_from"), List.of("purpose", "channel", "status",
          "legal_basis", "valid_from", "valid_to", "consent_id"));
    }
    out.add("");
  }

  private static void activation(List<String> out, List<Map<String, Object>> activations) {
    out.add("## Activation by channel (`activation`)");
    out.add("");
    if (activations.isEmpty()) {
      out.add("The subject was never selected for a marketing channel.");
      out.add("");
      return;
    }
    Map<String, List<Map<String, Object>>> byChannel = new TreeMap<>();
    activations.forEach(row -> byChannel.computeIfAbsent(text(row.get("channel")), c -> new ArrayList<>()).add(row));
    byChannel.forEach((channel, rows) -> {
      out.add("### " + channel);
      out.add("");
      table(out, sorted(rows, "as_of_date", "segment_id", "address"),
          List.of("as_of_date", "segment_id", "address", "legal_basis", "consent_id"));
      out.add("");
    });
  }

  private static void contents(List<String> out, Findings findings) {
    out.add("## What this folder holds");
    out.add("");
    out.add("Every row of every table found about the subject, all columns, as JSON lines (a customer key of "
        + "someone else in a row, such as the other customer of an identity decision, is left out as null); and "
        + "every line of the landing and export files that mentions the subject, with its file and line number.");
    out.add("");
    out.add("| table or folder | rows or lines | file |");
    out.add("| --- | --- | --- |");
    findings.rowsByTable().forEach((table, rows) ->
        out.add(row("table `" + table + "`", String.valueOf(rows), rows > 0 ? tableFile(table) : "")));
    findings.linesByFolder().forEach((folder, lines) ->
        out.add(row("folder `" + folder + "`", String.valueOf(lines), lines > 0 ? folderFile(folder) : "")));
    out.add("");
  }

  private static List<Map<String, Object>> sorted(Collection<Map<String, Object>> rows, String... columns) {
    Comparator<Map<String, Object>> order = Comparator.comparing(row -> text(row.get(columns[0])));
    for (int i = 1; i < columns.length; i++) {
      String column = columns[i];
      order = order.thenComparing(row -> text(row.get(column)));
    }
    return rows.stream().sorted(order).toList();
  }

  private static void table(List<String> out, List<Map<String, Object>> rows, List<String> columns) {
    out.add(row(columns.toArray(String[]::new)));
    out.add(row(columns.stream().map(column -> "---").toArray(String[]::new)));
    for (Map<String, Object> values : rows) {
      out.add(row(columns.stream().map(column -> text(values.get(column))).toArray(String[]::new)));
    }
  }

  private static String row(String... cells) {
    Map<Integer, String> escaped = new LinkedHashMap<>();
    for (int i = 0; i < cells.length; i++) {
      escaped.put(i, cells[i] == null ? "" : cells[i].replace("|", "\\|").replace("\n", " "));
    }
    return "| " + String.join(" | ", escaped.values()) + " |";
  }

  /** A value as text: timestamps in UTC ISO-8601, lists joined, null as empty. */
  static String text(Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof Timestamp timestamp) {
      return timestamp.toInstant().toString();
    }
    if (value instanceof Collection<?> values) {
      return values.stream().map(DsarSummary::text).collect(Collectors.joining(", "));
    }
    return value.toString();
  }
}
