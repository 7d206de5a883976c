package io.tidemark.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimestampsTest {

  private static final DateTimeFormatter REFERENCE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  @Test
  void an_instant_is_written_as_the_formatter_writes_it() {
    for (String edge : new String[] {"1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999999999Z", "2024-02-29T12:34:56.789Z",
        "2026-12-06T23:59:59.9995Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "2026-01-01T00:00:00.001Z"}) {
      Instant instant = Instant.parse(edge);
      assertEquals(REFERENCE.format(instant), Timestamps.format(instant), edge);
    }
    Random random = new Random(20261206);
    long min = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();
    long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
    for (int i = 0; i < 100_000; i++) {
      Instant instant = Instant.ofEpochSecond(min + (long) (random.nextDouble() * (max - min)), random.nextInt(1_000_000_000));
      assertEquals(REFERENCE.format(instant), Timestamps.format(instant), instant.toString());
    }
  }

  @Test
  void years_beyond_four_digits_still_get_the_formatters_text() {
    for (String beyond : new String[] {"+10000-01-01T00:00:00Z", "-0001-06-01T00:00:00Z", "0000-06-01T00:00:00.5Z"}) {
      Instant instant = Instant.parse(beyond);
      assertEquals(REFERENCE.format(instant), Timestamps.format(instant), beyond);
    }
  }
}
