package io.tarmo.segments;

import io.tarmo.lake.Tables;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.types.StructField;

/**
 * The fields segment conditions may test. Events: the typed, non-personal columns of
 * {@code events}, plus properties the segments file declares. Profiles: the non-personal columns
 * of {@code customer_profiles} and a few traits relative to the business day. Personal columns
 * (emails, names, addresses) are never offered: a segment is about behaviour, not identity.
 */
public final class SegmentFields {

  /** Profile traits computed when segments are evaluated, relative to the business day. */
  public static final Map<String, FieldType> DERIVED_PROFILE_FIELDS = orderedMap(
      "days_since_last_order", FieldType.LONG,
      "days_since_last_seen", FieldType.LONG,
      "days_since_first_seen", FieldType.LONG,
      "known_customer", FieldType.BOOLEAN);

  private static final Set<String> EVENT_COLUMNS = Set.of("type", "event_name", "page_name", "page_path",
      "page_title", "category", "product_id", "order_id", "price", "quantity", "revenue", "event_date");

  private SegmentFields() {}

  /** Event fields by name: the built-in columns and {@code properties} declared in the file. */
  public static Map<String, Field> eventFields(Map<String, FieldType> properties) {
    Map<String, Field> fields = new LinkedHashMap<>();
    for (StructField column : Tables.EVENTS.schema().fields()) {
      if (EVENT_COLUMNS.contains(column.name())) {
        fields.put(column.name(), new Field(column.name(), FieldType.of(column.dataType()).orElseThrow(), false));
      }
    }
    properties.forEach((name, type) -> fields.put(name, new Field(name, type, true)));
    return fields;
  }

  public static boolean isEventColumn(String name) {
    return EVENT_COLUMNS.contains(name);
  }

  /** Profile fields by name. */
  public static Map<String, Field> profileFields() {
    Map<String, Field> fields = new LinkedHashMap<>();
    for (StructField column : Tables.CUSTOMER_PROFILES.schema().fields()) {
      if (!Tables.CUSTOMER_PROFILES.personalColumns().contains(column.name()) && !column.name().equals("customer_key")) {
        FieldType.of(column.dataType()).ifPresent(type -> fields.put(column.name(), new Field(column.name(), type, false)));
      }
    }
    DERIVED_PROFILE_FIELDS.forEach((name, type) -> fields.put(name, new Field(name, type, false)));
    return fields;
  }

  private static Map<String, FieldType> orderedMap(Object... pairs) {
    Map<String, FieldType> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put((String) pairs[i], (FieldType) pairs[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(map);
  }
}
