package io.tidemark.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.config.DatabaseUrl;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway as an operator runs it: a JVM of its own, started on a config file, stopped with SIGTERM. */
class MainProcessTest {


  @TempDir
  Path dir;

  /** A schema of its own, and fewer connections than the defaults: other test classes share the server. */
  private static String smallPools(String schema) {
    return "database:\n  schema: " + schema + "\n  poolSize: 3\nscheduling:\n  threadCount: 1\n";
  }

  @Test
  void a_bad_config_stops_start_up_with_exit_code_2_naming_the_key() throws Exception {
    Path config = copyTestConfig("tenants:\n  - name: extra\n    locator: nope\n    orgId: 1\n");
    Process process = start(config);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS));
    String output = Files.readString(dir.resolve("out.log"));
    assertEquals(2, process.exitValue(), output);
    assertTrue(output.contains("tidemark: configuration error:"), output);
    assertTrue(Pattern.compile("tenants\\[\\d+]\\.locator: invalid value 'nope' \\(expected a UUID\\)").matcher(output).find(),
        "names the key, the value and what was expected:\n" + output);
  }

  @Test
  void a_broken_plugin_jar_is_logged_and_skipped_and_sigterm_stops_cleanly() throws Exception {
    String schema = TestDatabase.newSchema(MainProcessTest.class);
    Path config = copyTestConfig(smallPools(schema));
    Files.createDirectories(dir.resolve("plugins"));
    Files.writeString(dir.resolve("plugins").resolve("broken.jar"), "not a jar");
    Process process = start(config);
    try {
      int port = awaitPort(process);
      assertTrue(readLog().contains("plugin file broken.jar skipped: "), this::readLog);
      Http http = new Http("http://127.0.0.1:" + port);
      assertEquals(200, http.get("/health").send().status());
      assertEquals(200, http.get("/event/" + TestGateway.DEMO_TENANT + "/events/list").as("reader", "reader-secret").send().status());

      process.destroy(); // SIGTERM

      assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the gateway exits after SIGTERM");
      String output = Files.readString(dir.resolve("out.log"));
      assertEquals(143, process.exitValue(), output); // 128 + SIGTERM, after the shutdown hook ran
      int http0 = output.indexOf("HTTP servers stopped");
      int drained = output.indexOf("pending appends drained");
      int stopped = output.indexOf("Tidemark stopped");
      int plugins = output.indexOf("plugins stopped");
      assertTrue(http0 > 0 && plugins > http0 && drained > plugins && stopped > drained,
          "stops HTTP, then plugins, then drains, then ends:\n" + output);
    } finally {
      process.destroyForcibly();
      TestDatabase.dropSchema(schema);
    }
  }

  @Test
  void sigterm_lets_a_request_in_flight_finish_before_exiting() throws Exception {
    String schema = TestDatabase.newSchema(MainProcessTest.class);
    Path config = copyTestConfig(smallPools(schema));
    Process process = start(config);
    DatabaseUrl url = DatabaseUrl.parse(TestDatabase.url());
    try (Connection blocker = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password())) {
      int port = awaitPort(process);
      // Hold the event table so a list request is stuck in the database: a request in flight.
      blocker.setAutoCommit(false);
      blocker.createStatement().execute("LOCK TABLE " + schema + ".event IN ACCESS EXCLUSIVE MODE");
      CompletableFuture<HttpResponse<String>> inFlight = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
          .sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/event/" + TestGateway.DEMO_TENANT
                  + "/events/list")).header("Authorization", "Basic " + java.util.Base64.getEncoder()
                  .encodeToString("reader:reader-secret".getBytes())).build(),
              HttpResponse.BodyHandlers.ofString());
      awaitLogLine("Tidemark listening");
      awaitBlockedQuery(blocker, schema);

      process.destroy(); // SIGTERM while the request waits
      awaitLogLine("Tidemark shutting down");
      // A graceful server does not call itself stopped while a request is in flight: watch for
      // half a second (an immediate close logs it within about 50 ms).
      long watchUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
      while (System.nanoTime() < watchUntil) {
        assertFalse(readLog().contains("HTTP servers stopped"), "HTTP stopped with a request in flight");
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
      }
      assertTrue(process.isAlive(), "the gateway waits for the request in flight");
      blocker.commit(); // the database answers; the request can finish

      HttpResponse<String> response = inFlight.get(30, TimeUnit.SECONDS);
      assertEquals(200, response.statusCode(), response::body);
      assertTrue(process.waitFor(60, TimeUnit.SECONDS), "then it exits");
      assertEquals(143, process.exitValue());
      assertTrue(readLog().contains("Tidemark stopped"), this::readLog);
    } finally {
      process.destroyForcibly();
      TestDatabase.dropSchema(schema);
    }
  }

  /** Polls pg_stat_activity, with a deadline, until the gateway's list query waits on the lock. */
  private static void awaitBlockedQuery(Connection observer, String schema) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    try (Connection c = DriverManager.getConnection(observer.getMetaData().getURL(),
        DatabaseUrl.parse(TestDatabase.url()).user(), DatabaseUrl.parse(TestDatabase.url()).password())) {
      while (System.nanoTime() < deadline) {
        ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM pg_stat_activity"
            + " WHERE application_name = 'tidemark' AND wait_event_type = 'Lock'");
        rs.next();
        if (rs.getInt(1) > 0) {
          return;
        }
        Thread.onSpinWait();
      }
    }
    throw new AssertionError("the list request never reached the database");
  }

  private void awaitLogLine(String line) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!readLog().contains(line)) {
      assertTrue(System.nanoTime() < deadline, () -> "no '" + line + "' in: " + readLog());
      Thread.onSpinWait();
    }
  }

  private Path copyTestConfig(String extraYaml) throws IOException {
    Path source = TestGateway.testConfig().getParent();
    Files.copy(source.resolve("users.htpasswd"), dir.resolve("users.htpasswd"));
    Path config = dir.resolve("gateway.yaml");
    String yaml = Files.readString(source.resolve("gateway.yaml"));
    if (extraYaml.startsWith("tenants:")) {
      yaml = yaml.replace("tenants:\n", extraYaml);
    } else {
      yaml = yaml + extraYaml;
    }
    Files.writeString(config, yaml);
    return config;
  }

  private Process start(Path config) throws IOException {
    return GatewayProcesses.start(config, dir.resolve("out.log"));
  }

  /** Polls the log, with a deadline, for the port the gateway bound. */
  private int awaitPort(Process process) throws Exception {
    return GatewayProcesses.awaitPort(process, dir.resolve("out.log"), java.time.Duration.ofSeconds(60));
  }

  private String readLog() {
    return GatewayProcesses.read(dir.resolve("out.log"));
  }
}
