package io.tidemark.gateway.plugins;

import static io.tidemark.gateway.TestGateway.DEMO_TENANT;
import static io.tidemark.gateway.TestPlugins.FIXTURE_OLD_JACKSON;
import static io.tidemark.gateway.TestPlugins.FIXTURE_OPERATIONS;
import static io.tidemark.gateway.config.Permission.EVENTS_READ;
import static io.tidemark.gateway.config.Permission.EVENTS_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.Http;
import io.tidemark.gateway.Http.Response;
import io.tidemark.gateway.TestDatabase;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.TestPlugins;
import io.tidemark.gateway.config.GatewayConfig;
import io.tidemark.gateway.config.InstalledPluginConfig;
import io.tidemark.gateway.config.PluginsConfig;
import io.tidemark.gateway.config.RouteConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Plugins stopped, started and loaded while the gateway runs; each test with a gateway of its own. */
class PluginLifecycleTest {

  private static final String ECHO = "/fixture/" + DEMO_TENANT + "/echo";

  private static List<RouteConfig> routes() {
    return List.of(
        new RouteConfig("POST", "/fixture/{tenantLocator}/echo", FIXTURE_OPERATIONS + ":echo", EVENTS_WRITE, null),
        new RouteConfig("GET", "/fixture/jackson", FIXTURE_OLD_JACKSON + ":jackson-version", EVENTS_READ,
            60_000)); // its first call loads a second Jackson: slow on a busy CI machine, not what is tested
  }

  private static TestGateway gatewayWith(Path plugins) {
    return TestGateway.startInFreshSchema(TestGateway.testConfig(), PluginLifecycleTest.class, c -> c
        .withPlugins(new PluginsConfig(plugins.toString(), 5_000, 4, 10, Map.of()))
        .withRoutes(routes()));
  }

  @Test
  void a_stopped_plugin_answers_503_and_serves_again_once_started() {
    try (TestGateway gateway = gatewayWith(TestPlugins.directoryWith(FIXTURE_OPERATIONS))) {
      Http http = gateway.http();
      assertEquals(200, admin(http.post(ECHO)).send().status());

      Response stopped = admin(http.post("/admin/plugins/" + FIXTURE_OPERATIONS + "/stop")).send();
      assertEquals(200, stopped.status(), stopped::toString);
      assertEquals("STOPPED", stopped.json().getString("state"));
      assertEquals(false, stopped.json().getBoolean("serving"));

      Response refused = admin(http.post(ECHO)).send();
      assertEquals(503, refused.status());
      assertEquals("Plugin 'fixture-operations' is not started", refused.json().getString("message"));

      Response started = admin(http.post("/admin/plugins/" + FIXTURE_OPERATIONS + "/start")).send();
      assertEquals(200, started.status(), started::toString);
      assertEquals("STARTED", started.json().getString("state"));
      assertEquals(200, admin(http.post(ECHO)).send().status());
    }
  }

  @Test
  void the_plugin_admin_api_needs_the_gateway_wide_admin_permission_not_tenant_permissions() {
    try (TestGateway gateway = gatewayWith(TestPlugins.directoryWith(FIXTURE_OPERATIONS))) {
      Http http = gateway.http();
      // 'other' holds events:read, events:list and events:write in its tenant, but not admin.
      JsonObject forbidden = new JsonObject().put("message", "User 'other' lacks permission admin").put("code", "FORBIDDEN");
      for (Http.Request request : List.of(http.get("/admin/plugins"), http.post("/admin/plugins/" + FIXTURE_OPERATIONS + "/stop"),
          http.post("/admin/plugins/" + FIXTURE_OPERATIONS + "/start"), http.post("/admin/plugins/load"))) {
        Response r = request.as("other", "other-secret").send();
        assertEquals(403, r.status(), r::toString);
        assertEquals(forbidden, r.json());
      }
      assertEquals(200, admin(http.post(ECHO)).send().status(), "the plugin still serves: nothing was stopped");
      assertEquals(200, admin(http.get("/admin/plugins")).send().status());
    }
  }

  @Test
  void a_plugin_dropped_into_the_directory_is_loaded_without_a_restart() {
    Path dir = TestPlugins.directoryWith(FIXTURE_OPERATIONS);
    try (TestGateway gateway = gatewayWith(dir)) {
      Http http = gateway.http();
      assertEquals(503, admin(http.get("/fixture/jackson")).send().status());

      TestPlugins.copyInto(dir, FIXTURE_OLD_JACKSON);
      Response loaded = admin(http.post("/admin/plugins/load")).body("{\"file\": \"fixture-old-jackson.jar\"}").send();
      assertEquals(200, loaded.status(), loaded::toString);
      assertEquals("fixture-old-jackson", loaded.json().getString("id"));
      assertEquals("STARTED", loaded.json().getString("state"));
      assertEquals(new JsonArray().add("jackson-version"), loaded.json().getJsonArray("extensions"));
      assertEquals(200, admin(http.get("/fixture/jackson")).send().status());

      Response again = admin(http.post("/admin/plugins/load")).body("{\"file\": \"fixture-old-jackson.jar\"}").send();
      assertEquals(409, again.status(), again::toString);
      assertEquals("PLUGIN_LOAD_FAILED", again.json().getString("code"));
    }
  }

  @Test
  void loading_without_a_file_picks_up_every_new_file() {
    Path dir = TestPlugins.directoryWith();
    try (TestGateway gateway = gatewayWith(dir)) {
      Http http = gateway.http();
      TestPlugins.copyInto(dir, FIXTURE_OPERATIONS);
      TestPlugins.copyInto(dir, FIXTURE_OLD_JACKSON);
      Response r = admin(http.post("/admin/plugins/load")).send();
      assertEquals(200, r.status(), r::toString);
      assertEquals(List.of(FIXTURE_OLD_JACKSON, FIXTURE_OPERATIONS),
          r.json().getJsonArray("loaded").stream().map(p -> ((JsonObject) p).getString("id")).sorted().toList());
      assertEquals(200, admin(http.post(ECHO)).send().status());
      assertEquals(0, admin(http.post("/admin/plugins/load")).send().json().getJsonArray("loaded").size());
    }
  }

  @Test
  void the_admin_api_lists_plugins_with_their_routes_and_refuses_bad_requests() {
    try (TestGateway gateway = gatewayWith(TestPlugins.directoryWith(FIXTURE_OPERATIONS))) {
      Http http = gateway.http();
      JsonObject list = admin(http.get("/admin/plugins")).send().json();
      assertEquals("1.0.0", list.getString("apiVersion"));
      JsonObject plugin = list.getJsonArray("plugins").getJsonObject(0);
      assertEquals(FIXTURE_OPERATIONS, plugin.getString("id"));
      assertEquals("1.0.0", plugin.getString("version"));
      assertEquals(">=1.0.0 & <2.0.0", plugin.getString("requires"));
      assertTrue(plugin.getJsonArray("extensions").contains("echo"), plugin::encode);
      assertEquals(new JsonArray().add(new JsonObject().put("method", "POST").put("path", "/fixture/{tenantLocator}/echo")
          .put("operation", "echo").put("permission", "events:write")), plugin.getJsonArray("routes"));

      assertEquals(404, admin(http.post("/admin/plugins/nope/start")).send().status());
      assertEquals(404, admin(http.post("/admin/plugins/nope/stop")).send().status());
      assertEquals(400, admin(http.post("/admin/plugins/load")).body("{\"file\": \"../../etc/passwd\"}").send().status());
      assertEquals(404, admin(http.post("/admin/plugins/load")).body("{\"file\": \"absent.jar\"}").send().status());
      assertEquals(400, admin(http.post("/admin/plugins/load")).body("not json").send().status());
    }
  }

  @Test
  void the_admin_api_needs_the_admin_permission() {
    try (TestGateway gateway = gatewayWith(TestPlugins.directoryWith(FIXTURE_OPERATIONS))) {
      Http http = gateway.http();
      assertEquals(401, http.get("/admin/plugins").send().status());
      assertEquals(403, http.get("/admin/plugins").as("reader", "reader-secret").send().status());
      assertEquals(403, http.post("/admin/plugins/" + FIXTURE_OPERATIONS + "/stop").as("reader", "reader-secret").send().status());
      assertEquals("STARTED", admin(http.get("/admin/plugins")).send().json()
          .getJsonArray("plugins").getJsonObject(0).getString("state"));
    }
  }

  @Test
  void a_zip_plugin_with_its_code_in_lib_is_loaded_and_served() throws Exception {
    Path dir = TestPlugins.directoryWith();
    // PF4J's zip layout: a descriptor at the top and the plugin's jars under lib/.
    try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(
        java.nio.file.Files.newOutputStream(dir.resolve("zipped.zip")))) {
      zip.putNextEntry(new java.util.zip.ZipEntry("plugin.properties"));
      zip.write(("plugin.id=" + FIXTURE_OPERATIONS + "\nplugin.version=1.0.0\nplugin.requires=>=1.0.0 & <2.0.0\n").getBytes());
      zip.closeEntry();
      zip.putNextEntry(new java.util.zip.ZipEntry("lib/fixture-operations.jar"));
      java.nio.file.Files.copy(TestPlugins.jar(FIXTURE_OPERATIONS), zip);
      zip.closeEntry();
    }
    try (TestGateway gateway = gatewayWith(dir)) {
      Response r = admin(gateway.http().post(ECHO)).send();
      assertEquals(200, r.status(), r::toString);
      assertTrue(r.json().getBoolean("contextClassLoaderIsPlugins"));
    }
  }

  @Test
  void a_plugin_requiring_another_api_version_is_disabled_with_the_reason() throws Exception {
    Path dir = TestPlugins.directoryWith();
    withManifest(TestPlugins.jar(FIXTURE_OPERATIONS), dir.resolve("future.jar"), "future-plugin", ">=2.0.0 & <3.0.0");
    try (TestGateway gateway = gatewayWith(dir)) {
      JsonObject plugin = admin(gateway.http().get("/admin/plugins")).send().json().getJsonArray("plugins").getJsonObject(0);
      assertEquals("future-plugin", plugin.getString("id"));
      assertEquals("DISABLED", plugin.getString("state"));
      assertEquals("requires plugin API >=2.0.0 & <3.0.0, this gateway provides 1.0.0", plugin.getString("problem"));
      assertEquals(false, plugin.getBoolean("serving"));
    }
  }

  /** A copy of a Maven-built plugin jar with another id and requirement in its manifest. */
  private static void withManifest(Path source, Path target, String id, String requires) throws Exception {
    try (java.util.jar.JarFile in = new java.util.jar.JarFile(source.toFile())) {
      java.util.jar.Manifest manifest = in.getManifest();
      manifest.getMainAttributes().putValue("Plugin-Id", id);
      manifest.getMainAttributes().putValue("Plugin-Requires", requires);
      try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(
          java.nio.file.Files.newOutputStream(target), manifest)) {
        for (java.util.Enumeration<java.util.jar.JarEntry> e = in.entries(); e.hasMoreElements(); ) {
          java.util.jar.JarEntry entry = e.nextElement();
          if (entry.getName().equals(java.util.jar.JarFile.MANIFEST_NAME)) {
            continue;
          }
          out.putNextEntry(new java.util.jar.JarEntry(entry.getName()));
          in.getInputStream(entry).transferTo(out);
          out.closeEntry();
        }
      }
    }
  }

  @Test
  void a_required_plugin_that_is_missing_stops_start_up_naming_it() {
    String schema = TestDatabase.newSchema(PluginLifecycleTest.class);
    try {
      GatewayConfig config = TestGateway.load(TestGateway.testConfig(), schema)
          .withPlugins(new PluginsConfig(TestPlugins.directoryWith().toString(), 5_000, 4, 10,
              Map.of("billing", new InstalledPluginConfig(true, Map.of()))));
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> TestGateway.start(config));
      assertTrue(e.getMessage().contains("required plugins are not started: billing (not found in"), e.getMessage());
    } finally {
      TestDatabase.dropSchema(schema);
    }
  }

  private static Http.Request admin(Http.Request request) {
    return request.as("admin", "admin-secret");
  }
}
