package io.tarmo.generate;

import io.tarmo.TarmoException;
import io.tarmo.lake.Lake;
import java.io.IOException;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes seeded landing files for events, CRM and consent (CONTRACT 3.1-3.3) for each of the
 * generated days: {@code landing/events/dt=D/events-NNNNN.json.gz}, {@code landing/crm/dt=D/crm.csv}
 * and {@code landing/consent/dt=D/consent.json}, replacing earlier files of those days. The output
 * is a pure function of the settings (same settings, same bytes) and is streamed: one pass over
 * the population per day, nothing about the population held in memory. The mess it contains is
 * listed in {@link MessRates} and {@code docs/generator.md}.
 */
public final class LandingGenerator {

  private final GeneratorSettings settings;
  private final Lake lake;
  private final Configuration hadoop;

  public LandingGenerator(GeneratorSettings settings, Lake lake, Configuration hadoop) {
    this.settings = settings;
    this.lake = lake;
    this.hadoop = hadoop;
  }

  public GenerationResult run() {
    FileSystem fs = lake.fileSystem(hadoop);
    long firstDay = settings.endDate().toEpochDay() - settings.days() + 1;
    Population population = new Population(settings.seed(), settings.customers(), firstDay, settings.days());
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("days", (long) settings.days());
    counts.put("customers", settings.customers());
    for (String key : new String[] {"events.lines", "events.malformed", "events.duplicates", "crm.lines",
        "crm.malformed", "consent.lines", "consent.malformed"}) {
      counts.put(key, 0L);
    }
    for (long day = firstDay; day <= settings.endDate().toEpochDay(); day++) {
      new DayWriter(fs, population, day).write(counts);
    }
    return new GenerationResult(counts);
  }

  /** One generated day: a single pass over customers and prospects feeding all three writers. */
  private final class DayWriter {
    private final FileSystem fs;
    private final Population population;
    private final long day;
    private final long seed = settings.seed();
    private final SessionWriter sessions = new SessionWriter();
    private final ConsentLedger ledger;

    DayWriter(FileSystem fs, Population population, long day) {
      this.fs = fs;
      this.population = population;
      this.day = day;
      this.ledger = new ConsentLedger(seed);
    }

    void write(Map<String, Long> counts) {
      LocalDate date = LocalDate.ofEpochDay(day);
      String eventsFolder = lake.landingDay(Lake.Source.EVENTS, date);
      removeEventFiles(eventsFolder);
      try (EventWriter events = new EventWriter(fs, eventsFolder, Seeds.hash(seed, Seeds.DAY, day));
          CrmWriter crm = new CrmWriter(fs, lake.landingDay(Lake.Source.CRM, date), Seeds.hash(seed, Seeds.CRM_DAY, day));
          ConsentWriter consent = new ConsentWriter(fs, lake.landingDay(Lake.Source.CONSENT, date), date,
              Seeds.hash(seed, Seeds.CONSENT_DAY, day))) {
        for (long i = 0; i < population.customers(); i++) {
          customer(i, events, crm, consent);
        }
        for (long j = 0; j < population.prospects(); j++) {
          if (population.prospectVisits(j, day)) {
            prospect(j, events::event);
          }
        }
        events.flushDuplicates();
        add(counts, "events.lines", events.lines());
        add(counts, "events.malformed", events.malformed());
        add(counts, "events.duplicates", events.duplicates());
        add(counts, "crm.lines", crm.lines());
        add(counts, "crm.malformed", crm.malformed());
        add(counts, "consent.lines", consent.lines());
        add(counts, "consent.malformed", consent.malformed());
      }
    }

    private void customer(long i, EventWriter events, CrmWriter crm, ConsentWriter consent) {
      long signup = population.signupDay(i);
      if (signup <= day) {
        if (day == population.firstDay() || signup == day) {
          Customer c = population.customerAsOf(i, day);
          crm.row(c);
          if (signup == day) {
            ledger.signup(c, consent);
          } else {
            ledger.history(c, consent);
          }
        } else {
          Population.Change change = population.change(i, day);
          if (change != null) {
            crm.row(population.customerAsOf(i, day));
          }
          if (ledger.changesOn(i, day)) {
            ledger.change(population.customerAsOf(i, day), day, consent);
          }
        }
      } else if (ledger.contactsBeforeSignup(i, day, signup)) {
        ledger.beforeSignup(population.customer(i), day, consent);
      }
      if (Seeds.unit(seed, Seeds.RESEND, i, day) < MessRates.DUPLICATE_NEXT_DAY && population.visits(i, day - 1)) {
        session(i, day - 1, 0, events::resent, null);
      }
      if (population.visits(i, day) || population.browsesBeforeSignup(i, day)) {
        session(i, day, 0, events::event, consent);
      }
      if (population.booksAppointment(i, day)) {
        session(i, day, 1, events::event, consent);
      }
    }

    /** The session of customer {@code i} delivered on {@code deliveryDay}: a pure function of both. */
    private void session(long i, long deliveryDay, int kind, Consumer<String> out, ConsentWriter consent) {
      long h = Seeds.hash(seed, Seeds.SESSION, i, deliveryDay * 2 + kind);
      SplittableRandom r = new SplittableRandom(h);
      boolean signup = kind == 0 && population.signupDay(i) == deliveryDay;
      boolean anonymousOnly = population.signupDay(i) > deliveryDay;
      int device;
      double u = r.nextDouble();
      if (population.appUser(i) && !signup && !anonymousOnly && kind == 0 && u < 0.5) {
        device = Visit.APP;
      } else {
        device = r.nextDouble() < 0.45 ? Visit.PHONE : Visit.LAPTOP;
      }
      long dataDay = deliveryDay;
      if (!signup && r.nextDouble() < MessRates.LATE_SESSION) {
        dataDay -= 1 + r.nextInt(3);
      }
      long start = signup
          ? Math.max(deliveryDay * Text.MILLIS_PER_DAY, population.signupMillis(i) - 120_000)
          : dataDay * Text.MILLIS_PER_DAY + Population.timeOfDay(r.nextLong());
      String cookie = r.nextDouble() < MessRates.JUNK_ANONYMOUS_ID
          ? Catalog.pick(Catalog.JUNK_ANONYMOUS_IDS, r.nextLong())
          : population.cookie(i, device, dataDay);
      boolean[] banner = population.bannerChoice(cookie);
      boolean logsIn = !anonymousOnly
          && (device == Visit.APP || signup || kind == 1 || r.nextDouble() < MessRates.LOGIN);
      Customer customer = anonymousOnly ? null : population.customerAsOf(i, deliveryDay);
      Visit visit = new Visit(i, start, cookie, logsIn ? customer.customerId() : null, customer, device, signup,
          kind == 0 && population.avocadoLover(i) && r.nextDouble() < 0.85,
          kind == 0 && population.readsFinance(i, deliveryDay), kind == 1, banner[0], banner[1]);
      sessions.write(visit, new SplittableRandom(Seeds.mix(h)), out);
      if (consent != null && device != Visit.APP && r.nextDouble() < MessRates.CMP_ANSWER) {
        ledger.banner(cookie, banner[0], banner[1], start, consent);
      }
    }

    private void prospect(long j, Consumer<String> out) {
      long h = Seeds.hash(seed, Seeds.PROSPECT_SESSION, j, day);
      SplittableRandom r = new SplittableRandom(h);
      int device = r.nextDouble() < 0.5 ? Visit.PHONE : Visit.LAPTOP;
      long dataDay = r.nextDouble() < MessRates.LATE_SESSION ? day - 1 - r.nextInt(3) : day;
      String cookie = r.nextDouble() < MessRates.JUNK_ANONYMOUS_ID
          ? Catalog.pick(Catalog.JUNK_ANONYMOUS_IDS, r.nextLong())
          : population.prospectCookie(j, dataDay);
      boolean[] banner = population.bannerChoice(cookie);
      long start = dataDay * Text.MILLIS_PER_DAY + Population.timeOfDay(r.nextLong());
      Visit visit = new Visit(-1 - j, start, cookie, null, null, device, false,
          r.nextDouble() < 0.01, r.nextDouble() < 0.05, false, banner[0], banner[1]);
      sessions.write(visit, new SplittableRandom(Seeds.mix(h)), out);
    }

    private void removeEventFiles(String folder) {
      Path path = new Path(folder);
      try {
        if (!fs.exists(path)) {
          return;
        }
        for (FileStatus status : fs.listStatus(path)) {
          String name = status.getPath().getName();
          if (status.isFile() && name.matches("events-\\d{5}\\.json\\.gz")) {
            fs.delete(status.getPath(), false);
          }
        }
      } catch (IOException e) {
        throw TarmoException.job("Cannot replace landing files: " + e.getMessage() + " (" + folder + ")", e);
      }
    }

    private static void add(Map<String, Long> counts, String key, long value) {
      counts.merge(key, value, Long::sum);
    }
  }
}
