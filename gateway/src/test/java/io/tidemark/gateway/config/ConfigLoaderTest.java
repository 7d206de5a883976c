package io.tidemark.gateway.config;

import static io.tidemark.gateway.config.Permission.ADMIN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.config.Permission;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @TempDir
  Path dir;

  @Test
  void the_shipped_config_is_the_demo_deployment_of_the_contract() {
    GatewayConfig c = ConfigLoader.load(TestGateway.shippedConfig(), Map.of());

    assertEquals(8080, c.http().port());
    TenantConfig demo = c.tenantNamed("demo").orElseThrow();
    assertEquals(UUID.fromString("a1b2c3d4-0000-4000-8000-000000100737"), demo.locator());
    assertEquals(100737, demo.orgId());
    assertEquals(-1, demo.parentOrgId());
    TenantConfig other = c.tenantNamed("other").orElseThrow();
    assertEquals(UUID.fromString("a1b2c3d4-0000-4000-8000-000000200001"), other.locator());
    assertEquals(200001, other.orgId());
    assertEquals(-1, other.parentOrgId());

    assertEquals(EnumSet.allOf(Permission.class), EnumSet.copyOf(user(c, "admin").permissions()));
    assertEquals(java.util.List.of("demo"), user(c, "admin").tenants());
    assertEquals(EnumSet.of(Permission.EVENTS_READ, Permission.EVENTS_LIST, Permission.EVENT_LOGS_READ),
        EnumSet.copyOf(user(c, "reader").permissions()));
    assertEquals(java.util.List.of("demo"), user(c, "reader").tenants());
    EnumSet<Permission> allButAdmin = EnumSet.complementOf(EnumSet.of(ADMIN));
    assertEquals(allButAdmin, EnumSet.copyOf(user(c, "other").permissions()));
    assertEquals(java.util.List.of("other"), user(c, "other").tenants());

    WebhookConfig webhook = c.webhooks().get(0);
    assertEquals("67b62dffb7f5337f8a8237970bd0a467", webhook.id());
    assertEquals("demo", webhook.tenant());
    assertEquals("whsec_dGlkZW1hcmsgZGVtbyB3ZWJob29rIHNlY3JldCAzMkI=", webhook.secret());
    assertEquals("tidemark demo webhook secret 32B", new String(WebhookSecret.key(webhook.secret()), java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void environment_variables_override_the_port_and_database() {
    GatewayConfig c = ConfigLoader.load(TestGateway.shippedConfig(), Map.of(
        "TIDEMARK_HTTP_PORT", "9191", "TIDEMARK_DB_URL", "postgresql://u:p%40ss@db.example:6543/events"));
    assertEquals(9191, c.http().port());
    DatabaseUrl url = c.database().parsedUrl();
    assertEquals(new DatabaseUrl("db.example", 6543, "events", "u", "p@ss"), url);
    assertEquals("jdbc:postgresql://db.example:6543/events", url.jdbcUrl());
  }

  @Test
  void a_port_override_that_is_not_a_number_names_the_variable() {
    assertFails(TestGateway.shippedConfig(), Map.of("TIDEMARK_HTTP_PORT", "eighty"), "TIDEMARK_HTTP_PORT: not a port number");
  }

  @Test
  void an_unknown_key_stops_start_up_naming_the_key() throws IOException {
    assertFails(write(valid().replace("  port: 8080", "  port: 8080\n  prot: 1")), "unknown key 'http.prot'");
    assertFails(write(valid() + "plugins_dir: x\n"), "unknown key 'plugins_dir'");
    assertFails(write(valid().replace("    orgId: 100737", "    orgId: 100737\n    region: eu")), "unknown key 'tenants[0].region'");
  }

  @Test
  void a_bad_uuid_stops_start_up_naming_the_key() throws IOException {
    assertFails(write(valid().replace("a1b2c3d4-0000-4000-8000-000000100737", "not-a-uuid")),
        "tenants[0].locator: invalid value 'not-a-uuid' (expected a UUID)");
  }

  @Test
  void a_user_without_tenants_stops_start_up() throws IOException {
    assertFails(write(valid().replace("    tenants: [demo]", "    tenants: []")),
        "users[0].tenants: user 'admin' needs at least one tenant");
    assertFails(write(valid().replace("    tenants: [demo]\n", "")), "users[0].tenants: user 'admin' needs at least one tenant");
  }

  @Test
  void a_reference_to_an_unknown_tenant_stops_start_up() throws IOException {
    assertFails(write(valid().replace("    tenants: [demo]", "    tenants: [demo, nowhere]")),
        "users[0].tenants[1]: no tenant named 'nowhere'");
    assertFails(write(valid().replace("    tenant: demo", "    tenant: nowhere")), "webhooks[0].tenant: no tenant named 'nowhere'");
  }

  @Test
  void an_unknown_permission_stops_start_up_listing_the_known_ones() throws IOException {
    ConfigException e = assertFails(write(valid().replace("[events:read]", "[events:raed]")),
        "users[0].permissions[0]: invalid value 'events:raed'");
    assertTrue(e.getMessage().contains("events:read, events:list"), e.getMessage());
  }

  @Test
  void bad_values_name_their_key() throws IOException {
    assertFails(write(valid().replace("port: 8080", "port: 70000")), "http.port: must be between 0 and 65535, got 70000");
    assertFails(write(valid().replace("port: 8080", "port: eighty")), "http.port: invalid value 'eighty' (expected a whole number)");
    assertFails(write(valid().replace("schema: tidemark", "schema: Drop-Table")), "database.schema: must be a lower-case SQL identifier");
    assertFails(write(valid().replace("orgId: 100737", "orgId: 100737\n  - name: again\n    locator: a1b2c3d4-0000-4000-8000-000000100737\n    orgId: 5")),
        "tenants[1].locator: 'a1b2c3d4-0000-4000-8000-000000100737' is used twice");
    assertFails(write(valid().replace("secret: whsec_c2VjcmV0", "secret: ''")), "webhooks[0].secret: is required");
    assertFails(write(valid().replace("url: postgresql://", "url: mysql://")), "database.url: must start with postgresql://");
    assertFails(write(valid() + "delivery:\n  timeoutMillis: 30000\n  leaseSeconds: 30\n"),
        "delivery.timeoutMillis: must be shorter than delivery.leaseSeconds");
  }

  @Test
  void a_secret_not_in_the_standard_webhooks_format_stops_start_up_naming_the_webhook() throws IOException {
    // The old demo secret: the reference libraries refuse it, so the gateway does too.
    assertFails(write(valid().replace("secret: whsec_c2VjcmV0", "secret: whsec-demo")),
        "webhooks[0].secret: webhook 'hook': must be a Standard Webhooks secret 'whsec_<base64>'");
    // Raw bytes without the prefix would key the HMAC differently from every sender's library.
    assertFails(write(valid().replace("secret: whsec_c2VjcmV0", "secret: c2VjcmV0")),
        "webhooks[0].secret: webhook 'hook': must be a Standard Webhooks secret 'whsec_<base64>'");
    assertFails(write(valid().replace("secret: whsec_c2VjcmV0", "secret: whsec_not*base64")),
        "webhooks[0].secret: webhook 'hook': the part after 'whsec_' must be standard base64");
    assertFails(write(valid().replace("secret: whsec_c2VjcmV0", "secret: whsec_")),
        "webhooks[0].secret: webhook 'hook': the part after 'whsec_' must decode to at least one byte");
  }

  @Test
  void a_webhooks_user_is_configured_or_derived_from_its_id() throws IOException {
    String secret = "secret: whsec_c2VjcmV0";
    GatewayConfig configured = ConfigLoader.load(write(valid().replace(secret,
        secret + "\n    userLocator: 5f0c6f4e-1a2b-4c3d-8e9f-0000000000a1")), Map.of());
    assertEquals(UUID.fromString("5f0c6f4e-1a2b-4c3d-8e9f-0000000000a1"), configured.webhooks().get(0).signedUser());
    // Unset: MD5 of "tidemark-webhook:hook" as a version 3 UUID (docs/behavioral-events.md).
    GatewayConfig derived = ConfigLoader.load(write(valid()), Map.of());
    assertEquals(UUID.fromString("f293b330-49c4-3c95-b6f2-b2dc6da9dae7"), derived.webhooks().get(0).signedUser());

    assertFails(write(valid().replace(secret, secret + "\n    userLocator: 00000000-0000-0000-0000-000000000000")),
        "webhooks[0].userLocator: webhook 'hook': the nil UUID is not a user");
    assertFails(write(valid().replace(secret, secret + "\n    userLocator: someone")), "userLocator");
  }

  @Test
  void the_shipped_config_routes_the_policy_plugin_and_requires_it() {
    GatewayConfig c = ConfigLoader.load(TestGateway.shippedConfig(), Map.of());
    assertEquals(java.util.List.of(
        new RouteConfig("POST", "/policy/{tenantLocator}/policies", "policy-lifecycle:issue-policy", Permission.EVENTS_WRITE, 5000),
        new RouteConfig("POST", "/policy/{tenantLocator}/renewal-sweeps", "policy-lifecycle:schedule-renewal-sweep",
            Permission.EVENTS_WRITE, 5000)), c.routes());
    assertTrue(c.plugins().installed("policy-lifecycle").required());
    assertTrue(c.plugins().directory().endsWith("target/plugins"), c.plugins().directory());
    assertFalse(c.plugins().directory().contains(".."), "resolved against the config folder: " + c.plugins().directory());
  }

  @Test
  void bad_routes_name_their_key() throws IOException {
    String route = "routes:\n  - method: POST\n    path: /policy/{tenantLocator}/policies\n"
        + "    operation: policy-lifecycle:issue-policy\n    permission: events:write\n";
    ConfigLoader.load(write(valid() + route), Map.of()); // the valid one loads
    assertFails(write(valid() + route.replace("method: POST", "method: FETCH")), "routes[0].method: must be one of [GET, POST, PUT, PATCH, DELETE]");
    assertFails(write(valid() + route.replace("path: /policy/{tenantLocator}/policies", "path: policy")), "routes[0].path: must look like");
    assertFails(write(valid() + route.replace("path: /policy/{tenantLocator}/policies", "path: /admin/policies")),
        "routes[0].path: '/admin' is the gateway's own");
    assertFails(write(valid() + route.replace("operation: policy-lifecycle:issue-policy", "operation: issue-policy")),
        "routes[0].operation: must be pluginId:operationName");
    assertFails(write(valid() + route.replace("    permission: events:write\n", "")), "routes[0].permission: is required");
    assertFails(write(valid() + route.replace("permission: events:write", "permission: events:write\n    timeoutMillis: 0")),
        "routes[0].timeoutMillis: must be between 1 and 600000");
    assertFails(write(valid() + route + route.substring("routes:\n".length()).replace("{tenantLocator}", "{tenant}")),
        "routes[1].path: 'POST /policy/{}/policies' is used twice");
    assertFails(write(valid() + "plugins:\n  maxConcurrentCalls: 0\n"), "plugins.maxConcurrentCalls: must be between 1 and 1000");
    assertFails(write(valid() + "scheduling:\n  misfirePolicy: sometimes\n"), "scheduling.misfirePolicy: must be fire-now or skip, got 'sometimes'");
    assertFails(write(valid() + "scheduling:\n  pollMillis: 100\n"), "scheduling.pollMillis: must be between 1000 and 60000");
    assertFails(write(valid() + "scheduling:\n  outboxPollMillis: -1\n"), "scheduling.outboxPollMillis: must be between 0 and 60000");
    assertFails(write(valid() + "scheduling:\n  retryBaseMillis: 5000\n  retryCapMillis: 1000\n"), "scheduling.retryCapMillis: must be between 5000");
    assertFails(write(valid() + "plugins:\n  installed:\n    x:\n      required: maybe\n"), "plugins.installed.x.required");
  }

  @Test
  void a_missing_htpasswd_file_or_config_file_is_reported() throws IOException {
    assertFails(write(valid().replace("htpasswdFile: users.htpasswd", "htpasswdFile: missing.htpasswd")),
        "security.htpasswdFile: no such file");
    assertFails(dir.resolve("absent.yaml"), "no such config file");
  }

  @Test
  void password_threads_and_failed_login_limits_are_checked() throws IOException {
    String security = "htpasswdFile: users.htpasswd";
    GatewayConfig c = ConfigLoader.load(write(valid().replace(security, security
        + "\n  passwordThreads: 2\n  failedLoginsPerUserPerMinute: 0\n  failedLoginsPerAddressPerMinute: 100")), Map.of());
    assertEquals(2, c.security().passwordThreads());
    assertEquals(0, c.security().failedLoginsPerUserPerMinute());
    assertEquals(100, c.security().failedLoginsPerAddressPerMinute());
    assertFails(write(valid().replace(security, security + "\n  passwordThreads: 0")),
        "security.passwordThreads: must be between 1 and 256, got 0");
    assertFails(write(valid().replace(security, security + "\n  failedLoginsPerUserPerMinute: -1")),
        "security.failedLoginsPerUserPerMinute: must be between 0 and 1000000, got -1");
    assertFails(write(valid().replace(security, security + "\n  failedLoginsPerAddressPerMinute: -1")),
        "security.failedLoginsPerAddressPerMinute: must be between 0 and 1000000, got -1");
  }

  @Test
  void invalid_yaml_is_reported_as_such() throws IOException {
    assertFails(write("http:\n\tport: 1\n"), "not valid YAML");
  }

  @Test
  void retries_back_off_exponentially_up_to_the_cap() {
    SchedulingConfig s = new SchedulingConfig(null, null, 1000, 60_000, 5, null);
    assertEquals(java.util.List.of(1000L, 2000L, 4000L, 8000L, 16000L, 32000L, 60000L, 60000L),
        java.util.stream.IntStream.rangeClosed(1, 8).mapToObj(s::retryDelayMillis).toList());
  }

  @Test
  void omitted_sections_take_their_defaults() throws IOException {
    GatewayConfig c = ConfigLoader.load(write(valid().replace("http:\n  port: 8080\n", "")), Map.of());
    assertEquals(8080, c.http().port());
    assertEquals(1024 * 1024, c.http().maxBodyBytes());
    assertEquals(1000, c.store().maxBatchEvents());
    assertEquals(60, c.security().credentialCacheSeconds());
    assertEquals(1000, c.scheduling().outboxPollMillis());
    assertEquals(Runtime.getRuntime().availableProcessors(), c.security().passwordThreads());
    assertEquals(10, c.security().failedLoginsPerUserPerMinute());
    assertEquals(30, c.security().failedLoginsPerAddressPerMinute());
    assertFalse(c.webhooks().isEmpty());
  }

  @Test
  void the_plugin_queue_has_defaults_a_tenant_share_of_half_and_checked_limits() throws IOException {
    PluginsConfig defaults = ConfigLoader.load(write(valid()), Map.of()).plugins();
    assertEquals(1000, defaults.maxQueuedCalls());
    assertEquals(500, defaults.maxQueuedCallsPerTenant());
    assertEquals(5000, defaults.maxQueueWaitMillis());

    PluginsConfig set = ConfigLoader.load(write(valid() + "plugins:\n  maxQueuedCalls: 9\n  maxQueueWaitMillis: 250\n"), Map.of())
        .plugins();
    assertEquals(5, set.maxQueuedCallsPerTenant(), "half of maxQueuedCalls, rounded up");
    assertEquals(250, set.maxQueueWaitMillis());

    assertFails(write(valid() + "plugins:\n  maxQueuedCalls: -1\n"), "plugins.maxQueuedCalls: must be between 0 and 1000000");
    assertFails(write(valid() + "plugins:\n  maxQueuedCalls: 10\n  maxQueuedCallsPerTenant: 11\n"),
        "plugins.maxQueuedCallsPerTenant: must be between 0 and 10, got 11");
    assertFails(write(valid() + "plugins:\n  maxQueueWaitMillis: 0\n"), "plugins.maxQueueWaitMillis: must be between 1 and 600000");
  }

  private ConfigException assertFails(Path file, String expected) {
    return assertFails(file, Map.of(), expected);
  }

  private static ConfigException assertFails(Path file, Map<String, String> env, String expected) {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, env));
    assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    return e;
  }

  private Path write(String yaml) throws IOException {
    Files.writeString(dir.resolve("users.htpasswd"), "admin:{SHA}x\n");
    Path file = dir.resolve("gateway-" + UUID.randomUUID() + ".yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private static String valid() {
    return """
        http:
          port: 8080
        database:
          url: postgresql://tidemark:tidemark@127.0.0.1:5432/tidemark
          schema: tidemark
        security:
          htpasswdFile: users.htpasswd
        tenants:
          - name: demo
            locator: a1b2c3d4-0000-4000-8000-000000100737
            orgId: 100737
        users:
          - name: admin
            userLocator: 5f0c6f4e-1a2b-4c3d-8e9f-000000000001
            tenants: [demo]
            permissions: [events:read]
        webhooks:
          - id: hook
            tenant: demo
            secret: whsec_c2VjcmV0
        """;
  }

  private static UserConfig user(GatewayConfig c, String name) {
    return c.users().stream().filter(u -> u.name().equals(name)).findFirst().orElseThrow();
  }
}
