package io.tidemark.gateway.stream;

import static io.tidemark.gateway.TestGateway.DEMO_TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.Poll;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.config.LiveConfig;
import io.tidemark.gateway.store.AppendRequest;
import io.tidemark.gateway.store.NewEvent;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A live client that stops reading is disconnected once it has read nothing for
 * {@code live.slowClientSeconds}, and counted; a reader beside it gets every event meanwhile.
 */
class SlowLiveClientTest {

  private static final String LIVE = "/event/" + DEMO_TENANT + "/events/live";
  private static final int EVENTS = 200;
  /** 200 events of 50 KiB: 10 MB, more than the kernel's socket buffers hold for a client that reads nothing. */
  private static final String BULK = "x".repeat(50 * 1024);

  @Test
  void a_client_that_stops_reading_is_disconnected_and_counted_while_another_reads_on() throws Exception {
    try (TestGateway gateway = TestGateway.startInFreshSchema(TestGateway.shippedConfig(), SlowLiveClientTest.class,
            c -> c.withLive(new LiveConfig(10, 1, 2, 60)));
        Socket stalled = new Socket();
        SseClient reader = SseClient.open(gateway.gateway().port(), LIVE, "reader", "reader-secret", null)) {
      assertEquals(200, reader.status);
      stalled.setReceiveBufferSize(4096);
      stalled.connect(new InetSocketAddress("127.0.0.1", gateway.gateway().port()));
      OutputStream out = stalled.getOutputStream();
      out.write(("GET " + LIVE + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nAuthorization: Basic "
          + Base64.getEncoder().encodeToString("reader:reader-secret".getBytes(StandardCharsets.UTF_8)) + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertTrue(statusLine(stalled.getInputStream()).startsWith("HTTP/1.1 200"), "the stalled client's stream opened");
      Poll.until(() -> connections(gateway) == 2 ? true : null, "two live connections open");
      double disconnectedBefore = slowDisconnects(gateway);

      // From here on the stalled client reads nothing.
      for (int i = 0; i < EVENTS; i++) {
        TestGateway.await(gateway.gateway().appender().append(new AppendRequest(UUID.fromString(DEMO_TENANT), null,
            "bulk-" + i, List.of(new NewEvent("bulk.loaded", new JsonObject().put("n", i).put("payload", BULK))))));
      }

      List<SseClient.Frame> frames = reader.next(EVENTS, 60);
      for (int i = 0; i < EVENTS; i++) {
        assertEquals(i, frames.get(i).data().getJsonObject("data").getInteger("n"), "the reader gets every event, in order");
      }
      Poll.until(() -> slowDisconnects(gateway) > disconnectedBefore ? true : null, "the stalled client counted as disconnected");
      assertEquals(disconnectedBefore + 1, slowDisconnects(gateway), "only the stalled client");
      Poll.until(() -> connections(gateway) == 1 ? true : null, "only the reader still connected");
      assertTrue(closedByPeer(stalled), "the stalled client's connection is closed");
    }
  }

  /** Reads the response up to the end of its status line, byte by byte: nothing of the body. */
  private static String statusLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = in.read()) != -1 && b != '\n') {
      line.append((char) b);
    }
    return line.toString();
  }

  /** Drains what the kernel kept for the stalled socket: it ends in a reset or end-of-stream. */
  private static boolean closedByPeer(Socket socket) {
    try {
      socket.setSoTimeout(10_000);
      byte[] buffer = new byte[65536];
      while (socket.getInputStream().read(buffer) != -1) {
        // what was in flight when the gateway gave up on it
      }
      return true;
    } catch (java.net.SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  private static double slowDisconnects(TestGateway gateway) {
    return metric(gateway, "tidemark_live_disconnects_total\\{reason=\"slow\"\\}");
  }

  private static double connections(TestGateway gateway) {
    return metric(gateway, "tidemark_live_connections");
  }

  private static double metric(TestGateway gateway, String series) {
    String scrape = gateway.http().get("/metrics").send().body();
    Matcher m = Pattern.compile("(?m)^" + series + " (\\S+)$").matcher(scrape);
    assertTrue(m.find(), series + " in the scrape");
    return Double.parseDouble(m.group(1));
  }
}
