package io.tidemark.gateway.http;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;

/** How the API writes a point in time: ISO-8601 UTC with exactly three fraction digits. */
public final class Timestamps {

  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private Timestamps() {}

  public static String format(TemporalAccessor time) {
    return ISO_MILLIS.format(time);
  }
}
