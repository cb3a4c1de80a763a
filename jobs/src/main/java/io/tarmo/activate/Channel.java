package io.tarmo.activate;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The channels a customer can be contacted on (CONTRACT 3.3 without {@code all}, which the consent
 * run expands), each with the name of its address column in the export files.
 */
public enum Channel {
  /** The golden email of the profile. */
  EMAIL("email", "email"),
  /** The E.164 phone of the profile, for text messages. */
  SMS("sms", "phone"),
  /** The app device of the customer's latest app screen event. */
  PUSH("push", "device_id"),
  /** The E.164 phone of the profile, for calls. */
  PHONE("phone", "phone"),
  /** Each anonymous_id (cookie or device) of the customer, for on-site messages and ad audiences. */
  WEB("web", "anonymous_id");

  private final String key;
  private final String addressColumn;

  Channel(String key, String addressColumn) {
    this.key = key;
    this.addressColumn = addressColumn;
  }

  /** The name used in tables, configuration and export paths, e.g. {@code sms}. */
  public String key() {
    return key;
  }

  /** The header of the address column in this channel's export files. */
  public String addressColumn() {
    return addressColumn;
  }

  public static Optional<Channel> byName(String name) {
    String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(channel -> channel.key.equals(key)).findFirst();
  }

  /** All names separated by {@code |}, for messages. */
  public static String names() {
    return Arrays.stream(values()).map(Channel::key).collect(Collectors.joining("|"));
  }
}
