package io.tidemark.gateway.behavioral;

import io.tidemark.gateway.http.ApiException;
import io.tidemark.gateway.http.QueryParameters;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The dates {@code from_date} and {@code to_date} accept: {@code 2025-05-08},
 * {@code 2025-05-08 17:33:01}, ISO-8601 ({@code 2025-05-08T17:33:01Z}, with or without an
 * offset) and epoch values; UTC unless an offset is given. An epoch value of up to 10 digits is
 * seconds and one of 13 digits is milliseconds, the two conventions of epoch APIs: reading
 * {@code 1746725581} as milliseconds would silently mean January 1970. Other lengths are ambiguous
 * and rejected.
 */
final class LogDates {

  private static final DateTimeFormatter SPACED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private LogDates() {}

  /** A date as an instant; a date without a time is its first millisecond. */
  static Instant start(String parameter, String raw) {
    return QueryParameters.supported(parameter, parse(parameter, raw).instant);
  }

  /**
   * The exclusive upper bound a {@code to_date} means: the day after a plain date (so the whole
   * day is included), else the millisecond after the given instant.
   */
  static Instant endExclusive(String parameter, String raw) {
    Parsed parsed = parse(parameter, raw);
    QueryParameters.supported(parameter, parsed.instant);
    return parsed.dateOnly ? parsed.instant.plusSeconds(86_400) : parsed.instant.plusMillis(1);
  }

  /** Field values of type {@code date}: the same formats. */
  static Optional<Instant> value(Object value) {
    try {
      return Optional.of(value instanceof Number n ? Instant.ofEpochMilli(n.longValue())
          : parse("value", value.toString()).instant);
    } catch (ApiException | ArithmeticException e) {
      return Optional.empty();
    }
  }

  private record Parsed(Instant instant, boolean dateOnly) {}

  private static Parsed parse(String parameter, String raw) {
    String s = raw.trim();
    try {
      if (s.matches("\\d{1,10}")) {
        return new Parsed(Instant.ofEpochSecond(Long.parseLong(s)), false);
      }
      if (s.matches("\\d{13}")) {
        return new Parsed(Instant.ofEpochMilli(Long.parseLong(s)), false);
      }
      if (s.matches("\\d+")) {
        throw ApiException.badParameter(parameter, "an epoch value must have up to 10 digits (seconds) or 13 "
            + "(milliseconds), got '" + raw + "'");
      }
      if (s.matches("\\d{4}-\\d{2}-\\d{2}")) {
        return new Parsed(LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant(), true);
      }
      if (s.matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}")) {
        return new Parsed(LocalDateTime.parse(s, SPACED).toInstant(ZoneOffset.UTC), false);
      }
      try {
        return new Parsed(OffsetDateTime.parse(s).toInstant(), false);
      } catch (DateTimeParseException noOffset) {
        return new Parsed(LocalDateTime.parse(s).toInstant(ZoneOffset.UTC), false);
      }
    } catch (DateTimeParseException | NumberFormatException e) {
      throw ApiException.badParameter(parameter, "must be a date such as 2025-05-08, 2025-05-08 17:33:01, "
          + "2025-05-08T17:33:01Z, epoch seconds (10 digits) or epoch milliseconds (13 digits), got '" + raw + "'");
    }
  }
}
