package io.tidemark.gateway.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/** Checks a bound config; the first problem found stops start-up with a message naming its key. */
final class ConfigValidator {

  private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final Pattern OPERATION = Pattern.compile("[A-Za-z0-9._-]{1,100}:[A-Za-z0-9._-]{1,100}");
  private static final Pattern ROUTE_PATH = Pattern.compile("(/([A-Za-z0-9._~-]+|\\{[A-Za-z][A-Za-z0-9_]*\\}))+");
  private static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE");
  // Paths the gateway serves itself; a plugin route there would shadow them or be shadowed.
  private static final List<String> RESERVED = List.of("/health", "/admin", "/event/", "/v2/", "/metrics", "/openapi.json");

  private ConfigValidator() {}

  static void validate(GatewayConfig c) {
    HttpConfig http = c.http();
    range("http.port", http.port(), 0, 65535);
    range("http.instances", http.instances(), 1, 256);
    if (http.maxBodyBytes() < 1) {
      fail("http.maxBodyBytes", "must be at least 1");
    }
    range("http.shutdownGraceSeconds", http.shutdownGraceSeconds(), 0, 3600);
    range("http.drainDelaySeconds", http.drainDelaySeconds(), 0, 3600);
    range("http.idleTimeoutSeconds", http.idleTimeoutSeconds(), 0, 86_400);
    range("http.maxConnections", http.maxConnections(), 1, 1_000_000);
    range("http.maxHeaderBytes", http.maxHeaderBytes(), 1024, 1024 * 1024);
    range("http.maxUriBytes", http.maxUriBytes(), 256, 1024 * 1024);

    DatabaseConfig db = c.database();
    db.parsedUrl();
    if (!SCHEMA.matcher(db.schema()).matches()) {
      fail("database.schema", "must be a lower-case SQL identifier, got '" + db.schema() + "'");
    }
    range("database.poolSize", db.poolSize(), 1, 200);
    range("database.connectTimeoutSeconds", db.connectTimeoutSeconds(), 1, 600);

    range("store.maxBatchEvents", c.store().maxBatchEvents(), 1, 100_000);
    range("store.lingerMillis", c.store().lingerMillis(), 0, 1000);

    LoggingConfig logging = c.logging();
    if (!List.of("json", "text").contains(logging.format())) {
      fail("logging.format", "must be json or text, got '" + logging.format() + "'");
    }
    if (!List.of("error", "warn", "info", "debug", "trace").contains(logging.level())) {
      fail("logging.level", "must be one of error, warn, info, debug, trace, got '" + logging.level() + "'");
    }
    range("metrics.port", c.metrics().port(), 0, 65535);
    range("live.maxConnectionsPerUser", c.live().maxConnectionsPerUser(), 0, 100_000);
    range("live.heartbeatSeconds", c.live().heartbeatSeconds(), 1, 3600);
    range("live.slowClientSeconds", c.live().slowClientSeconds(), 1, 3600);
    range("live.pollSeconds", c.live().pollSeconds(), 1, 3600);
    DeliveryConfig delivery = c.delivery();
    if (delivery.retrySeconds().isEmpty() || delivery.retrySeconds().stream().anyMatch(r -> r == null || r < 0 || r > 604_800)) {
      fail("delivery.retrySeconds", "must list at least one wait of 0 to 604800 seconds");
    }
    range("delivery.disableAfterHours", delivery.disableAfterHours(), 1, 8760);
    range("delivery.timeoutMillis", delivery.timeoutMillis(), 100, 300_000);
    range("delivery.leaseSeconds", delivery.leaseSeconds(), 5, 3600);
    if (delivery.timeoutMillis() >= delivery.leaseSeconds() * 1000L) {
      // A lease that can run out during one attempt lets a second instance send the same event.
      fail("delivery.timeoutMillis", "must be shorter than delivery.leaseSeconds");
    }
    range("delivery.pollMillis", delivery.pollMillis(), 10, 60_000);
    range("delivery.concurrency", delivery.concurrency(), 1, 10_000);
    RetentionConfig retention = c.retention();
    range("retention.eventsDays", retention.eventsDays(), 0, 36_500);
    range("retention.logsDays", retention.logsDays(), 0, 36_500);
    range("retention.monthsAhead", retention.monthsAhead(), 1, 24);
    range("retention.checkMinutes", retention.checkMinutes(), 1, 1440);
    retention.tenants().forEach((name, own) -> {
      knownTenant(c, name, "retention.tenants." + name);
      if (own.eventsDays() != null) {
        range("retention.tenants." + name + ".eventsDays", own.eventsDays(), 0, 36_500);
      }
      if (own.logsDays() != null) {
        range("retention.tenants." + name + ".logsDays", own.logsDays(), 0, 36_500);
      }
    });

    SecurityConfig security = c.security();
    if (!Files.isRegularFile(Path.of(security.htpasswdFile()))) {
      fail("security.htpasswdFile", "no such file: " + security.htpasswdFile());
    }
    range("security.credentialCacheSeconds", security.credentialCacheSeconds(), 0, 86_400);
    range("security.credentialCacheSize", security.credentialCacheSize(), 0, 10_000_000);
    range("security.passwordThreads", security.passwordThreads(), 1, 256);
    range("security.failedLoginsPerUserPerMinute", security.failedLoginsPerUserPerMinute(), 0, 1_000_000);
    range("security.failedLoginsPerAddressPerMinute", security.failedLoginsPerAddressPerMinute(), 0, 1_000_000);

    validateTenants(c.tenants());
    validateUsers(c);
    validateWebhooks(c);
    validatePlugins(c.plugins());
    validateRoutes(c.routes());
  }

  private static void validatePlugins(PluginsConfig plugins) {
    range("plugins.callTimeoutMillis", plugins.callTimeoutMillis(), 1, 600_000);
    range("plugins.maxConcurrentCalls", plugins.maxConcurrentCalls(), 1, 1000);
    range("plugins.lifecycleTimeoutSeconds", plugins.lifecycleTimeoutSeconds(), 1, 600);
    range("plugins.maxQueuedCalls", plugins.maxQueuedCalls(), 0, 1_000_000);
    range("plugins.maxQueuedCallsPerTenant", plugins.maxQueuedCallsPerTenant(), 0, plugins.maxQueuedCalls());
    range("plugins.maxQueueWaitMillis", plugins.maxQueueWaitMillis(), 1, 600_000);
  }

  private static void validateRoutes(List<RouteConfig> routes) {
    Set<Object> seen = new HashSet<>();
    for (int i = 0; i < routes.size(); i++) {
      RouteConfig r = routes.get(i);
      String key = "routes[" + i + "]";
      required(key + ".method", r.method());
      if (!METHODS.contains(r.method())) {
        fail(key + ".method", "must be one of " + METHODS + ", got '" + r.method() + "'");
      }
      required(key + ".path", r.path());
      if (!ROUTE_PATH.matcher(r.path()).matches()) {
        fail(key + ".path", "must look like /segment/{parameter}/..., got '" + r.path() + "'");
      }
      for (String reserved : RESERVED) {
        if (r.path().startsWith(reserved)) {
          fail(key + ".path", "'" + reserved + "' is the gateway's own; choose another path");
        }
      }
      required(key + ".operation", r.operation());
      if (!OPERATION.matcher(r.operation()).matches()) {
        fail(key + ".operation", "must be pluginId:operationName, got '" + r.operation() + "'");
      }
      required(key + ".permission", r.permission());
      if (r.timeoutMillis() != null) {
        range(key + ".timeoutMillis", r.timeoutMillis(), 1, 600_000);
      }
      unique(seen, r.method() + " " + r.path().replaceAll("\\{[^}]*}", "{}"), key + ".path");
    }
  }

  private static void validateTenants(List<TenantConfig> tenants) {
    if (tenants.isEmpty()) {
      fail("tenants", "at least one tenant is required");
    }
    Set<Object> names = new HashSet<>();
    Set<Object> locators = new HashSet<>();
    Set<Object> orgIds = new HashSet<>();
    for (int i = 0; i < tenants.size(); i++) {
      TenantConfig t = tenants.get(i);
      String key = "tenants[" + i + "]";
      required(key + ".name", t.name());
      required(key + ".locator", t.locator());
      required(key + ".orgId", t.orgId());
      unique(names, t.name(), key + ".name");
      unique(locators, t.locator(), key + ".locator");
      unique(orgIds, t.orgId(), key + ".orgId");
    }
  }

  private static void validateUsers(GatewayConfig c) {
    Set<Object> names = new HashSet<>();
    for (int i = 0; i < c.users().size(); i++) {
      UserConfig u = c.users().get(i);
      String key = "users[" + i + "]";
      required(key + ".name", u.name());
      required(key + ".userLocator", u.userLocator());
      unique(names, u.name(), key + ".name");
      if (u.tenants().isEmpty()) {
        fail(key + ".tenants", "user '" + u.name() + "' needs at least one tenant");
      }
      for (int j = 0; j < u.tenants().size(); j++) {
        knownTenant(c, u.tenants().get(j), key + ".tenants[" + j + "]");
      }
    }
  }

  private static void validateWebhooks(GatewayConfig c) {
    Set<Object> ids = new HashSet<>();
    for (int i = 0; i < c.webhooks().size(); i++) {
      WebhookConfig w = c.webhooks().get(i);
      String key = "webhooks[" + i + "]";
      required(key + ".id", w.id());
      required(key + ".secret", w.secret());
      try {
        WebhookSecret.key(w.secret());
      } catch (IllegalArgumentException e) {
        fail(key + ".secret", "webhook '" + w.id() + "': " + e.getMessage());
      }
      unique(ids, w.id(), key + ".id");
      knownTenant(c, w.tenant(), key + ".tenant");
      if (new UUID(0, 0).equals(w.userLocator())) {
        // The nil UUID reads as "no user" to stream clients; leave the key out for the derived default.
        fail(key + ".userLocator", "webhook '" + w.id() + "': the nil UUID is not a user");
      }
      for (int j = 0; j < w.transformers().size(); j++) {
        TransformerConfig t = w.transformers().get(j);
        String tkey = key + ".transformers[" + j + "]";
        if (t.match().isEmpty()) {
          fail(tkey + ".match", "needs at least one field to match");
        }
        required(tkey + ".eventName", t.eventName());
        t.attributes().forEach((name, pointer) -> {
          if (pointer == null || !pointer.startsWith("/")) {
            fail(tkey + ".attributes." + name, "must be a JSON pointer such as /data/customer/mobile, got '" + pointer + "'");
          }
        });
      }
    }
    range("behavioral.auditLogRequestsPerMinute", c.behavioral().auditLogRequestsPerMinute(), 1, 1_000_000);
    range("behavioral.unauthorizedLogsPerWebhookPerMinute", c.behavioral().unauthorizedLogsPerWebhookPerMinute(), 0, 1_000_000);
    SchedulingConfig s = c.scheduling();
    range("scheduling.threadCount", s.threadCount(), 1, 100);
    if (!List.of("fire-now", "skip").contains(s.misfirePolicy())) {
      fail("scheduling.misfirePolicy", "must be fire-now or skip, got '" + s.misfirePolicy() + "'");
    }
    range("scheduling.retryBaseMillis", s.retryBaseMillis(), 1, 86_400_000);
    range("scheduling.retryCapMillis", s.retryCapMillis(), s.retryBaseMillis(), 86_400_000);
    range("scheduling.maxAttempts", s.maxAttempts(), 1, 100);
    range("scheduling.pollMillis", s.pollMillis(), 1000, 60_000); // Quartz refuses less than a second
    range("scheduling.outboxPollMillis", s.outboxPollMillis(), 0, 60_000);
  }

  private static void knownTenant(GatewayConfig c, String name, String key) {
    required(key, name);
    if (c.tenantNamed(name).isEmpty()) {
      fail(key, "no tenant named '" + name + "'");
    }
  }

  private static void required(String key, Object value) {
    if (value == null || (value instanceof String s && s.isBlank())) {
      fail(key, "is required");
    }
  }

  private static void unique(Set<Object> seen, Object value, String key) {
    if (!seen.add(value)) {
      fail(key, "'" + value + "' is used twice");
    }
  }

  private static void range(String key, int value, int min, int max) {
    if (value < min || value > max) {
      fail(key, "must be between " + min + " and " + max + ", got " + value);
    }
  }

  private static void fail(String key, String problem) {
    throw new ConfigException(key + ": " + problem);
  }
}
