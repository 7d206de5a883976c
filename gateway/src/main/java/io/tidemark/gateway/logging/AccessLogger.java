package io.tidemark.gateway.logging;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log: one line per answered HTTP request, on logger {@value #NAME}, with the
 * request's fields as key-value pairs (JSON: {@code kvpList}; text: after the message), so that
 * a log shipper can index them without parsing the message.
 */
public final class AccessLogger {

  public static final String NAME = "tidemark.access";
  private static final Logger LOG = LoggerFactory.getLogger(NAME);

  /** One answered request. {@code route} is the matched template, such as {@code /event/:tenantLocator/events/list}. */
  public record Entry(String method, String path, String route, int status, double durationMillis, long bytesSent,
      String client) {}

  private AccessLogger() {}

  public static boolean enabled() {
    return LOG.isInfoEnabled();
  }

  /** Logged on the request's context, so the line carries its request id, tenant and user. */
  public static void log(Entry e) {
    LOG.atInfo()
        .addKeyValue("method", e.method())
        .addKeyValue("path", e.path())
        .addKeyValue("route", e.route())
        .addKeyValue("status", e.status())
        .addKeyValue("durationMs", Math.round(e.durationMillis() * 100) / 100.0)
        .addKeyValue("bytes", e.bytesSent())
        .addKeyValue("client", e.client())
        .log("{} {} {} {} ms", e.method(), e.path(), e.status(), Math.round(e.durationMillis() * 10) / 10.0);
  }
}
