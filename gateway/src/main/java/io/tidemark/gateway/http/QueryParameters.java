package io.tidemark.gateway.http;

import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.UUID;

/** Reads path and query parameters, failing with a 400 that names the parameter. */
public final class QueryParameters {

  private QueryParameters() {}

  public static Optional<String> optional(RoutingContext ctx, String name) {
    String value = ctx.queryParams().get(name);
    return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  public static int intInRange(RoutingContext ctx, String name, int defaultValue, int min, int max) {
    Optional<String> raw = optional(ctx, name);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    int value;
    try {
      value = Integer.parseInt(raw.get().trim());
    } catch (NumberFormatException e) {
      // Digits beyond an int are out of range, not "not a number".
      throw ApiException.badParameter(name, raw.get().trim().matches("-?\\d+")
          ? "must be between " + min + " and " + max + ", got " + raw.get().trim()
          : "must be a whole number, got '" + raw.get() + "'");
    }
    if (value < min || value > max) {
      throw ApiException.badParameter(name, "must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }

  /** The earliest point in time the API accepts: the Unix epoch. */
  public static final Instant EARLIEST = Instant.EPOCH;
  /** The latest point in time the API accepts: the end of year 9999. */
  public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

  /** An ISO-8601 date-time; one without an offset is read as UTC. */
  public static Optional<Instant> instant(RoutingContext ctx, String name) {
    return optional(ctx, name).map(raw -> parseIsoInstant(name, raw));
  }

  public static Instant parseIsoInstant(String name, String raw) {
    Instant parsed;
    try {
      parsed = OffsetDateTime.parse(raw).toInstant();
    } catch (DateTimeParseException notWithOffset) {
      try {
        parsed = LocalDateTime.parse(raw).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e) {
        throw ApiException.badParameter(name,
            "must be an ISO-8601 date-time such as 2026-01-31T12:00:00Z, got '" + raw + "'");
      }
    }
    return supported(name, parsed);
  }

  /**
   * {@code time}, if it lies between 1970 and the end of 9999; else a 400 naming {@code name}.
   * Java reads years up to ±999,999,999 and PostgreSQL stores far more than four digits, but such
   * a bound is a typo or an attack, not a query, and would leak into tokens and log lines.
   */
  public static Instant supported(String name, Instant time) {
    if (time.isBefore(EARLIEST) || time.isAfter(LATEST)) {
      throw ApiException.badParameter(name,
          "must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z, got " + time);
    }
    return time;
  }

  public static UUID uuidPath(RoutingContext ctx, String name) {
    String raw = ctx.pathParam(name);
    try {
      if (raw == null || raw.length() != 36) {
        throw new IllegalArgumentException();
      }
      return UUID.fromString(raw);
    } catch (IllegalArgumentException e) {
      throw ApiException.badParameter(name, "must be a UUID, got '" + raw + "'");
    }
  }
}
