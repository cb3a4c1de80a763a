package io.tarmo.sql;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Prints a query result as csv (RFC 4180, header row), JSON lines, or an aligned text table. */
public final class ResultPrinter {

  /** Output formats of {@code tarmo sql}. */
  public enum Format {
    csv,
    json,
    table
  }

  private final PrintWriter out;
  private final Format format;
  private final int tableLimit;

  public ResultPrinter(PrintWriter out, Format format, int tableLimit) {
    this.out = out;
    this.format = format;
    this.tableLimit = tableLimit;
  }

  public void print(Dataset<Row> result) {
    switch (format) {
      case csv -> printCsv(result);
      case json -> result.toJSON().toLocalIterator().forEachRemaining(out::println);
      case table -> printTable(result);
    }
    out.flush();
  }

  private void printCsv(Dataset<Row> result) {
    out.println(csvLine(List.of(result.columns())));
    Iterator<Row> rows = result.toLocalIterator();
    while (rows.hasNext()) {
      out.println(csvLine(cells(rows.next())));
    }
  }

  static String csvLine(List<String> cells) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        line.append(',');
      }
      String cell = cells.get(i);
      if (cell == null) {
        continue;
      }
      if (cell.isEmpty() || cell.contains(",") || cell.contains("\"") || cell.contains("\n") || cell.contains("\r")) {
        line.append('"').append(cell.replace("\"", "\"\"")).append('"');
      } else {
        line.append(cell);
      }
    }
    return line.toString();
  }

  private void printTable(Dataset<Row> result) {
    List<String> header = List.of(result.columns());
    List<Row> collected = result.limit(tableLimit + 1).collectAsList();
    List<List<String>> rows = new ArrayList<>();
    for (Row row : collected.subList(0, Math.min(collected.size(), tableLimit))) {
      List<String> cells = new ArrayList<>();
      for (String cell : cells(row)) {
        cells.add(cell == null ? "NULL" : cell);
      }
      rows.add(cells);
    }
    int[] widths = new int[header.size()];
    for (int i = 0; i < header.size(); i++) {
      widths[i] = header.get(i).length();
      for (List<String> row : rows) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    out.println(tableLine(header, widths));
    StringBuilder rule = new StringBuilder();
    for (int width : widths) {
      rule.append(rule.length() == 0 ? "" : "-+-").append("-".repeat(width));
    }
    out.println(rule);
    rows.forEach(row -> out.println(tableLine(row, widths)));
    out.println("(" + rows.size() + (collected.size() > tableLimit ? "+ rows, cut at --limit)" : " rows)"));
  }

  private static String tableLine(List<String> cells, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      line.append(i == 0 ? "" : " | ").append(String.format(java.util.Locale.ROOT, "%-" + Math.max(1, widths[i]) + "s", cells.get(i)));
    }
    return line.toString().stripTrailing();
  }

  private static List<String> cells(Row row) {
    List<String> cells = new ArrayList<>(row.size());
    for (int i = 0; i < row.size(); i++) {
      cells.add(row.isNullAt(i) ? null : String.valueOf(row.get(i)));
    }
    return cells;
  }
}
