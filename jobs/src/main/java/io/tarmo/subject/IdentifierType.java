package io.tarmo.subject;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The identifier types of the identity graph (CONTRACT 3.4), by their names in the tables. */
public enum IdentifierType {
  CUSTOMER_ID("customer_id"),
  LOYALTY_CARD_ID("loyalty_card_id"),
  EMAIL("email"),
  PHONE("phone"),
  ANONYMOUS_ID("anonymous_id");

  private final String key;

  IdentifierType(String key) {
    this.key = key;
  }

  /** The name used in tables and configuration, e.g. {@code customer_id}. */
  public String key() {
    return key;
  }

  public static Optional<IdentifierType> byName(String name) {
    return Arrays.stream(values()).filter(type -> type.key.equals(name)).findFirst();
  }

  /** All names separated by {@code |}, for messages. */
  public static String names() {
    return Arrays.stream(values()).map(IdentifierType::key).collect(Collectors.joining("|"));
  }
}
