package io.tarmo.ingest;

import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.StringType;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.StructType;

/**
 * Reads the fields ingest needs from one Segment-Spec event line in a single streaming pass over
 * its UTF-8 bytes, including the known keys of {@code properties} and {@code traits}, whose text
 * is kept exactly as received. Spark's {@code from_json} would decode the line to characters
 * first and parse {@code properties} and {@code traits} a second time from text it rebuilt.
 *
 * <p>Field types follow a string-typed JSON schema: a scalar reads as its text (numbers as
 * written), an object or array as its JSON text; JSON null and absent fields read as null; a
 * repeated key keeps its last value. The line is {@link #MALFORMED} (every other field null) when
 * it is not one JSON object, when {@code context}, {@code context.page} or
 * {@code context.traits} is not an object, or when a consent category preference is not a
 * boolean.
 */
public final class EventJson implements UDF1<byte[], Row>, Serializable {

  private static final long serialVersionUID = 1L;

  public static final String MALFORMED = "malformed";

  /** The top-level string fields, in output order. */
  private static final List<String> TOP = List.of(
      "messageId", "type", "timestamp", "anonymousId", "userId", "previousId", "event", "name", "properties", "traits");
  /** The known keys of properties, read as {@code p_<key>}. */
  private static final List<String> PROPERTIES = List.of(
      "category", "product_id", "order_id", "price", "quantity", "revenue", "total", "url", "path");
  /** The known keys of traits and context.traits. */
  private static final List<String> TRAITS = List.of("email", "phone");
  private static final List<String> CONTEXT = List.of("ip", "userAgent");
  private static final List<String> PAGE = List.of("url", "path", "referrer", "title");

  private static final int CONTEXT_AT = TOP.size();
  private static final int PAGE_AT = CONTEXT_AT + CONTEXT.size();
  private static final int CONTEXT_TRAITS_AT = PAGE_AT + PAGE.size();
  private static final int CONSENT_AT = CONTEXT_TRAITS_AT + TRAITS.size();
  private static final int PROPERTIES_AT = CONSENT_AT + 1;
  private static final int TRAITS_AT = PROPERTIES_AT + PROPERTIES.size();
  private static final int MALFORMED_AT = TRAITS_AT + TRAITS.size();

  /** The struct {@link #call} returns. */
  public static final StructType SCHEMA = schema();

  private final String analyticsCategory;
  private transient JsonFactory factory;

  /** {@code analyticsCategory}: the consent category whose preference is read. */
  public EventJson(String analyticsCategory) {
    this.analyticsCategory = analyticsCategory;
  }

  private static StructType schema() {
    StructType schema = new StructType();
    for (String name : TOP) {
      schema = schema.add(name, StringType);
    }
    for (String name : CONTEXT) {
      schema = schema.add("context_" + name, StringType);
    }
    for (String name : PAGE) {
      schema = schema.add("page_" + name, StringType);
    }
    for (String name : TRAITS) {
      schema = schema.add("context_traits_" + name, StringType);
    }
    schema = schema.add("analytics_preference", BooleanType);
    for (String name : PROPERTIES) {
      schema = schema.add("p_" + name, StringType);
    }
    for (String name : TRAITS) {
      schema = schema.add("t_" + name, StringType);
    }
    return schema.add(MALFORMED, BooleanType, false);
  }

  @Override
  public Row call(byte[] line) {
    if (line == null) {
      return malformed();
    }
    if (factory == null) {
      // As Spark reads JSON by default: single quotes and NaN/Infinity allowed.
      factory = JsonFactory.builder()
          .enable(JsonReadFeature.ALLOW_SINGLE_QUOTES)
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .build();
    }
    Object[] values = new Object[MALFORMED_AT + 1];
    try (JsonParser parser = factory.createParser(line)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return malformed();
      }
      if (!readLine(parser, line, values) || parser.nextToken() != null) {
        return malformed();
      }
    } catch (IOException | RuntimeException e) {
      return malformed();
    }
    values[MALFORMED_AT] = false;
    return new GenericRowWithSchema(values, SCHEMA);
  }

  private static Row malformed() {
    Object[] values = new Object[MALFORMED_AT + 1];
    values[MALFORMED_AT] = true;
    return new GenericRowWithSchema(values, SCHEMA);
  }

  /** The root object's fields, the parser on its START_OBJECT; false when a nested type is wrong. */
  private boolean readLine(JsonParser parser, byte[] line, Object[] values) throws IOException {
    return readObject(parser, (name, value) -> {
      int top = TOP.indexOf(name);
      if (name.equals("context")) {
        return readContext(parser, line, values);
      } else if (top < 0) {
        parser.skipChildren();
      } else if (name.equals("properties")) {
        values[top] = objectText(parser, line, values, PROPERTIES, PROPERTIES_AT);
      } else if (name.equals("traits")) {
        values[top] = objectText(parser, line, values, TRAITS, TRAITS_AT);
      } else {
        values[top] = text(parser, value, line);
      }
      return true;
    });
  }

  private boolean readContext(JsonParser parser, byte[] line, Object[] values) throws IOException {
    clear(values, CONTEXT_AT, CONSENT_AT + 1);
    return readObject(parser, (name, value) -> {
      int at = CONTEXT.indexOf(name);
      if (at >= 0) {
        values[CONTEXT_AT + at] = text(parser, value, line);
        return true;
      }
      return switch (name) {
        case "page" -> readStrings(parser, line, values, PAGE, PAGE_AT);
        case "traits" -> readStrings(parser, line, values, TRAITS, CONTEXT_TRAITS_AT);
        case "consent" -> readConsent(parser, values);
        default -> {
          parser.skipChildren();
          yield true;
        }
      };
    });
  }

  /** context.consent.categoryPreferences: a map of booleans; false if a type is wrong. */
  private boolean readConsent(JsonParser parser, Object[] values) throws IOException {
    values[CONSENT_AT] = null;
    return readObject(parser, (name, value) -> {
      if (!name.equals("categoryPreferences")) {
        parser.skipChildren();
        return true;
      }
      values[CONSENT_AT] = null;
      return readObject(parser, (category, preference) -> {
        if (preference != JsonToken.VALUE_TRUE && preference != JsonToken.VALUE_FALSE
            && preference != JsonToken.VALUE_NULL) {
          return false;
        }
        if (category.equals(analyticsCategory)) {
          values[CONSENT_AT] = preference == JsonToken.VALUE_NULL ? null : preference == JsonToken.VALUE_TRUE;
        }
        return true;
      });
    });
  }

  /**
   * The value at the parser as text, and when it is an object, its keys {@code names} into
   * {@code values[from...]} (cleared otherwise).
   */
  private static String objectText(JsonParser parser, byte[] line, Object[] values, List<String> names, int from)
      throws IOException {
    if (parser.currentToken() != JsonToken.START_OBJECT) {
      clear(values, from, from + names.size());
      return text(parser, parser.currentToken(), line);
    }
    int start = (int) parser.currentTokenLocation().getByteOffset();
    readStrings(parser, line, values, names, from);
    return slice(parser, line, start);
  }

  /** An object's keys {@code names} as text into {@code values[from...]}; false if not an object. */
  private static boolean readStrings(JsonParser parser, byte[] line, Object[] values, List<String> names, int from)
      throws IOException {
    clear(values, from, from + names.size());
    return readObject(parser, (name, value) -> {
      int at = names.indexOf(name);
      if (at >= 0) {
        values[from + at] = text(parser, value, line);
      } else {
        parser.skipChildren();
      }
      return true;
    });
  }

  /** Reads one field of an object: the parser is on the field's value. */
  @FunctionalInterface
  private interface FieldReader {
    /** False when the value has the wrong type, which makes the line malformed. */
    boolean read(String name, JsonToken value) throws IOException;
  }

  /**
   * Each field of the object at the parser, through {@code reader}: true when done, or when the
   * value is JSON null; false when it is not an object or {@code reader} rejects a field.
   */
  private static boolean readObject(JsonParser parser, FieldReader reader) throws IOException {
    JsonToken token = parser.currentToken();
    if (token == JsonToken.VALUE_NULL) {
      return true;
    }
    if (token != JsonToken.START_OBJECT) {
      return false;
    }
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      if (!reader.read(name, parser.nextToken())) {
        return false;
      }
    }
    return true;
  }

  /** A value as a string-typed field reads it: scalars as their text, objects and arrays as JSON. */
  private static String text(JsonParser parser, JsonToken token, byte[] line) throws IOException {
    if (token == JsonToken.VALUE_NULL) {
      return null;
    }
    if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
      int start = (int) parser.currentTokenLocation().getByteOffset();
      parser.skipChildren();
      return slice(parser, line, start);
    }
    return parser.getText();
  }

  /** The line's bytes from {@code start} to the end of the structure the parser just closed. */
  private static String slice(JsonParser parser, byte[] line, int start) {
    int end = (int) parser.currentLocation().getByteOffset();
    return new String(line, start, end - start, StandardCharsets.UTF_8);
  }

  private static void clear(Object[] values, int from, int to) {
    for (int i = from; i < to; i++) {
      values[i] = null;
    }
  }
}
