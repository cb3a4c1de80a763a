package io.tarmo.generate;

/**
 * Every rate of behaviour and of mess in the generated landing data, in one place. The table in
 * {@code docs/generator.md} documents each one: what it is, its rate, and why it is there.
 */
public final class MessRates {

  private MessRates() {
  }

  // Volume
  /** Mean probability that a customer visits on a given day (before the activity multiplier). */
  public static final double CUSTOMER_VISIT = 0.074;
  /** Anonymous prospects (never log in) per customer. */
  public static final double PROSPECTS_PER_CUSTOMER = 0.2;
  /** Probability that a prospect visits on a given day. */
  public static final double PROSPECT_VISIT = 0.07;
  /** Share of the population that signs up on each generated day (new customers). */
  public static final double NEW_CUSTOMERS_PER_DAY = 0.001;
  /** At most this many event lines per events file, so Spark reads the files in parallel. */
  public static final int EVENTS_PER_FILE = 250_000;

  // Events
  /** Lines written twice in the same day's files (SDK retries). */
  public static final double DUPLICATE_SAME_DAY = 0.01;
  /** Sessions of the previous day re-sent whole in today's files (~0.2% of lines). */
  public static final double DUPLICATE_NEXT_DAY = 0.002;
  /** Sessions delivered late: timestamps 1-3 days before the delivery day (offline apps). */
  public static final double LATE_SESSION = 0.02;
  /** Timestamps written with a {@code +01:00} offset instead of {@code Z}. */
  public static final double OFFSET_TIMESTAMP = 0.1;
  /** Emails in traits or CRM written in mixed case. */
  public static final double EMAIL_MIXED_CASE = 0.06;
  /** Emails in traits or CRM padded with spaces. */
  public static final double EMAIL_PADDED = 0.03;
  /** Sessions whose anonymousId is a junk value from a broken tracker. */
  public static final double JUNK_ANONYMOUS_ID = 0.002;
  /** Sign-ups and identifies using the test address {@code test@test.com}. */
  public static final double JUNK_EMAIL = 0.003;
  /** Customers in a two-person household that shares the laptop cookie. */
  public static final double SHARED_DEVICE = 0.03;
  /** Shortest and longest life of a cookie, in days (cookie churn). */
  public static final int COOKIE_MIN_DAYS = 14;
  public static final int COOKIE_MAX_DAYS = 56;
  /** Web sessions of customers in which they log in. */
  public static final double LOGIN = 0.6;
  /** Share of customers who use the app (screen events, always logged in). */
  public static final double APP_USER = 0.25;
  /** Cookies whose consent banner choice denies analytics. */
  public static final double ANALYTICS_DENIED = 0.12;
  /** Cookies whose consent banner choice denies marketing. */
  public static final double MARKETING_DENIED = 0.45;
  /** Events carrying {@code context.traits} with email and phone. */
  public static final double CONTEXT_TRAITS = 0.05;
  /** Clients that send IPv6 addresses. */
  public static final double IPV6 = 0.3;

  // Stories
  /** Customers who love organic avocados (story 1). */
  public static final double AVOCADO_LOVER = 0.03;
  /** Daily visit probability of an avocado lover (several avocado views a month). */
  public static final double AVOCADO_LOVER_VISIT = 0.2;
  /** Customers who read the finance section (story 2). */
  public static final double FINANCE_READER = 0.05;
  /** Visits of a finance reader in which they read the interest-rate caps article. */
  public static final double FINANCE_READ = 0.5;
  /** Readings followed by an {@code Appointment Booked} 1-3 days later. */
  public static final double APPOINTMENT_AFTER_READ = 0.3;

  // Identifiers and the CRM
  /** Customers with a phone number. */
  public static final double HAS_PHONE = 0.75;
  /** Phone numbers from outside Germany (written in E.164). */
  public static final double FOREIGN_PHONE = 0.12;
  /** Customers changed (email, phone, address, loyalty card) on each later day. */
  public static final double CRM_CHANGE_PER_DAY = 0.005;
  /** Optional CRM fields (birth date, street, phone, loyalty card, ...) left blank. */
  public static final double CRM_BLANK_FIELD = 0.05;
  /** Customers who hold a loyalty card. */
  public static final double LOYALTY_CARD = 0.4;

  // Malformed lines
  /** Malformed lines, per line of each source (spread over the kinds of that source). */
  public static final double MALFORMED = 0.003;
  /** From this line of a day on, one of each malformed kind is forced (so tiny days show them). */
  public static final int EVENTS_FORCED_MALFORMED_FROM = 1_000;
  /** Lines between two forced malformed event lines. */
  public static final int EVENTS_FORCED_MALFORMED_EVERY = 61;
  /** The day's oversized line is written at this line, so only days with that many events get one. */
  public static final int EVENTS_OVERSIZED_AT = 10_000;
  /** Size of the oversized line, in characters. */
  public static final int OVERSIZED_CHARS = 72_000;
  /** From this CRM row of a day on, one of each malformed CRM kind is forced. */
  public static final int CRM_FORCED_MALFORMED_FROM = 200;
  /** From this consent line of a day on, one of each malformed consent kind is forced. */
  public static final int CONSENT_FORCED_MALFORMED_FROM = 300;
  /** Lines between two forced malformed CRM or consent lines. */
  public static final int SMALL_FORCED_MALFORMED_EVERY = 37;

  // Consent ledger
  /** Sessions in which the visitor answers the consent banner (a cmp record per purpose). */
  public static final double CMP_ANSWER = 0.12;
  /** Customers who change a consent (crm, web form, call centre) on each later day. */
  public static final double CONSENT_CHANGE_PER_DAY = 0.003;
  /** Visitors who leave an email or phone (newsletter, call-back) on each of their last 14 days before signing up. */
  public static final double CONSENT_BEFORE_SIGNUP_PER_DAY = 0.02;
  /** Grants that carry an {@code expires_at}. */
  public static final double CONSENT_EXPIRES = 0.2;
}
