package io.tarmo.segments;

import java.time.LocalDate;
import java.util.List;

/** A segment's rule: behaviour in events, profile traits, and their combinations. */
public sealed interface Condition {

  /** A test of one field of an event or a profile; a missing value satisfies none but {@code exists = false}. */
  record Predicate(Field field, Comparison comparison, List<Object> values) {
    public Predicate {
      values = List.copyOf(values);
    }
  }

  /**
   * The days a behavioural condition looks at, ending with the business day (inclusive): the last
   * {@code days} days, or with {@code thisMonth} the days of the business day's calendar month.
   */
  record Window(int days, boolean thisMonth) {
    public LocalDate start(LocalDate day) {
      return thisMonth ? day.withDayOfMonth(1) : day.minusDays(days - 1L);
    }
  }

  /** What a behavioural condition counts over its matching events. */
  record Measure(Kind kind, Field of) {
    public enum Kind { COUNT, SUM, DISTINCT }
  }

  /** The measure's bound, e.g. {@code gte 2}. */
  record Threshold(Comparison comparison, double value) {}

  /** Events matching {@code filter} within {@code window}, measured and compared with the threshold. */
  record Behaviour(List<Predicate> filter, Window window, Measure measure, Threshold threshold) implements Condition {
    public Behaviour {
      filter = List.copyOf(filter);
    }
  }

  /** Every predicate holds on the customer's profile. */
  record Profile(List<Predicate> predicates) implements Condition {
    public Profile {
      predicates = List.copyOf(predicates);
    }
  }

  record All(List<Condition> conditions) implements Condition {
    public All {
      conditions = List.copyOf(conditions);
    }
  }

  record Any(List<Condition> conditions) implements Condition {
    public Any {
      conditions = List.copyOf(conditions);
    }
  }

  record Not(Condition condition) implements Condition {}

  /**
   * An event matching {@code did} within {@code window}, whose follow-up period of
   * {@code followUpDays} days ended by the end of the business day, with no event matching
   * {@code thenDidNot} from the same instant until the end of that period (both inclusive).
   */
  record Sequence(List<Predicate> did, Window window, List<Predicate> thenDidNot, int followUpDays)
      implements Condition {
    public Sequence {
      did = List.copyOf(did);
      thenDidNot = List.copyOf(thenDidNot);
    }
  }
}
