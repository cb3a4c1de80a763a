package io.tarmo.cli;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses {@code --date YYYY-MM-DD}; the default business day is yesterday in UTC. */
final class BusinessDate implements ITypeConverter<LocalDate> {

  static LocalDate yesterdayUtc() {
    return LocalDate.now(ZoneOffset.UTC).minusDays(1);
  }

  static LocalDate orYesterday(LocalDate date) {
    return date == null ? yesterdayUtc() : date;
  }

  @Override
  public LocalDate convert(String value) {
    try {
      return LocalDate.parse(value.trim());
    } catch (DateTimeParseException e) {
      throw new TypeConversionException("'" + value + "' is not a date in the form YYYY-MM-DD");
    }
  }
}
