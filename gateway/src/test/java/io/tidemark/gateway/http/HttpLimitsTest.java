package io.tidemark.gateway.http;

import static io.tidemark.gateway.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.Poll;
import io.tidemark.gateway.RawHttp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The HTTP server limits of {@code http.*}: one HttpVerticle per case, with a trivial router. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpLimitsTest {

  private Vertx vertx;
  private int limitedPort;
  private int idlePort;
  private int twoConnectionsPort;

  @BeforeAll
  void start() {
    vertx = Vertx.vertx();
    limitedPort = deploy(new HttpServerOptions().setMaxHeaderSize(2048).setMaxInitialLineLength(1024), 100);
    idlePort = deploy(new HttpServerOptions().setIdleTimeout(1).setIdleTimeoutUnit(TimeUnit.SECONDS), 100);
    // A server of its own: the connection-limit case leaves sockets whose close the server sees
    // only later, and a case run next on a shared two-connection server would be refused.
    twoConnectionsPort = deploy(new HttpServerOptions(), 2);
  }

  private int deploy(HttpServerOptions options, int maxConnections) {
    AtomicInteger port = new AtomicInteger();
    options.setPort(0).setHost("127.0.0.1");
    await(vertx.deployVerticle(new HttpVerticle(options, v -> {
      Router router = Router.router(v);
      router.get("/ok").handler(ctx -> ctx.json(new JsonObject().put("ok", true)));
      return router;
    }, 0, port::set, new ConnectionLimit(maxConnections))));
    return port.get();
  }

  @AfterAll
  void stop() {
    await(vertx.close());
  }

  @Test
  void headers_over_the_limit_are_a_json_431() {
    RawHttp.Response r = new RawHttp(limitedPort).send("GET /ok HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(3000), null);
    assertEquals(431, r.status(), r::toString);
    assertEquals("application/json", r.header("content-type"));
    assertEquals(new JsonObject().put("message", "The request headers are larger than the limit of 2048 bytes")
        .put("code", "HEADERS_TOO_LARGE"), r.jsonOrNull());
    assertTrue(r.header("x-request-id") != null);
  }

  @Test
  void a_request_line_over_the_limit_is_a_json_414() {
    String message = "The request line (method, URI and query) is longer than the limit of 1024 bytes";
    RawHttp.Response r = new RawHttp(limitedPort).send("GET /ok?q=" + "a".repeat(2000) + " HTTP/1.1\r\nHost: x", null);
    assertEquals(414, r.status(), r::toString);
    assertEquals(new JsonObject().put("message", message).put("code", "URI_TOO_LONG"), r.jsonOrNull());
  }

  @Test
  void within_the_limits_a_request_is_served() {
    RawHttp.Response r = new RawHttp(limitedPort).send("GET /ok?q=" + "a".repeat(900) + " HTTP/1.1\r\nHost: x\r\nX-Big: "
        + "a".repeat(1500), null);
    assertEquals(200, r.status(), r::toString);
  }

  @Test
  void an_idle_connection_is_closed() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", idlePort)) {
      socket.setSoTimeout(30_000);
      // Without the idle timeout this read would wait for the socket timeout and fail.
      assertEquals(-1, socket.getInputStream().read());
    }
  }

  @Test
  void connections_beyond_the_limit_are_closed_and_a_freed_slot_is_usable_again() throws IOException {
    try (Socket first = keepAlive(twoConnectionsPort); Socket second = keepAlive(twoConnectionsPort);
        Socket third = new Socket("127.0.0.1", twoConnectionsPort)) {
      third.setSoTimeout(30_000);
      assertEquals(-1, readAnswer(third, true), "a third connection is closed without an answer");
      first.close();
      // The slot frees once the server has seen the close: poll for it.
      Poll.until(() -> {
        try (Socket again = new Socket("127.0.0.1", twoConnectionsPort)) {
          again.setSoTimeout(30_000);
          return readAnswer(again, true) == 200 ? true : null;
        } catch (IOException e) {
          return null;
        }
      }, "a connection admitted after one closed");
    }
  }

  /** A connection that has been served once and stays open. */
  private static Socket keepAlive(int port) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(30_000);
    assertEquals(200, readAnswer(socket, true));
    return socket;
  }

  /** Sends a keep-alive GET /ok when {@code request}; the status read back, or -1 when the server closed. */
  private static int readAnswer(Socket socket, boolean request) throws IOException {
    if (request) {
      socket.getOutputStream().write("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
    }
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    try {
      int c;
      while ((c = in.read()) >= 0) {
        head.append((char) c);
        if (head.length() >= 12 && head.charAt(head.length() - 1) == '\n') {
          return Integer.parseInt(head.substring(9, 12));
        }
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no answer and no close within 30 s", e);
    } catch (IOException reset) {
      return -1;
    }
    return -1;
  }
}
