package io.tarmo.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PopulationTest {

  private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();
  private final Population population = new Population(42, 10_000, LocalDate.of(2024, 5, 1).toEpochDay(), 10);

  @Test
  void everyMessyPhoneFormatParsesBackToTheSameValidNumber() throws NumberParseException {
    for (long h = 0; h < 2_000; h++) {
      String e164 = Population.phone(Seeds.mix(h));
      PhoneNumber parsed = PHONES.parse(e164, "DE");
      assertThat(PHONES.isValidNumber(parsed)).as(e164).isTrue();
      String messy = Population.messyPhone(e164, h);
      assertThat(PHONES.format(PHONES.parse(messy, "DE"), PhoneNumberUtil.PhoneNumberFormat.E164))
          .as(messy).isEqualTo(e164);
    }
  }

  @Test
  void customersAreAPureFunctionOfSeedAndIndexWithUniqueEmails() {
    Set<String> emails = new HashSet<>();
    for (long i = 0; i < 10_000; i++) {
      Customer c = population.customer(i);
      assertThat(c).isEqualTo(population.customer(i));
      assertThat(emails.add(c.email())).as(c.customerId()).isTrue();
      assertThat(c.updatedMillis()).isGreaterThanOrEqualTo(c.createdMillis());
    }
  }

  @Test
  void messyEmailsNormaliseToTheCanonicalOne() {
    String email = population.customer(5).email();
    for (long h = 0; h < 500; h++) {
      assertThat(Population.messyEmail(email, Seeds.mix(h)).trim().toLowerCase(Locale.ROOT)).isEqualTo(email);
    }
  }

  @Test
  void sharedDevicesJoinTwoCustomersOnOneLaptopCookie() {
    long shared = 0;
    for (long i = 0; i < 10_000; i += 2) {
      if (population.householdPartner(i) == i + 1) {
        shared++;
        long day = population.firstDay();
        assertThat(population.cookie(i, Visit.LAPTOP, day)).isEqualTo(population.cookie(i + 1, Visit.LAPTOP, day));
        assertThat(population.cookie(i, Visit.PHONE, day)).isNotEqualTo(population.cookie(i + 1, Visit.PHONE, day));
      }
    }
    assertThat(shared * 2.0 / 10_000).isBetween(0.02, 0.04);
  }

  @Test
  void cookiesChurnWithinEightWeeks() {
    String first = population.cookie(3, Visit.PHONE, population.firstDay());
    assertThat(population.cookie(3, Visit.PHONE, population.firstDay() + MessRates.COOKIE_MAX_DAYS + 1))
        .isNotEqualTo(first);
  }
}
