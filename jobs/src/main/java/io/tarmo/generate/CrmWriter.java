package io.tarmo.generate;

import java.time.LocalDate;
import java.util.SplittableRandom;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes one day's CRM extract, {@code crm.csv} (CONTRACT 3.2): a header, then one RFC 4180 row
 * per new or changed customer, with messy contact values, blank optional fields, and malformed
 * rows at {@link MessRates#MALFORMED} (one of each kind forced on days with enough rows).
 */
final class CrmWriter implements AutoCloseable {

  static final String FILE_NAME = "crm.csv";
  static final String HEADER = "customer_id,email,phone,first_name,last_name,birth_date,street,postal_code,city,"
      + "country,loyalty_card_id,created_at,updated_at";
  static final int COLUMNS = 13;

  /** The malformed kinds of CRM rows. */
  enum Kind { WRONG_COLUMN_COUNT, UNCLOSED_QUOTE, EMPTY_CUSTOMER_ID, UNPARSEABLE_UPDATED_AT }

  private final LandingFile file;
  private final SplittableRandom random;
  private final StringBuilder sb = new StringBuilder(256);
  private long rows;
  private long malformed;
  private int nextForced;

  CrmWriter(FileSystem fs, String folder, long dayHash) {
    this.file = new LandingFile(fs, new Path(folder, FILE_NAME), false);
    this.random = new SplittableRandom(dayHash);
    file.line(HEADER);
  }

  void row(Customer c) {
    String[] f = fields(c);
    file.line(join(f));
    rows++;
    Kind[] kinds = Kind.values();
    if (nextForced < kinds.length && rows >= MessRates.CRM_FORCED_MALFORMED_FROM
        && (rows - MessRates.CRM_FORCED_MALFORMED_FROM) % MessRates.SMALL_FORCED_MALFORMED_EVERY == 0) {
      malformed(kinds[nextForced++], f);
    } else if (random.nextDouble() < MessRates.MALFORMED) {
      malformed(kinds[random.nextInt(kinds.length)], f);
    }
  }

  private String[] fields(Customer c) {
    String phone = c.phone().isEmpty() ? "" : Population.messyPhone(c.phone(), random.nextLong());
    LocalDate birth = c.birthDate();
    return new String[] {
        c.customerId(),
        blankOr(Population.messyEmail(c.email(), random.nextLong())),
        blankOr(phone),
        c.firstName(),
        c.lastName(),
        birth == null ? "" : blankOr(birth.toString()),
        blankOr(c.street()),
        blankOr(c.postalCode()),
        blankOr(c.city()),
        c.country(),
        c.loyaltyCardId(),
        Text.instant(c.createdMillis()),
        Text.instant(c.updatedMillis())};
  }

  private String blankOr(String value) {
    return random.nextDouble() < MessRates.CRM_BLANK_FIELD ? "" : value;
  }

  private void malformed(Kind kind, String[] clean) {
    String[] f = clean.clone();
    String line = switch (kind) {
      case WRONG_COLUMN_COUNT -> join(f) + ",unexpected";
      case UNCLOSED_QUOTE -> {
        String joined = join(f);
        int cut = joined.indexOf(',', joined.indexOf(',') + 1);
        yield joined.substring(0, cut + 1) + "\"" + joined.substring(cut + 1).replace("\"", "");
      }
      case EMPTY_CUSTOMER_ID -> {
        f[0] = "";
        yield join(f);
      }
      case UNPARSEABLE_UPDATED_AT -> {
        f[12] = "31.02.2024 25:61";
        yield join(f);
      }
    };
    file.line(line);
    malformed++;
  }

  private String join(String[] f) {
    sb.setLength(0);
    for (int k = 0; k < f.length; k++) {
      if (k > 0) {
        sb.append(',');
      }
      appendField(sb, f[k]);
    }
    return sb.toString();
  }

  /** RFC 4180: quote a field that holds a comma, a quote or a line break; double inner quotes. */
  static void appendField(StringBuilder sb, String value) {
    boolean quote = false;
    for (int k = 0; k < value.length() && !quote; k++) {
      char c = value.charAt(k);
      quote = c == ',' || c == '"' || c == '\n' || c == '\r';
    }
    if (!quote) {
      sb.append(value);
      return;
    }
    sb.append('"');
    for (int k = 0; k < value.length(); k++) {
      char c = value.charAt(k);
      if (c == '"') {
        sb.append('"');
      }
      sb.append(c);
    }
    sb.append('"');
  }

  /** Data lines written, without the header, malformed rows included. */
  long lines() {
    return rows + malformed;
  }

  long malformed() {
    return malformed;
  }

  @Override
  public void close() {
    file.close();
  }
}
