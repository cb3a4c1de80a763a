package io.tarmo.generate;

import java.util.SplittableRandom;

/**
 * Which consent records each source produces: the CRM's history of existing customers, the web
 * form at sign-up, the consent banner (cmp) per cookie, newsletter sign-ups and calls of visitors
 * who have no account yet, and later changes from the CRM and the call centre. Values that
 * identify a subject are written as the source would (messy emails and phones included).
 *
 * <p>Between them they exercise every consent rule: grants, denials, withdrawals and re-grants;
 * grants that expire (some within the generated days: short campaign opt-ins); records for
 * {@code all} and for single channels, overriding each other; legitimate interest on email, sms,
 * push and phone, and objections to it; contract-only records; profiling objections; and records
 * on cookies, emails and phones before their owner ever logs in.
 */
final class ConsentLedger {

  private static final long YEAR = 365 * Text.MILLIS_PER_DAY;
  private static final String[] CHANNELS = {"email", "sms", "push", "phone", "web", "all"};

  private final long seed;

  ConsentLedger(long seed) {
    this.seed = seed;
  }

  /** What the CRM already holds about a customer who existed before the generated days. */
  void history(Customer c, ConsentWriter out) {
    SplittableRandom r = new SplittableRandom(Seeds.hash(seed, Seeds.CONSENT, c.index()));
    long ts = c.createdMillis() + r.nextInt(600_000);
    out.record(marketing(r, "customer_id", c.customerId(), "email", ts, "crm"));
    boolean profilingDenied = r.nextDouble() < 0.1;
    out.record(new ConsentWriter.Entry("customer_id", c.customerId(), "profiling", "all",
        profilingDenied ? "denied" : "granted", r.nextDouble() < 0.3 ? "legitimate_interest" : "consent", ts, -1,
        "crm"));
    if (r.nextDouble() < 0.3) {
      out.record(marketing(r, "email", Population.messyEmail(c.email(), r.nextLong()), "email", ts, "web_form"));
    }
    if (!c.phone().isEmpty() && r.nextDouble() < 0.15) {
      out.record(marketing(r, "customer_id", c.customerId(), "sms", ts, "crm"));
    }
    if (r.nextDouble() < 0.1) {
      out.record(marketing(r, "customer_id", c.customerId(), "push", ts, "crm"));
    }
    if (r.nextDouble() < 0.08) {
      out.record(new ConsentWriter.Entry("customer_id", c.customerId(), "marketing", "email", "granted",
          "contract", ts, -1, "crm"));
    }
    if (!c.phone().isEmpty() && r.nextDouble() < 0.2) {
      out.record(new ConsentWriter.Entry("customer_id", c.customerId(), "marketing", "phone", "granted",
          "legitimate_interest", ts, -1, "crm"));
    }
    if (r.nextDouble() < 0.12) {
      out.record(new ConsentWriter.Entry("customer_id", c.customerId(), "marketing", "all",
          r.nextDouble() < 0.7 ? "granted" : "denied", "consent", ts + 60_000, -1, "crm"));
    }
  }

  /** Whether visitor {@code i}, who signs up on {@code signupDay}, leaves an email or phone on {@code day} first. */
  boolean contactsBeforeSignup(long index, long day, long signupDay) {
    return signupDay > day && signupDay - day <= 14
        && Seeds.unit(seed, Seeds.CONSENT, index, -1 - day) < MessRates.CONSENT_BEFORE_SIGNUP_PER_DAY;
  }

  /**
   * A visitor without an account yet subscribes to the newsletter with their email, or asks the
   * call centre to call back: a record on an identifier that only sign-up ties to a customer.
   */
  void beforeSignup(Customer c, long day, ConsentWriter out) {
    SplittableRandom r = new SplittableRandom(Seeds.hash(seed, Seeds.CONSENT, c.index(), -1 - day));
    long ts = day * Text.MILLIS_PER_DAY + Population.timeOfDay(r.nextLong());
    if (!c.phone().isEmpty() && r.nextDouble() < 0.3) {
      out.record(new ConsentWriter.Entry("phone", Population.messyPhone(c.phone(), r.nextLong()), "marketing",
          "phone", "granted", "consent", ts, -1, "call_center"));
    } else {
      out.record(new ConsentWriter.Entry("email", Population.messyEmail(c.email(), r.nextLong()), "marketing",
          "email", "granted", "consent", ts, -1, "web_form"));
    }
  }

  /** The newsletter box and the terms at sign-up. */
  void signup(Customer c, ConsentWriter out) {
    SplittableRandom r = new SplittableRandom(Seeds.hash(seed, Seeds.CONSENT, c.index()));
    long ts = c.createdMillis() + 1_000;
    out.record(marketing(r, "email", Population.messyEmail(c.email(), r.nextLong()), "email", ts, "web_form"));
    out.record(new ConsentWriter.Entry("customer_id", c.customerId(), "profiling", "all", "granted", "consent", ts,
        -1, "web_form"));
  }

  /** Now and then a customer changes their mind: in the CRM, in the call centre, or on the web. */
  boolean changesOn(long index, long day) {
    return Seeds.unit(seed, Seeds.CONSENT, index, day) < MessRates.CONSENT_CHANGE_PER_DAY;
  }

  /** The record of a customer for whom {@link #changesOn} holds. */
  void change(Customer c, long day, ConsentWriter out) {
    long h = Seeds.hash(seed, Seeds.CONSENT, c.index(), day);
    SplittableRandom r = new SplittableRandom(h);
    long ts = day * Text.MILLIS_PER_DAY + Population.timeOfDay(r.nextLong());
    String status = r.nextDouble() < 0.6 ? "withdrawn" : "granted";
    double source = r.nextDouble();
    if (source < 0.3 && !c.phone().isEmpty()) {
      out.record(new ConsentWriter.Entry("phone", Population.messyPhone(c.phone(), r.nextLong()), "marketing",
          "phone", r.nextDouble() < 0.5 ? "denied" : status, "consent", ts, -1, "call_center"));
    } else if (source < 0.6) {
      // A campaign opt-in on the web form lasts days, so some lapse within the generated ones.
      long expires = status.equals("granted") && r.nextDouble() < 0.4
          ? ts + (1 + r.nextInt(6)) * Text.MILLIS_PER_DAY : -1;
      out.record(new ConsentWriter.Entry("email", Population.messyEmail(c.email(), r.nextLong()), "marketing",
          "email", status, "consent", ts, expires, "web_form"));
    } else {
      String channel = CHANNELS[r.nextInt(CHANNELS.length)];
      double p = r.nextDouble();
      String purpose = p < 0.75 ? "marketing" : p < 0.9 ? "personalization" : "profiling";
      out.record(new ConsentWriter.Entry("customer_id", c.customerId(), purpose, channel, status,
          "consent", ts, expires(r, ts, status), "crm"));
    }
  }

  /** The consent banner's answer for a cookie, one record per purpose. */
  void banner(String cookie, boolean analytics, boolean marketing, long ts, ConsentWriter out) {
    out.record(new ConsentWriter.Entry("anonymous_id", cookie, "analytics", "web", analytics ? "granted" : "denied",
        "consent", ts, -1, "cmp"));
    out.record(new ConsentWriter.Entry("anonymous_id", cookie, "marketing", "web", marketing ? "granted" : "denied",
        "consent", ts, -1, "cmp"));
    out.record(new ConsentWriter.Entry("anonymous_id", cookie, "personalization", "web",
        marketing ? "granted" : "denied", "consent", ts, -1, "cmp"));
  }

  private ConsentWriter.Entry marketing(SplittableRandom r, String type, String value, String channel, long ts,
      String source) {
    double u = r.nextDouble();
    String status = u < 0.6 ? "granted" : u < 0.9 ? "denied" : "withdrawn";
    String basis = status.equals("granted") && r.nextDouble() < 0.1 ? "legitimate_interest" : "consent";
    return new ConsentWriter.Entry(type, value, "marketing", channel, status, basis, ts, expires(r, ts, status), source);
  }

  private static long expires(SplittableRandom r, long ts, String status) {
    if (!status.equals("granted") || r.nextDouble() >= MessRates.CONSENT_EXPIRES) {
      return -1;
    }
    return ts + YEAR + r.nextInt(365) * Text.MILLIS_PER_DAY;
  }
}
