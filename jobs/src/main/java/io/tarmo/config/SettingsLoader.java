package io.tarmo.config;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.tarmo.TarmoException;
import io.tarmo.activate.ActivationSettings;
import io.tarmo.activate.Channel;
import io.tarmo.config.TarmoSettings.SparkSettings;
import io.tarmo.identity.IdentitySettings;
import io.tarmo.ingest.IngestSettings;
import io.tarmo.ingest.IpPolicy;
import io.tarmo.ingest.PrivacySettings;
import io.tarmo.retention.RetentionSettings;
import io.tarmo.segments.SegmentSettings;
import io.tarmo.subject.IdentifierType;
import io.tarmo.subject.Identifiers;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Period;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads the HOCON configuration once, at the edge: the built-in {@code reference.conf}, an
 * optional overlay file over it, and validation of every key into {@link TarmoSettings}.
 * Unknown keys under {@code tarmo} and invalid values are refused with the key's name.
 */
public final class SettingsLoader {

  /** Subtrees whose keys are free-form and passed on as they are. */
  private static final Set<String> FREE_FORM = Set.of("tarmo.spark.conf", "tarmo.retention.tables",
      "tarmo.retention.folders");

  private SettingsLoader() {}

  /** Loads the built-in defaults with {@code overlay} (may be null) layered over them. */
  public static TarmoSettings load(Path overlay) {
    Config reference = ConfigFactory.parseResources(
        SettingsLoader.class.getClassLoader(), "reference.conf",
        ConfigParseOptions.defaults().setAllowMissing(false));
    Config user = ConfigFactory.empty();
    if (overlay != null) {
      if (!Files.isRegularFile(overlay)) {
        throw TarmoException.usage("Cannot read configuration: no such file (" + overlay + ")");
      }
      try {
        user = ConfigFactory.parseFile(overlay.toFile(),
            ConfigParseOptions.defaults().setAllowMissing(false));
      } catch (ConfigException e) {
        throw TarmoException.usage("Cannot read configuration: " + e.getMessage(), e);
      }
    }
    return fromConfig(user, reference);
  }

  /** Validates {@code user} layered over {@code reference}; visible for tests. */
  static TarmoSettings fromConfig(Config user, Config reference) {
    rejectUnknownKeys(user, reference);
    Config config;
    try {
      // System properties only fill substitutions such as ${java.io.tmpdir}; none becomes a Tarmo key.
      config = user.withFallback(reference)
          .withFallback(ConfigFactory.systemProperties().withoutPath("tarmo"))
          .resolve();
    } catch (ConfigException e) {
      throw TarmoException.usage("Cannot read configuration: " + e.getMessage(), e);
    }
    return read(config, user.hasPath("tarmo.lake.root"));
  }

  private static void rejectUnknownKeys(Config user, Config reference) {
    if (!user.hasPath("tarmo")) {
      return;
    }
    Set<String> unknown = new TreeSet<>();
    for (Map.Entry<String, ConfigValue> entry : user.getConfig("tarmo").entrySet()) {
      String key = "tarmo." + entry.getKey();
      if (FREE_FORM.stream().noneMatch(prefix -> key.startsWith(prefix + "."))
          && !reference.hasPathOrNull(key)) {
        unknown.add(key);
      }
    }
    if (!unknown.isEmpty()) {
      throw TarmoException.usage(
          "Cannot start: unknown configuration key " + String.join(", ", unknown));
    }
  }

  private static TarmoSettings read(Config config, boolean lakeRootGiven) {
    String lakeRoot = string(config, "tarmo.lake.root");
    SparkSettings spark = new SparkSettings(
        string(config, "tarmo.spark.master"),
        intIn(config, "tarmo.spark.shuffle-partitions", 1, 100_000),
        localFolder(config, "tarmo.spark.local-dir"),
        sparkConf(config));
    IngestSettings ingest = new IngestSettings(
        intIn(config, "tarmo.ingest.max-line-chars", 256, 64 * 1024 * 1024),
        intIn(config, "tarmo.ingest.max-event-age-days", 1, 36_500),
        duration(config, "tarmo.ingest.max-clock-skew"),
        phoneRegion(config, "tarmo.ingest.default-phone-region"),
        ratio(config, "tarmo.ingest.quarantine-max-ratio"),
        intIn(config, "tarmo.ingest.quarantine-min-lines", 1, Integer.MAX_VALUE));
    PrivacySettings privacy = new PrivacySettings(
        enumValue(config, "tarmo.privacy.ip-policy", IpPolicy.class),
        string(config, "tarmo.privacy.analytics-category"));
    return new TarmoSettings(lakeRoot, lakeRootGiven, spark, ingest, privacy, identity(config),
        new SegmentSettings(segmentsFile(string(config, "tarmo.segments.file"))), activation(config),
        retention(config));
  }

  /**
   * {@code tarmo.retention}: a period for every aged class, overrides for aged tables and folders by
   * name (anything else is refused, naming the key), the VACUUM retention and the nightly switch.
   */
  private static RetentionSettings retention(Config config) {
    Map<String, Period> classes = new LinkedHashMap<>();
    for (String name : RetentionSettings.agedClasses()) {
      String key = "tarmo.retention.classes." + name;
      classes.put(name, period(key, valueAt(config, key)));
    }
    Map<String, Period> tables = periodsByName(config, "tarmo.retention.tables", RetentionSettings.agedTables(),
        "a table retention ages");
    Map<String, Period> folders = periodsByName(config, "tarmo.retention.folders", RetentionSettings.agedFolders(),
        "a folder retention ages");
    String nightlyKey = "tarmo.retention.nightly";
    boolean nightly;
    try {
      nightly = config.getBoolean(nightlyKey);
    } catch (ConfigException e) {
      throw invalid(nightlyKey, "must be true or false", e);
    }
    return new RetentionSettings(nightly, duration(config, "tarmo.retention.vacuum-retention"), classes, tables,
        folders);
  }

  private static ConfigValue valueAt(Config config, String key) {
    try {
      return config.getValue(key);
    } catch (ConfigException e) {
      throw invalid(key, "must be a period such as 30d, 13 months or 2y", e);
    }
  }

  /** The entries of the object at {@code key}, each named in {@code allowed} and a period. */
  private static Map<String, Period> periodsByName(Config config, String key, List<String> allowed, String what) {
    ConfigObject object;
    try {
      object = config.getObject(key);
    } catch (ConfigException e) {
      throw invalid(key, "must be an object of periods by name", e);
    }
    Map<String, Period> periods = new java.util.TreeMap<>();
    for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
      String name = entry.getKey();
      String at = key + "." + (name.matches("[A-Za-z0-9_/.-]{1,64}") ? name : "<an unreadable name>");
      if (!allowed.contains(name)) {
        throw invalid(at, "must name " + what + " (" + String.join(", ", allowed) + ")", "");
      }
      periods.put(name, period(at, entry.getValue()));
    }
    return periods;
  }

  /** A whole number of days, weeks, months or years, from one day up to a hundred years. */
  private static Period period(String key, ConfigValue value) {
    Period period;
    try {
      period = ConfigFactory.empty().withValue("v", value).getPeriod("v");
    } catch (ConfigException e) {
      throw invalid(key, "must be a period such as 30d, 13 months or 2y", e);
    }
    long days = period.toTotalMonths() * 31 + period.getDays();
    if (period.isNegative() || period.getDays() < 0 || period.toTotalMonths() < 0 || days < 1 || days > 36_500) {
      throw invalid(key, "must be between 1 day and 100 years", period.toString());
    }
    return period;
  }

  /**
   * {@code tarmo.activation}: channels by name, audiences as {@code { segment, channels }} objects.
   * Whether each segment exists is checked by {@code activate}, which reads the segments file.
   */
  private static ActivationSettings activation(Config config) {
    String channelsKey = "tarmo.activation.legitimate-interest-channels";
    Set<Channel> legitimateInterest = new java.util.LinkedHashSet<>();
    for (String name : stringList(config, channelsKey)) {
      legitimateInterest.add(channel(channelsKey, name));
    }
    String audiencesKey = "tarmo.activation.audiences";
    ConfigList list;
    try {
      list = config.getList(audiencesKey);
    } catch (ConfigException e) {
      throw invalid(audiencesKey, "must be a list of { segment = id, channels = [...] }", e);
    }
    List<ActivationSettings.Audience> audiences = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String at = audiencesKey + "[" + i + "]";
      if (list.get(i).valueType() != ConfigValueType.OBJECT) {
        throw invalid(at, "must be an object { segment = id, channels = [...] }", "");
      }
      ConfigObject object = (ConfigObject) list.get(i);
      for (String key : object.keySet()) {
        if (!key.equals("segment") && !key.equals("channels")) {
          throw TarmoException.usage("Cannot start: unknown configuration key " + at + "." + key);
        }
      }
      Config audience = object.toConfig();
      String segment = string(audience, "segment", at + ".segment");
      List<String> names;
      try {
        names = audience.getStringList("channels");
      } catch (ConfigException e) {
        throw invalid(at + ".channels", "must be a non-empty list of channels (" + Channel.names() + ")", e);
      }
      if (names.isEmpty()) {
        throw invalid(at + ".channels", "must be a non-empty list of channels (" + Channel.names() + ")", "");
      }
      List<Channel> channels = names.stream().map(name -> channel(at + ".channels", name)).distinct().toList();
      audiences.add(new ActivationSettings.Audience(segment, channels));
    }
    return new ActivationSettings(legitimateInterest, audiences);
  }

  private static Channel channel(String key, String name) {
    return Channel.byName(name)
        .orElseThrow(() -> invalid(key, "must list channels (" + Channel.names() + ")", unknownChannel(name)));
  }

  /** An unknown channel is quoted when it looks like a name, so a pasted address is never echoed. */
  private static String unknownChannel(String name) {
    String trimmed = name.trim();
    return trimmed.matches("[A-Za-z0-9_-]{1,32}") ? "unknown channel " + trimmed : "an unknown channel";
  }

  private static String string(Config config, String path, String key) {
    try {
      String value = config.getString(path).trim();
      if (value.isEmpty()) {
        throw invalid(key, "must not be empty", "");
      }
      return value;
    } catch (ConfigException e) {
      throw invalid(key, "must be a string", e);
    }
  }

  /**
   * A relative segments file is looked up in the working directory, then under {@code TARMO_HOME}
   * (the launcher sets it), so {@code bin/tarmo} finds {@code conf/segments.conf} from anywhere.
   * Whether it exists is checked by the command that reads it.
   */
  private static Path segmentsFile(String value) {
    Path path = Path.of(value);
    String home = System.getenv("TARMO_HOME");
    if (!path.isAbsolute() && !Files.isRegularFile(path) && home != null && Files.isRegularFile(Path.of(home).resolve(path))) {
      return Path.of(home).resolve(path);
    }
    return path;
  }

  private static IdentitySettings identity(Config config) {
    String priorityKey = "tarmo.identity.priority";
    List<IdentifierType> priority = new ArrayList<>();
    for (String name : stringList(config, priorityKey)) {
      IdentifierType type = IdentifierType.byName(name.trim().toLowerCase(Locale.ROOT))
          .orElseThrow(() -> invalid(priorityKey, "must list identifier types (" + IdentifierType.names() + ")", name));
      priority.add(type);
    }
    if (priority.size() != IdentifierType.values().length || Set.copyOf(priority).size() != priority.size()) {
      throw invalid(priorityKey, "must list each identifier type once (" + IdentifierType.names() + ")", "");
    }
    if (priority.get(0) != IdentifierType.CUSTOMER_ID) {
      throw invalid(priorityKey, "must start with customer_id, the anchor of a customer", priority.get(0).key());
    }
    Map<IdentifierType, Integer> limits = new EnumMap<>(IdentifierType.class);
    for (IdentifierType type : IdentifierType.values()) {
      String key = "tarmo.identity.max-per-customer." + type.key();
      if (type != IdentifierType.CUSTOMER_ID) {
        limits.put(type, intIn(config, key, 1, 1_000_000));
      }
    }
    List<String> patterns = stringList(config, "tarmo.identity.blocked-patterns");
    for (String pattern : patterns) {
      try {
        Pattern.compile(pattern);
      } catch (PatternSyntaxException e) {
        throw invalid("tarmo.identity.blocked-patterns", "must hold Java regular expressions", pattern);
      }
    }
    List<String> values = stringList(config, "tarmo.identity.blocked-values").stream()
        .map(value -> value.trim().toLowerCase(Locale.ROOT))
        .toList();
    return new IdentitySettings(priority, limits, values, patterns,
        intIn(config, "tarmo.identity.max-identifier-length", 8, Identifiers.MAX_LENGTH),
        intIn(config, "tarmo.identity.max-component-size", 2, Integer.MAX_VALUE),
        intIn(config, "tarmo.identity.driver-links", 0, Integer.MAX_VALUE));
  }

  private static List<String> stringList(Config config, String key) {
    try {
      return config.getStringList(key);
    } catch (ConfigException e) {
      throw invalid(key, "must be a list of strings", e);
    }
  }

  private static String string(Config config, String key) {
    try {
      String value = config.getString(key).trim();
      if (value.isEmpty()) {
        throw invalid(key, "must not be empty", "");
      }
      return value;
    } catch (ConfigException e) {
      throw invalid(key, "must be a string", e);
    }
  }

  private static int intIn(Config config, String key, int min, int max) {
    int value;
    try {
      value = config.getInt(key);
    } catch (ConfigException e) {
      throw invalid(key, "must be a whole number", e);
    }
    if (value < min || value > max) {
      throw invalid(key, "must be between " + min + " and " + max, String.valueOf(value));
    }
    return value;
  }

  private static double ratio(Config config, String key) {
    double value;
    try {
      value = config.getDouble(key);
    } catch (ConfigException e) {
      throw invalid(key, "must be a number", e);
    }
    if (!(value >= 0.0 && value <= 1.0)) {
      throw invalid(key, "must be between 0.0 and 1.0", String.valueOf(value));
    }
    return value;
  }

  private static Duration duration(Config config, String key) {
    try {
      Duration value = config.getDuration(key);
      if (value.isNegative()) {
        throw invalid(key, "must not be negative", value.toString());
      }
      return value;
    } catch (ConfigException e) {
      throw invalid(key, "must be a duration such as 1d or 12h", e);
    }
  }

  private static String phoneRegion(Config config, String key) {
    String region = string(config, key).toUpperCase(Locale.ROOT);
    if (!PhoneNumberUtil.getInstance().getSupportedRegions().contains(region)) {
      throw invalid(key, "must be an ISO 3166 region code with a phone numbering plan", region);
    }
    return region;
  }

  private static <E extends Enum<E>> E enumValue(Config config, String key, Class<E> type) {
    String value = string(config, key);
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      StringBuilder allowed = new StringBuilder();
      for (E constant : type.getEnumConstants()) {
        allowed.append(allowed.length() == 0 ? "" : "|")
            .append(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'));
      }
      throw invalid(key, "must be one of " + allowed, value);
    }
  }

  /**
   * A folder on the local disk, made absolute: not a URI of another file system, and one folder,
   * not Spark's comma-separated list.
   */
  private static Path localFolder(Config config, String key) {
    String value = string(config, key);
    if (value.contains(",") || value.matches("^[A-Za-z][A-Za-z0-9+.-]+:.*")) {
      throw invalid(key, "must be one folder on the local disk", value);
    }
    try {
      return Path.of(value).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw invalid(key, "must be one folder on the local disk", value);
    }
  }

  /** {@code tarmo.spark.conf}, which may not move Spark's scratch files away from {@code tarmo.spark.local-dir}. */
  private static Map<String, String> sparkConf(Config config) {
    Map<String, String> conf = freeForm(config, "tarmo.spark.conf");
    if (conf.containsKey("spark.local.dir")) {
      throw invalid("tarmo.spark.conf.\"spark.local.dir\"", "is not allowed: set tarmo.spark.local-dir, the folder "
          + "Tarmo clears of Spark's scratch files", "");
    }
    return conf;
  }

  private static Map<String, String> freeForm(Config config, String key) {
    Map<String, String> values = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigValue> entry : config.getConfig(key).entrySet()) {
      ConfigValue value = entry.getValue();
      if (value.valueType() == ConfigValueType.OBJECT || value.valueType() == ConfigValueType.LIST) {
        throw invalid(key + "." + entry.getKey(), "must be a plain value", "");
      }
      values.put(stripQuotes(entry.getKey()), String.valueOf(value.unwrapped()));
    }
    return values;
  }

  private static String stripQuotes(String path) {
    return path.startsWith("\"") && path.endsWith("\"") ? path.substring(1, path.length() - 1) : path;
  }

  private static TarmoException invalid(String key, String why, ConfigException cause) {
    return TarmoException.usage("Cannot start: configuration key " + key + " " + why, cause);
  }

  private static TarmoException invalid(String key, String why, String value) {
    return TarmoException.usage(
        "Cannot start: configuration key " + key + " " + why + (value.isEmpty() ? "" : " (" + value + ")"));
  }
}
