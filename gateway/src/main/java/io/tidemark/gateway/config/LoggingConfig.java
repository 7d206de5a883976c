package io.tidemark.gateway.config;

/**
 * Where the gateway's log lines go and how they look.
 *
 * @param format {@code json} (the default: one JSON object per line, for log shippers) or
 *     {@code text} (one human-readable line per event, for a terminal)
 * @param level the root level: {@code error}, {@code warn}, {@code info} (the default), {@code debug}
 * @param accessLog one line per HTTP request (logger {@code tidemark.access}); on by default
 */
public record LoggingConfig(String format, String level, Boolean accessLog) {

  public LoggingConfig {
    format = format == null ? "json" : format;
    level = level == null ? "info" : level;
    accessLog = accessLog == null ? Boolean.TRUE : accessLog;
  }

  static LoggingConfig defaults() {
    return new LoggingConfig(null, null, null);
  }

  public boolean json() {
    return "json".equals(format);
  }
}
