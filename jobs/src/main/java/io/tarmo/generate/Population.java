package io.tarmo.generate;

import java.time.LocalDate;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Everything about customer {@code i} (and prospect {@code j}) as a pure function of the seed and
 * the index, and everything about a day as a pure function of (seed, index, day): nothing about
 * the population is ever held in memory. Days are epoch days (UTC).
 */
final class Population {

  /** What a change on a later day does to a CRM record. */
  enum Change { EMAIL, PHONE, ADDRESS, LOYALTY_CARD }

  private static final int HISTORY_DAYS = 2500;

  private final long seed;
  private final long customers;
  private final long firstDay;
  private final int days;
  private final long newCustomers;

  Population(long seed, long customers, long firstDay, int days) {
    this.seed = seed;
    this.customers = customers;
    this.firstDay = firstDay;
    this.days = days;
    this.newCustomers = Math.min(customers / 2, Math.round(customers * MessRates.NEW_CUSTOMERS_PER_DAY * days));
  }

  long customers() {
    return customers;
  }

  long prospects() {
    return Math.round(customers * MessRates.PROSPECTS_PER_CUSTOMER);
  }

  long firstDay() {
    return firstDay;
  }

  static String customerId(long i) {
    return Text.padded("C", i + 1, 10);
  }

  /**
   * The day customer {@code i} signed up. Ids grow with sign-up time, as in a real CRM: the last
   * {@code newCustomers} ids sign up during the generated days, the others before.
   */
  long signupDay(long i) {
    long old = customers - newCustomers;
    if (i >= old) {
      return firstDay + (i - old) * days / Math.max(1, newCustomers);
    }
    return firstDay - 1 - (old - 1 - i) * HISTORY_DAYS / Math.max(1, old);
  }

  long signupMillis(long i) {
    return signupDay(i) * Text.MILLIS_PER_DAY + timeOfDay(Seeds.hash(seed, Seeds.SIGNUP, i));
  }

  boolean exists(long i, long day) {
    return signupDay(i) <= day;
  }

  boolean avocadoLover(long i) {
    return Seeds.unit(seed, Seeds.AVOCADO, i) < MessRates.AVOCADO_LOVER;
  }

  boolean financeReader(long i) {
    return Seeds.unit(seed, Seeds.FINANCE, i) < MessRates.FINANCE_READER;
  }

  boolean appUser(long i) {
    return Seeds.unit(seed, Seeds.APP, i) < MessRates.APP_USER;
  }

  /** The other member of a two-person household sharing the laptop cookie, or -1. */
  long householdPartner(long i) {
    long pair = i / 2;
    if (pair * 2 + 1 >= customers || Seeds.unit(seed, Seeds.HOUSEHOLD, pair) >= MessRates.SHARED_DEVICE) {
      return -1;
    }
    return i ^ 1;
  }

  /** Probability that customer {@code i} visits on a day: heavy, regular and rare shoppers. */
  double visitProbability(long i) {
    if (avocadoLover(i)) {
      return MessRates.AVOCADO_LOVER_VISIT;
    }
    double u = Seeds.unit(seed, Seeds.ACTIVITY, i);
    double multiplier = u < 0.4 ? 0.2 : u < 0.8 ? 1.0 : 2.6;
    return MessRates.CUSTOMER_VISIT * multiplier;
  }

  boolean visits(long i, long day) {
    return exists(i, day) && (signupDay(i) == day
        || Seeds.unit(seed, Seeds.VISIT, i, day) < visitProbability(i));
  }

  /** Before signing up, future customers browse anonymously now and then with their own cookie. */
  boolean browsesBeforeSignup(long i, long day) {
    return signupDay(i) > day && signupDay(i) - day <= 30
        && Seeds.unit(seed, Seeds.VISIT, i, day) < MessRates.PROSPECT_VISIT;
  }

  boolean readsFinance(long i, long day) {
    return financeReader(i) && visits(i, day) && Seeds.unit(seed, Seeds.FINANCE_READ, i, day) < MessRates.FINANCE_READ;
  }

  /** Days (1-3) after a finance reading until the appointment is booked, or 0 for none. */
  int bookingDelay(long i, long readDay) {
    long h = Seeds.hash(seed, Seeds.BOOKING, i, readDay);
    if (Seeds.unit(h) >= MessRates.APPOINTMENT_AFTER_READ) {
      return 0;
    }
    return 1 + (int) Math.floorMod(h >>> 7, 3L);
  }

  boolean booksAppointment(long i, long day) {
    if (!financeReader(i)) {
      return false;
    }
    for (int k = 1; k <= 3; k++) {
      if (readsFinance(i, day - k) && bookingDelay(i, day - k) == k) {
        return true;
      }
    }
    return false;
  }

  boolean prospectVisits(long j, long day) {
    return Seeds.unit(seed, Seeds.PROSPECT_VISIT, j, day) < MessRates.PROSPECT_VISIT;
  }

  /** The CRM change of customer {@code i} on {@code day}, or null; only after the first generated day. */
  Change change(long i, long day) {
    if (day <= firstDay || signupDay(i) >= day) {
      return null;
    }
    long h = Seeds.hash(seed, Seeds.CHANGE, i, day);
    if (Seeds.unit(h) >= MessRates.CRM_CHANGE_PER_DAY) {
      return null;
    }
    return Change.values()[(int) Math.floorMod(h >>> 9, 4L)];
  }

  /** Cookie of customer {@code i} on a device (0 laptop, 1 phone browser, 2 app) on {@code day}. */
  String cookie(long i, int device, long day) {
    if (device == 0 && householdPartner(i) >= 0) {
      return cookieFor(Seeds.hash(seed, Seeds.HOUSEHOLD, i / 2, 7), day, false);
    }
    return cookieFor(Seeds.hash(seed, Seeds.COOKIE, i, device), day, device == 2);
  }

  String prospectCookie(long j, long day) {
    return cookieFor(Seeds.hash(seed, Seeds.PROSPECT_SESSION, j, 3), day, false);
  }

  /** Cookie churn: each browser cookie lives 14-56 days, an app install about a year. */
  private static String cookieFor(long key, long day, boolean app) {
    int life = app ? 365 : MessRates.COOKIE_MIN_DAYS
        + (int) Math.floorMod(key, (long) (MessRates.COOKIE_MAX_DAYS - MessRates.COOKIE_MIN_DAYS + 1));
    long phase = Math.floorMod(key >>> 8, (long) life);
    long epoch = Math.floorDiv(day + phase, life);
    return Text.uuid(Seeds.mix(key ^ epoch), Seeds.mix(key + epoch * 31 + 1));
  }

  /** The consent banner answer stored with a cookie: [analytics, marketing]. */
  boolean[] bannerChoice(String cookie) {
    long h = Seeds.mix(cookie.hashCode() * 0x9e3779b97f4a7c15L + seed);
    return new boolean[] {
        Seeds.unit(h) >= MessRates.ANALYTICS_DENIED,
        Seeds.unit(Seeds.mix(h)) >= MessRates.MARKETING_DENIED};
  }

  /** Customer {@code i} as first recorded (before any change on a generated day). */
  Customer customer(long i) {
    SplittableRandom r = new SplittableRandom(Seeds.hash(seed, Seeds.CUSTOMER, i));
    String first = Catalog.FIRST_NAMES.get(r.nextInt(Catalog.FIRST_NAMES.size()));
    String last = Catalog.LAST_NAMES.get(r.nextInt(Catalog.LAST_NAMES.size()));
    String email = email(first, last, i, 0, r.nextLong());
    String phone = r.nextDouble() < MessRates.HAS_PHONE ? phone(r.nextLong()) : "";
    LocalDate birth = LocalDate.of(1940, 1, 1).plusDays(r.nextInt(66 * 365));
    Catalog.City city = Catalog.CITIES.get(r.nextInt(Catalog.CITIES.size()));
    String street = Catalog.STREETS.get(r.nextInt(Catalog.STREETS.size())) + " " + (1 + r.nextInt(120));
    if (r.nextDouble() < 0.03) {
      street = street + ", " + (1 + r.nextInt(4)) + ". OG";
    }
    String postal = city.postalPrefix() + Text.padded("", r.nextInt(1000), 3);
    String card = r.nextDouble() < MessRates.LOYALTY_CARD ? loyaltyCard(r.nextLong()) : "";
    long created = signupMillis(i);
    long signup = signupDay(i);
    long updated = signup >= firstDay ? created
        : created + (long) (r.nextDouble() * (firstDay * Text.MILLIS_PER_DAY - created));
    return new Customer(i, customerId(i), first, last, email, phone, birth, street, postal, city.name(), "DE", card,
        created, updated);
  }

  /** Customer {@code i} with every CRM change made on generated days up to {@code day}. */
  Customer customerAsOf(long i, long day) {
    Customer c = customer(i);
    for (long d = Math.max(firstDay + 1, signupDay(i) + 1); d <= day; d++) {
      Change change = change(i, d);
      if (change != null) {
        c = apply(c, change, d);
      }
    }
    return c;
  }

  Customer apply(Customer c, Change change, long day) {
    long h = Seeds.hash(seed, Seeds.CHANGE, c.index(), day);
    long updated = day * Text.MILLIS_PER_DAY + timeOfDay(Seeds.mix(h));
    return switch (change) {
      case EMAIL -> c.withEmail(email(c.firstName(), c.lastName(), c.index(), day, h), updated);
      case PHONE -> c.withPhone(phone(Seeds.mix(h + 1)), updated);
      case ADDRESS -> {
        Catalog.City city = Catalog.pick(Catalog.CITIES, h >>> 3);
        yield c.withAddress(Catalog.pick(Catalog.STREETS, h >>> 13) + " " + (1 + Math.floorMod(h >>> 23, 120L)),
            city.postalPrefix() + Text.padded("", Math.floorMod(h >>> 33, 1000L), 3), city.name(), updated);
      }
      case LOYALTY_CARD -> c.loyaltyCardId().isEmpty()
          ? c.withLoyaltyCard(loyaltyCard(Seeds.mix(h + 2)), updated)
          : c.withPhone(phone(Seeds.mix(h + 1)), updated);
    };
  }

  /** A working time of day in millis, denser in the evening. */
  static long timeOfDay(long h) {
    double u = Seeds.unit(h);
    double hour = u < 0.7 ? 7 + (Seeds.unit(Seeds.mix(h)) * 16) : Seeds.unit(Seeds.mix(h)) * 24;
    if (u < 0.35) {
      hour = 18 + Seeds.unit(Seeds.mix(h + 5)) * 5;
    }
    return Math.min(Text.MILLIS_PER_DAY - 3_600_000L, (long) (hour * 3_600_000L));
  }

  /** Unique per customer (the index is part of the local part) and per version. */
  private static String email(String first, String last, long i, long version, long h) {
    String f = ascii(first);
    String l = ascii(last);
    String token = Long.toString(i * 7 + 3 + version * 100_003L, 36);
    String local = switch ((int) Math.floorMod(h, 4L)) {
      case 0 -> f + "." + l + "." + token;
      case 1 -> f + token;
      case 2 -> f.charAt(0) + "." + l + token;
      default -> l + "_" + token;
    };
    return local + "@" + Catalog.pick(Catalog.EMAIL_DOMAINS, h >>> 17);
  }

  private static String ascii(String name) {
    StringBuilder sb = new StringBuilder(name.length() + 2);
    for (char c : name.toLowerCase(Locale.ROOT).toCharArray()) {
      switch (c) {
        case 'ä' -> sb.append("ae");
        case 'ö' -> sb.append("oe");
        case 'ü' -> sb.append("ue");
        case 'ß' -> sb.append("ss");
        case 'ş' -> sb.append('s');
        case 'ı' -> sb.append('i');
        case 'ć' -> sb.append('c');
        default -> {
          if (c >= 'a' && c <= 'z') {
            sb.append(c);
          }
        }
      }
    }
    return sb.toString();
  }

  /** A mobile number in E.164: mostly German, some from neighbouring countries. */
  static String phone(long h) {
    SplittableRandom r = new SplittableRandom(h);
    StringBuilder sb = new StringBuilder(16);
    if (r.nextDouble() < MessRates.FOREIGN_PHONE) {
      Catalog.ForeignPhone f = Catalog.FOREIGN_PHONES.get(r.nextInt(Catalog.FOREIGN_PHONES.size()));
      sb.append('+').append(f.countryCode()).append(f.prefix());
      digits(sb, r, f.digits());
    } else {
      String prefix = Catalog.DE_MOBILE_PREFIXES[r.nextInt(Catalog.DE_MOBILE_PREFIXES.length)];
      sb.append("+49").append(prefix);
      digits(sb, r, prefix.startsWith("15") || prefix.equals("176") ? 8 : 7);
    }
    return sb.toString();
  }

  private static void digits(StringBuilder sb, SplittableRandom r, int n) {
    sb.append((char) ('1' + r.nextInt(9)));
    for (int k = 1; k < n; k++) {
      sb.append((char) ('0' + r.nextInt(10)));
    }
  }

  private static String loyaltyCard(long h) {
    return Text.padded("LC", Math.floorMod(h, 1_000_000_000_000L), 12);
  }

  /**
   * A German number as people type it: {@code +49 151 23456789}, {@code 0151 23456789},
   * {@code 0049-151-23456789}, {@code (0151) 2345-6789} or E.164; other countries in E.164.
   */
  static String messyPhone(String e164, long h) {
    if (!e164.startsWith("+49")) {
      return e164;
    }
    String national = e164.substring(3);
    String prefix = national.substring(0, 3);
    String rest = national.substring(3);
    return switch ((int) Math.floorMod(h, 5L)) {
      case 0 -> "+49 " + prefix + " " + rest;
      case 1 -> "0" + prefix + " " + rest;
      case 2 -> "0049-" + prefix + "-" + rest;
      case 3 -> "(0" + prefix + ") " + rest.substring(0, 4) + "-" + rest.substring(4);
      default -> e164;
    };
  }

  /** An email as people and systems send it: sometimes mixed case, sometimes padded. */
  static String messyEmail(String email, long h) {
    double u = Seeds.unit(h);
    if (u < MessRates.EMAIL_MIXED_CASE) {
      int at = email.indexOf('@');
      return Character.toUpperCase(email.charAt(0)) + email.substring(1, at) + "@"
          + email.substring(at + 1).toUpperCase(Locale.ROOT);
    }
    if (u < MessRates.EMAIL_MIXED_CASE + MessRates.EMAIL_PADDED) {
      return " " + email + "  ";
    }
    return email;
  }
}
