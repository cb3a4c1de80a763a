package io.tarmo.segments;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.tarmo.TarmoException;
import io.tarmo.segments.Condition.Measure;
import io.tarmo.segments.Condition.Predicate;
import io.tarmo.segments.Condition.Threshold;
import io.tarmo.segments.Condition.Window;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates the segments file (HOCON, {@code tarmo.segments.file}) into a
 * {@link SegmentCatalog}. Every problem is refused before anything runs (exit 2), naming the
 * definition's id and what is wrong with it. See {@code conf/segments.conf} for the language.
 */
public final class SegmentsLoader {

  /** The longest window a behavioural condition may look back. */
  public static final int MAX_WINDOW_DAYS = 400;

  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
  private static final Pattern PROPERTY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
  private static final Set<String> FILE_KEYS = Set.of("properties", "segments");
  private static final Set<String> SEGMENT_KEYS = Set.of("id", "title", "description", "sensitive", "properties",
      "condition");
  private static final List<String> CONDITION_KINDS = List.of("event", "profile", "all", "any", "not", "sequence");
  private static final Set<String> FILTER_KEYS = Set.of("event", "page", "screen", "where");
  private static final Set<String> MEASURES = Set.of("count", "sum", "distinct");

  private SegmentsLoader() {}

  /** Loads and validates {@code file}. */
  public static SegmentCatalog load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw TarmoException.usage("Cannot load segment definitions: no such file (" + file
          + "; set tarmo.segments.file)");
    }
    Config config;
    try {
      config = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false)).resolve();
    } catch (ConfigException e) {
      throw TarmoException.usage("Cannot load segment definitions: " + e.getMessage(), e);
    }
    return parse(config, file.toString());
  }

  /** Validates already parsed definitions; {@code source} names them in messages. */
  public static SegmentCatalog parse(Config config, String source) {
    return new Reader(source).read(config.root());
  }

  /** Parses HOCON text; for tests and tools. */
  public static SegmentCatalog parse(String hocon, String source) {
    Config config;
    try {
      config = ConfigFactory.parseString(hocon).resolve();
    } catch (ConfigException e) {
      throw TarmoException.usage("Cannot load segment definitions: " + e.getMessage(), e);
    }
    return parse(config, source);
  }

  private static final class Reader {
    private final String source;
    private String segment = null;

    Reader(String source) {
      this.source = source;
    }

    SegmentCatalog read(ConfigObject root) {
      for (String key : root.keySet()) {
        if (!FILE_KEYS.contains(key)) {
          throw fail("unknown key '" + key + "' at the top level (allowed: properties, segments)");
        }
      }
      Map<String, FieldType> shared = root.containsKey("properties")
          ? properties(root.get("properties"), Map.of(), "properties") : Map.of();
      ConfigValue list = root.get("segments");
      if (list == null || list.valueType() != ConfigValueType.LIST) {
        throw fail("'segments' must be a list of definitions");
      }
      List<SegmentDefinition> segments = new ArrayList<>();
      Set<String> ids = new LinkedHashSet<>();
      Map<String, FieldType> all = new LinkedHashMap<>(shared);
      int index = 0;
      for (ConfigValue value : (ConfigList) list) {
        index++;
        segment = "#" + index;
        ConfigObject definition = object(value, "a segment definition");
        String id = string(definition, "id");
        segment = id;
        if (!ID.matcher(id).matches()) {
          throw fail("id must be lower-case letters, digits, '-' or '_', at most 64 characters");
        }
        if (!ids.add(id)) {
          throw fail("duplicate id: another definition above has the same id");
        }
        for (String key : definition.keySet()) {
          if (!SEGMENT_KEYS.contains(key)) {
            throw fail("unknown key '" + key + "' (allowed: " + String.join(", ", SEGMENT_KEYS.stream().sorted().toList()) + ")");
          }
        }
        Map<String, FieldType> properties = definition.containsKey("properties")
            ? properties(definition.get("properties"), shared, "properties") : shared;
        properties.forEach((name, type) -> {
          FieldType earlier = all.putIfAbsent(name, type);
          if (earlier != null && earlier != type) {
            throw fail("property '" + name + "' is declared as " + type.label() + " here and as " + earlier.label()
                + " elsewhere; one property has one type");
          }
        });
        Map<String, Field> eventFields = SegmentFields.eventFields(properties);
        ConfigValue condition = definition.get("condition");
        if (condition == null) {
          throw fail("missing 'condition'");
        }
        Condition parsed = condition(condition, eventFields, "condition");
        String title = definition.containsKey("title") ? string(definition, "title") : id;
        String description = definition.containsKey("description") ? string(definition, "description") : "";
        segments.add(new SegmentDefinition(id, title, description, sensitive(definition), parsed, hash(definition)));
        segment = null;
      }
      if (segments.isEmpty()) {
        throw fail("'segments' holds no definition");
      }
      return new SegmentCatalog(all, segments);
    }

    private boolean sensitive(ConfigObject definition) {
      ConfigValue value = definition.get("sensitive");
      if (value == null) {
        return false;
      }
      if (value.valueType() != ConfigValueType.BOOLEAN) {
        throw fail("'sensitive' must be true or false");
      }
      return (Boolean) value.unwrapped();
    }

    private Map<String, FieldType> properties(ConfigValue value, Map<String, FieldType> inherited, String where) {
      ConfigObject object = object(value, "'" + where + "' (property name = type)");
      Map<String, FieldType> properties = new LinkedHashMap<>(inherited);
      for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
        String name = entry.getKey();
        if (!PROPERTY.matcher(name).matches()) {
          throw fail("event property name '" + name + "' must be a simple name (letters, digits, '_')");
        }
        if (SegmentFields.isEventColumn(name)) {
          throw fail("event property '" + name + "' is a built-in event field; it needs no declaration");
        }
        if (entry.getValue().valueType() != ConfigValueType.STRING) {
          throw fail("event property '" + name + "' needs a type (" + FieldType.propertyTypeNames() + ")");
        }
        String typeName = (String) entry.getValue().unwrapped();
        FieldType type = FieldType.propertyType(typeName).orElseThrow(() -> fail("unknown type '" + typeName
            + "' of event property '" + name + "' (known: " + FieldType.propertyTypeNames() + ")"));
        properties.put(name, type);
      }
      return properties;
    }

    private Condition condition(ConfigValue value, Map<String, Field> eventFields, String path) {
      ConfigObject object = object(value, path + " (a condition: one of " + String.join(", ", CONDITION_KINDS) + ")");
      if (object.size() != 1) {
        throw fail(path + " must hold exactly one condition kind (" + String.join(", ", CONDITION_KINDS)
            + "), found " + (object.isEmpty() ? "none" : String.join(", ", object.keySet())));
      }
      String kind = object.keySet().iterator().next();
      ConfigValue body = object.get(kind);
      String at = path + "." + kind;
      return switch (kind) {
        case "event" -> behaviour(object(body, at), eventFields, at);
        case "profile" -> new Condition.Profile(predicates(object(body, at), SegmentFields.profileFields(), at));
        case "all" -> new Condition.All(conditions(body, eventFields, at));
        case "any" -> new Condition.Any(conditions(body, eventFields, at));
        case "not" -> new Condition.Not(condition(body, eventFields, at));
        case "sequence" -> sequence(object(body, at), eventFields, at);
        default -> throw fail("unknown condition kind '" + kind + "' at " + path + " (known: "
            + String.join(", ", CONDITION_KINDS) + ")");
      };
    }

    private List<Condition> conditions(ConfigValue value, Map<String, Field> eventFields, String path) {
      if (value.valueType() != ConfigValueType.LIST || ((ConfigList) value).isEmpty()) {
        throw fail(path + " must be a non-empty list of conditions");
      }
      List<Condition> conditions = new ArrayList<>();
      int i = 0;
      for (ConfigValue item : (ConfigList) value) {
        conditions.add(condition(item, eventFields, path + "[" + i++ + "]"));
      }
      return conditions;
    }

    private Condition behaviour(ConfigObject body, Map<String, Field> eventFields, String path) {
      Set<String> allowed = new LinkedHashSet<>(FILTER_KEYS);
      allowed.add("within");
      allowed.addAll(MEASURES);
      checkKeys(body, allowed, path);
      List<Predicate> filter = filter(body, eventFields, path);
      Window window = window(body, path);
      List<String> measures = body.keySet().stream().filter(MEASURES::contains).toList();
      if (measures.size() > 1) {
        throw fail(path + " may have one of count, sum, distinct, found " + String.join(", ", measures));
      }
      if (measures.isEmpty()) {
        return new Condition.Behaviour(filter, window, new Measure(Measure.Kind.COUNT, null),
            new Threshold(Comparison.GTE, 1));
      }
      String kind = measures.get(0);
      String at = path + "." + kind;
      ConfigObject measure = object(body.get(kind), at + " (e.g. { gte = 2 })");
      Field of = null;
      if (!kind.equals("count")) {
        String name = string(measure, "of", at);
        of = eventFields.get(name);
        if (of == null) {
          throw fail("unknown field '" + name + "' in " + at + ".of (known: " + String.join(", ", eventFields.keySet()) + ")");
        }
        if (kind.equals("sum") && !of.type().numeric()) {
          throw fail(at + ".of must be a number field; '" + name + "' is " + of.type().label());
        }
      }
      Set<String> thresholdKeys = new LinkedHashSet<>(measure.keySet());
      thresholdKeys.remove("of");
      if (thresholdKeys.size() != 1) {
        throw fail(at + " needs exactly one threshold (" + Comparison.thresholdKeys() + ")");
      }
      String key = thresholdKeys.iterator().next();
      Comparison comparison = Comparison.byKey(key).filter(Comparison::threshold).orElseThrow(() ->
          fail("unknown threshold '" + key + "' in " + at + " (known: " + Comparison.thresholdKeys() + ")"));
      ConfigValue bound = measure.get(key);
      if (bound.valueType() != ConfigValueType.NUMBER) {
        throw fail(at + "." + key + " must be a number");
      }
      return new Condition.Behaviour(filter, window,
          new Measure(Measure.Kind.valueOf(kind.toUpperCase(java.util.Locale.ROOT)), of),
          new Threshold(comparison, ((Number) bound.unwrapped()).doubleValue()));
    }

    private Condition sequence(ConfigObject body, Map<String, Field> eventFields, String path) {
      checkKeys(body, Set.of("did", "then-did-not", "follow-up"), path);
      for (String key : List.of("did", "then-did-not", "follow-up")) {
        if (!body.containsKey(key)) {
          throw fail(path + " needs '" + key + "' (did { ... within = 30d }, then-did-not { ... }, follow-up = 3d)");
        }
      }
      ConfigObject did = object(body.get("did"), path + ".did");
      Set<String> didKeys = new LinkedHashSet<>(FILTER_KEYS);
      didKeys.add("within");
      checkKeys(did, didKeys, path + ".did");
      ConfigObject then = object(body.get("then-did-not"), path + ".then-did-not");
      checkKeys(then, FILTER_KEYS, path + ".then-did-not");
      return new Condition.Sequence(filter(did, eventFields, path + ".did"), window(did, path + ".did"),
          filter(then, eventFields, path + ".then-did-not"), days(body, "follow-up", path));
    }

    private List<Predicate> filter(ConfigObject body, Map<String, Field> eventFields, String path) {
      List<Predicate> filter = new ArrayList<>();
      Field type = eventFields.get("type");
      if (body.containsKey("event")) {
        filter.add(new Predicate(type, Comparison.EQ, List.of("track")));
        filter.add(new Predicate(eventFields.get("event_name"), Comparison.EQ, List.of(string(body, "event", path))));
      }
      if (body.containsKey("page")) {
        filter.add(new Predicate(type, Comparison.EQ, List.of("page")));
        filter.add(new Predicate(eventFields.get("page_path"), Comparison.EQ, List.of(string(body, "page", path))));
      }
      if (body.containsKey("screen")) {
        filter.add(new Predicate(type, Comparison.EQ, List.of("screen")));
        filter.add(new Predicate(eventFields.get("page_name"), Comparison.EQ, List.of(string(body, "screen", path))));
      }
      if (filter.size() > 2) {
        throw fail(path + " may name one of event, page, screen");
      }
      if (body.containsKey("where")) {
        filter.addAll(predicates(object(body.get("where"), path + ".where"), eventFields, path + ".where"));
      }
      return filter;
    }

    private Window window(ConfigObject body, String path) {
      ConfigValue within = body.get("within");
      if (within == null) {
        throw fail(path + " needs a window: within = 30d (the last 30 days up to the business day) or within = this-month");
      }
      if (within.valueType() == ConfigValueType.STRING && "this-month".equals(within.unwrapped())) {
        return new Window(0, true);
      }
      return new Window(days(body, "within", path), false);
    }

    private int days(ConfigObject body, String key, String path) {
      ConfigValue value = body.get(key);
      String text = String.valueOf(value.unwrapped());
      Duration duration;
      try {
        duration = body.toConfig().getDuration(key);
      } catch (ConfigException e) {
        throw fail("bad window '" + text + "' at " + path + "." + key + ": use whole days such as 30d"
            + (key.equals("within") ? " or this-month" : ""));
      }
      if (duration.isNegative() || duration.isZero() || duration.toHours() % 24 != 0
          || duration.toNanos() % Duration.ofHours(1).toNanos() != 0) {
        throw fail("bad window '" + text + "' at " + path + "." + key + ": must be a positive number of whole days");
      }
      long days = duration.toDays();
      if (days > MAX_WINDOW_DAYS) {
        throw fail("bad window '" + text + "' at " + path + "." + key + ": at most " + MAX_WINDOW_DAYS + " days");
      }
      return (int) days;
    }

    private List<Predicate> predicates(ConfigObject body, Map<String, Field> fields, String path) {
      List<Predicate> predicates = new ArrayList<>();
      for (Map.Entry<String, ConfigValue> entry : body.entrySet()) {
        String name = entry.getKey();
        Field field = fields.get(name);
        if (field == null) {
          throw fail("unknown field '" + name + "' in " + path + " (known: " + String.join(", ", fields.keySet())
              + (path.contains("profile") ? "" : "; declare other event properties under properties { name = type }")
              + ")");
        }
        ConfigValue value = entry.getValue();
        String at = path + "." + name;
        if (value.valueType() == ConfigValueType.OBJECT) {
          ConfigObject comparisons = (ConfigObject) value;
          if (comparisons.isEmpty()) {
            throw fail(at + " needs a comparison (" + Comparison.keys() + ")");
          }
          for (Map.Entry<String, ConfigValue> c : comparisons.entrySet()) {
            Comparison comparison = Comparison.byKey(c.getKey()).orElseThrow(() -> fail("unknown comparison '"
                + c.getKey() + "' at " + at + " (known: " + Comparison.keys() + ")"));
            predicates.add(predicate(field, comparison, c.getValue(), at + "." + c.getKey()));
          }
        } else if (value.valueType() == ConfigValueType.LIST) {
          predicates.add(predicate(field, Comparison.IN, value, at));
        } else {
          predicates.add(predicate(field, Comparison.EQ, value, at));
        }
      }
      return predicates;
    }

    private Predicate predicate(Field field, Comparison comparison, ConfigValue value, String at) {
      FieldType type = field.type();
      if (comparison == Comparison.EXISTS) {
        if (value.valueType() != ConfigValueType.BOOLEAN) {
          throw fail(at + " must be true or false");
        }
        return new Predicate(field, comparison, List.of(value.unwrapped()));
      }
      if (comparison.ordering() && !type.ordered()) {
        throw fail(at + ": '" + field.name() + "' is " + type.label() + " and has no order; use eq, ne, in, not-in, "
            + "contains or exists");
      }
      if (comparison == Comparison.CONTAINS) {
        if (type != FieldType.STRING && type != FieldType.STRING_ARRAY) {
          throw fail(at + ": contains needs a text or list field; '" + field.name() + "' is " + type.label());
        }
        return new Predicate(field, comparison, List.of(scalar(FieldType.STRING, value, at)));
      }
      if (type == FieldType.STRING_ARRAY || type == FieldType.TIMESTAMP) {
        throw fail(at + ": '" + field.name() + "' is " + type.label() + "; use " + (type == FieldType.TIMESTAMP
            ? "exists, or a days_since_* trait" : "contains or exists"));
      }
      if (comparison == Comparison.IN || comparison == Comparison.NOT_IN) {
        if (value.valueType() != ConfigValueType.LIST || ((ConfigList) value).isEmpty()) {
          throw fail(at + " must be a non-empty list");
        }
        List<Object> values = new ArrayList<>();
        for (ConfigValue item : (ConfigList) value) {
          values.add(scalar(type, item, at));
        }
        return new Predicate(field, comparison, values);
      }
      return new Predicate(field, comparison, List.of(scalar(type, value, at)));
    }

    private Object scalar(FieldType type, ConfigValue value, String at) {
      Object raw = value.unwrapped();
      switch (type) {
        case STRING -> {
          if (value.valueType() == ConfigValueType.STRING) {
            return raw;
          }
        }
        case LONG, DOUBLE -> {
          if (value.valueType() == ConfigValueType.NUMBER) {
            return ((Number) raw).doubleValue();
          }
        }
        case BOOLEAN -> {
          if (value.valueType() == ConfigValueType.BOOLEAN) {
            return raw;
          }
        }
        case DATE -> {
          if (value.valueType() == ConfigValueType.STRING) {
            try {
              return LocalDate.parse((String) raw);
            } catch (DateTimeParseException e) {
              throw fail(at + " must be a date YYYY-MM-DD, found '" + raw + "'");
            }
          }
        }
        default -> { }
      }
      throw fail(at + " must be a " + (type == FieldType.LONG || type == FieldType.DOUBLE ? "number" : type.label())
          + ", found " + value.valueType().name().toLowerCase(java.util.Locale.ROOT) + " '" + raw + "'");
    }

    private void checkKeys(ConfigObject body, Set<String> allowed, String path) {
      for (String key : body.keySet()) {
        if (!allowed.contains(key)) {
          throw fail("unknown key '" + key + "' in " + path + " (allowed: " + String.join(", ", allowed) + ")");
        }
      }
    }

    private ConfigObject object(ConfigValue value, String what) {
      if (value == null || value.valueType() != ConfigValueType.OBJECT) {
        throw fail(what + " must be an object { ... }");
      }
      return (ConfigObject) value;
    }

    private String string(ConfigObject object, String key) {
      return string(object, key, "the definition");
    }

    private String string(ConfigObject object, String key, String path) {
      ConfigValue value = object.get(key);
      if (value == null || value.valueType() != ConfigValueType.STRING || ((String) value.unwrapped()).isBlank()) {
        throw fail(path + " needs '" + key + "' as non-empty text");
      }
      return ((String) value.unwrapped()).trim();
    }

    private TarmoException fail(String problem) {
      return TarmoException.usage("Cannot load segment definitions: "
          + (segment == null ? "" : "segment " + segment + ": ") + problem + " (" + source + ")");
    }
  }

  private static String hash(ConfigObject definition) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(
          definition.render(ConfigRenderOptions.concise()).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw TarmoException.job("Cannot hash a segment definition: no SHA-256", e);
    }
  }
}
