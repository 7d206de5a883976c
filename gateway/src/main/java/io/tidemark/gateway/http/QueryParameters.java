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
      throw ApiException.badParameter(name, "must be a whole number, got '" + raw.get() + "'");
    }
    if (value < min || value > max) {
      throw ApiException.badParameter(name, "must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }

  /** An ISO-8601 date-time; one without an offset is read as UTC. */
  public static Optional<Instant> instant(RoutingContext ctx, String name) {
    return optional(ctx, name).map(raw -> parseIsoInstant(name, raw));
  }

  public static Instant parseIsoInstant(String name, String raw) {
    try {
      return OffsetDateTime.parse(raw).toInstant();
    } catch (DateTimeParseException notWithOffset) {
      try {
        return LocalDateTime.parse(raw).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e) {
        throw ApiException.badParameter(name,
            "must be an ISO-8601 date-time such as 2026-01-31T12:00:00Z, got '" + raw + "'");
      }
    }
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
