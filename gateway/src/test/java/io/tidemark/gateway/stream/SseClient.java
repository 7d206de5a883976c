package io.tidemark.gateway.stream;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A server-sent-events reader for tests: its frames arrive in a queue, read with a deadline. */
final class SseClient implements AutoCloseable {

  /** One dispatched event: its {@code id} and its {@code data} as JSON. */
  record Frame(String id, JsonObject data) {}

  final int status;
  final String contentType;
  private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> comments = new LinkedBlockingQueue<>();
  private final Stream<String> lines;
  private final Thread reader;
  final String body;

  private SseClient(HttpResponse<Stream<String>> response) {
    this.status = response.statusCode();
    this.contentType = response.headers().firstValue("Content-Type").orElse("");
    this.lines = response.body();
    if (status != 200) {
      this.body = String.join("\n", lines.toList());
      this.reader = null;
      return;
    }
    this.body = null;
    this.reader = new Thread(this::read, "sse-reader");
    reader.setDaemon(true);
    reader.start();
  }

  static SseClient open(int port, String pathAndQuery, String user, String password, String lastEventId) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
        .header("Accept", "text/event-stream")
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    CompletableFuture<HttpResponse<Stream<String>>> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build()
        .sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines());
    return new SseClient(response.get(30, TimeUnit.SECONDS));
  }

  private void read() {
    String id = null;
    StringBuilder data = new StringBuilder();
    try {
      for (String line : (Iterable<String>) lines::iterator) {
        if (line.isEmpty()) {
          if (data.length() > 0) {
            frames.add(new Frame(id, new JsonObject(data.toString())));
          }
          id = null;
          data.setLength(0);
        } else if (line.startsWith(":")) {
          comments.add(line);
        } else if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("data: ")) {
          data.append(line.substring(6));
        }
      }
    } catch (RuntimeException closed) {
      // the stream ended
    }
  }

  /** The next {@code n} frames, waiting at most {@code seconds} for all of them. */
  List<Frame> next(int n, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Frame> got = new ArrayList<>();
    while (got.size() < n) {
      Frame frame = frames.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (frame == null) {
        throw new AssertionError("got " + got.size() + " of " + n + " events within " + seconds + " s: " + got);
      }
      got.add(frame);
    }
    return got;
  }

  /** No frame within {@code millis}: what a filter must not let through. */
  Frame poll(long millis) throws InterruptedException {
    return frames.poll(millis, TimeUnit.MILLISECONDS);
  }

  String nextComment(int seconds) throws InterruptedException {
    return comments.poll(seconds, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    lines.close();
  }
}
