package io.tarmo.identity;

import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.TableSpec;
import io.tarmo.lake.Tables;
import io.tarmo.subject.Identifiers;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructField;

/** Bronze rows (events, crm_customers) as ingest would have stored them, built in code. */
final class Bronze {

  private final DeltaStore store;
  private final List<Row> events = new ArrayList<>();
  private final List<Row> crm = new ArrayList<>();
  private int messages;

  Bronze(DeltaStore store) {
    this.store = store;
  }

  /** An event of {@code type} at {@code ts} (ISO instant) delivered on {@code day}. */
  Bronze event(LocalDate day, String ts, String type, String anonymousId, String userId) {
    return event(day, ts, type, anonymousId, userId, null, null, null);
  }

  Bronze identify(LocalDate day, String ts, String anonymousId, String userId, String email) {
    return event(day, ts, "identify", anonymousId, userId, null, email, null);
  }

  Bronze alias(LocalDate day, String ts, String previousId, String userId) {
    return event(day, ts, "alias", null, userId, previousId, null, null);
  }

  Bronze event(LocalDate day, String ts, String type, String anonymousId, String userId, String previousId,
      String email, String phone) {
    Instant instant = Instant.parse(ts);
    Map<String, Object> values = new HashMap<>();
    values.put("message_id", "m" + (++messages) + "-" + day);
    values.put("type", type);
    values.put("ts", Timestamp.from(instant));
    values.put("event_date", Date.valueOf(LocalDate.ofInstant(instant, java.time.ZoneOffset.UTC)));
    values.put("anonymous_id", anonymousId);
    values.put("user_id", userId);
    values.put("previous_id", previousId);
    values.put("email", email == null ? null : Identifiers.normalizeEmail(email));
    values.put("phone", phone);
    values.put("traits", email == null ? null : "{\"email\":\"" + email + "\"}");
    values.put("ingest_date", Date.valueOf(day));
    events.add(row(Tables.EVENTS, values));
    return this;
  }

  Bronze customer(LocalDate day, String ts, String customerId, String email, String phone, String loyaltyCard) {
    Map<String, Object> values = new HashMap<>();
    values.put("customer_id", customerId);
    values.put("email", email);
    values.put("phone", phone);
    values.put("loyalty_card_id", loyaltyCard);
    values.put("updated_at", Timestamp.from(Instant.parse(ts)));
    values.put("ingest_date", Date.valueOf(day));
    crm.add(row(Tables.CRM_CUSTOMERS, values));
    return this;
  }

  /** Appends the rows built so far to their tables. */
  void store() {
    store.append(Tables.EVENTS, store.spark().createDataFrame(events, Tables.EVENTS.schema()), "test");
    store.append(Tables.CRM_CUSTOMERS, store.spark().createDataFrame(crm, Tables.CRM_CUSTOMERS.schema()), "test");
    events.clear();
    crm.clear();
  }

  private static Row row(TableSpec table, Map<String, Object> values) {
    StructField[] fields = table.schema().fields();
    Object[] cells = new Object[fields.length];
    for (int i = 0; i < fields.length; i++) {
      cells[i] = values.get(fields[i].name());
    }
    return RowFactory.create(cells);
  }
}
