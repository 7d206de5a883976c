package io.tidemark.gateway.http;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;

/** How the API writes a point in time: ISO-8601 UTC with exactly three fraction digits. */
public final class Timestamps {

  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private Timestamps() {}

  public static String format(TemporalAccessor time) {
    return time instanceof Instant instant ? format(instant) : ISO_MILLIS.format(time);
  }

  /**
   * The same text as the formatter, written digit by digit: every event of a page has a
   * timestamp, and the formatter's fraction printer (which goes through BigDecimal) was an
   * eighth of a 100-event page's CPU. Years outside 1–9999 take the formatter.
   */
  public static String format(Instant instant) {
    LocalDateTime t = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC);
    int year = t.getYear();
    if (year < 1 || year > 9999) {
      return ISO_MILLIS.format(instant);
    }
    char[] c = new char[24];
    digits(c, 0, year, 4);
    c[4] = '-';
    digits(c, 5, t.getMonthValue(), 2);
    c[7] = '-';
    digits(c, 8, t.getDayOfMonth(), 2);
    c[10] = 'T';
    digits(c, 11, t.getHour(), 2);
    c[13] = ':';
    digits(c, 14, t.getMinute(), 2);
    c[16] = ':';
    digits(c, 17, t.getSecond(), 2);
    c[19] = '.';
    digits(c, 20, t.getNano() / 1_000_000, 3); // truncated, as the formatter's SSS does
    c[23] = 'Z';
    return new String(c);
  }

  private static void digits(char[] into, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      into[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }
}
