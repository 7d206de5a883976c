package io.tidemark.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.config.DatabaseUrl;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM while 16 clients issue policies as fast as they can, each on a keep-alive connection:
 * every request the gateway had taken before the signal is answered, every acknowledged call is
 * in the store with all its events, and nothing answers 500.
 */
class ShutdownUnderLoadTest {

  private static final int CLIENTS = 16;
  private static final String AUTH = "Basic " + Base64.getEncoder().encodeToString("admin:admin-secret".getBytes(StandardCharsets.UTF_8));
  private static final byte[] POLICY = ("{\"productName\":\"home\",\"startTime\":\"2026-01-01T00:00:00Z\","
      + "\"endTime\":\"2030-01-01T00:00:00Z\",\"premium\":120.5}").getBytes(StandardCharsets.UTF_8);

  @TempDir
  Path dir;

  /** One request: when its bytes were all written, and what came back (status -1: nothing, the connection ended). */
  private record Attempt(String requestId, long writtenAt, int status, long answeredAt, String error) {}

  @Test
  void sigterm_under_load_answers_every_request_taken_and_stores_every_acknowledged_call() throws Exception {
    String schema = TestDatabase.newSchema(ShutdownUnderLoadTest.class);
    Process process = start(schema);
    try {
      int port = GatewayProcesses.awaitPort(process, dir.resolve("out.log"), java.time.Duration.ofSeconds(60));
      ConcurrentLinkedQueue<Attempt> attempts = new ConcurrentLinkedQueue<>();
      List<Thread> clients = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        Thread client = new Thread(() -> issueUntilRefused(port, attempts), "client-" + i);
        client.start();
        clients.add(client);
      }
      Poll.until(() -> attempts.stream().filter(a -> a.status() == 201).count() >= 300, "300 policies issued under load");

      long sigtermAt = System.nanoTime();
      process.destroy(); // SIGTERM
      for (Thread client : clients) {
        client.join(TimeUnit.SECONDS.toMillis(60));
        assertTrue(!client.isAlive(), "a client still runs a minute after SIGTERM");
      }
      assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the gateway exits");
      assertEquals(143, process.exitValue(), this::readLog);

      List<Attempt> taken = attempts.stream().filter(a -> a.writtenAt() < sigtermAt).toList();
      List<Attempt> unanswered = taken.stream().filter(a -> a.status() == -1).toList();
      assertEquals(List.of(), unanswered, "requests sent before SIGTERM that got no answer");
      assertTrue(taken.stream().anyMatch(a -> a.answeredAt() > sigtermAt),
          "some requests were in flight at SIGTERM, and were answered after it");
      Map<Integer, Long> statuses = attempts.stream().filter(a -> a.status() != -1)
          .collect(Collectors.groupingBy(Attempt::status, Collectors.counting()));
      assertTrue(statuses.keySet().stream().allMatch(s -> s == 201 || s == 503), "statuses: " + statuses);

      Map<String, Integer> stored = eventsByRequest(schema);
      List<String> lost = attempts.stream().filter(a -> a.status() == 201)
          .filter(a -> stored.getOrDefault(a.requestId(), 0) != 2).map(Attempt::requestId).toList();
      assertEquals(List.of(), lost, "acknowledged policies without both their events in the store");
    } finally {
      process.destroyForcibly();
      TestDatabase.dropSchema(schema);
    }
  }

  /** One client: keep-alive requests until a connection is refused (the gateway stopped accepting). */
  private static void issueUntilRefused(int port, ConcurrentLinkedQueue<Attempt> attempts) {
    while (true) {
      Socket socket;
      try {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(60_000);
      } catch (ConnectException refused) {
        return;
      } catch (IOException e) {
        return;
      }
      try (socket) {
        OutputStream out = socket.getOutputStream();
        InputStream in = new BufferedInputStream(socket.getInputStream());
        while (true) {
          String id = "shutdown-" + UUID.randomUUID();
          long writtenAt;
          try {
            out.write(("POST /policy/" + TestGateway.DEMO_TENANT + "/policies HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Authorization: " + AUTH + "\r\nContent-Type: application/json\r\nX-Request-Id: " + id + "\r\n"
                + "Content-Length: " + POLICY.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(POLICY);
            out.flush();
            writtenAt = System.nanoTime();
          } catch (IOException e) {
            attempts.add(new Attempt(id, Long.MAX_VALUE, -1, 0, e.toString()));
            break; // never fully sent: the server had closed the connection
          }
          Map<String, String> headers = new HashMap<>();
          int status;
          try {
            status = readResponse(in, headers);
          } catch (IOException e) {
            attempts.add(new Attempt(id, writtenAt, -1, 0, e.toString()));
            break;
          }
          attempts.add(new Attempt(id, writtenAt, status, System.nanoTime(), null));
          if ("close".equalsIgnoreCase(headers.get("connection"))) {
            break;
          }
        }
      } catch (IOException closing) {
        // next connection
      }
    }
  }

  /** Reads one response with a Content-Length body; its status, or an IOException when the connection ended first. */
  private static int readResponse(InputStream in, Map<String, String> headers) throws IOException {
    String statusLine = line(in);
    if (statusLine == null) {
      throw new IOException("connection closed before a response");
    }
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    for (String header; (header = line(in)) != null && !header.isEmpty(); ) {
      int colon = header.indexOf(':');
      headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    if (in.readNBytes(length).length < length) {
      throw new IOException("connection closed within a response body");
    }
    return status;
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int b; (b = in.read()) >= 0; ) {
      if (b == '\n') {
        String s = bytes.toString(StandardCharsets.US_ASCII);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      bytes.write(b);
    }
    return null;
  }

  private static Map<String, Integer> eventsByRequest(String schema) throws Exception {
    DatabaseUrl url = DatabaseUrl.parse(TestDatabase.url());
    Map<String, Integer> counts = new HashMap<>();
    try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
        ResultSet rs = c.createStatement().executeQuery(
            "SELECT request_id, count(*) FROM " + schema + ".event GROUP BY request_id")) {
      while (rs.next()) {
        counts.put(rs.getString(1), rs.getInt(2));
      }
    }
    return counts;
  }

  private Process start(String schema) throws IOException {
    Path source = TestGateway.testConfig().getParent();
    Files.copy(source.resolve("users.htpasswd"), dir.resolve("users.htpasswd"));
    String yaml = Files.readString(source.resolve("gateway.yaml")) + """
        database:
          schema: %s
          poolSize: 3
        scheduling:
          threadCount: 1
        logging:
          format: text
          accessLog: false
        plugins:
          directory: %s
        routes:
          - method: POST
            path: /policy/{tenantLocator}/policies
            operation: policy-lifecycle:issue-policy
            permission: events:write
        """.formatted(schema, TestPlugins.directoryWith(TestPlugins.POLICY_LIFECYCLE));
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(config, yaml);
    return GatewayProcesses.start(config, dir.resolve("out.log"));
  }

  private String readLog() {
    return GatewayProcesses.read(dir.resolve("out.log"));
  }
}
