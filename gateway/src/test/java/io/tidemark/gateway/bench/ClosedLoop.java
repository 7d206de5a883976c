package io.tidemark.gateway.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A closed-loop HTTP load generator: {@code connections} callers, each on a keep-alive HTTP/1.1
 * connection of its own, send their next request as soon as the previous answer has been read.
 * Closed loop, so the load adapts to the server: a slow gateway gets fewer requests, and latency
 * is what a caller with one request in flight sees. It uses Vert.x's own client: no tool beyond
 * what the build already provides, and little CPU next to the gateway on a small machine.
 */
final class ClosedLoop implements AutoCloseable {

  private final HttpClientAgent client;
  private final int connections;

  ClosedLoop(Vertx vertx, String host, int port, int connections) {
    this.connections = connections;
    this.client = vertx.createHttpClient(
        new HttpClientOptions()
            .setProtocolVersion(HttpVersion.HTTP_1_1)
            .setDefaultHost(host)
            .setDefaultPort(port)
            .setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(connections));
    // Loads Jackson now rather than on an event loop at the first error answer, mid-row.
    FailureKey.of(500, "{}");
  }

  /** Repeats {@code call} from every connection for {@code duration}, then waits for the last answers. */
  Summary run(Call call, Duration duration) throws InterruptedException {
    Recorder recorder = new Recorder();
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    CountDownLatch done = new CountDownLatch(connections);
    for (int i = 0; i < connections; i++) {
      next(call, end, recorder, done);
    }
    if (!done.await(duration.toSeconds() + 60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("requests still unanswered a minute after the row ended");
    }
    // Until the last answer, not the nominal end: the calls started before the end count, and
    // so does the time they took.
    return recorder.summary((System.nanoTime() - start) / 1e9);
  }

  private void next(Call call, long end, Recorder recorder, CountDownLatch done) {
    long t0 = System.nanoTime();
    if (t0 - end >= 0) {
      done.countDown();
      return;
    }
    client.request(call.options())
        .compose(request -> request.send(call.body()))
        .compose(response -> response.body().map(body -> response.statusCode() / 100 == 2
            ? null
            : FailureKey.of(response.statusCode(), body.toString())))
        .onComplete(outcome -> {
          recorder.record(System.nanoTime() - t0, outcome.succeeded() ? outcome.result() : FailureKey.of(outcome.cause()));
          next(call, end, recorder, done);
        });
  }

  @Override
  public void close() throws Exception {
    client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Answers arrive on several event loops: one lock, held for a few nanoseconds per call. */
  private static final class Recorder {
    private long[] latencies = new long[1 << 16];
    private int count;
    private final Map<String, Long> failures = new HashMap<>();

    synchronized void record(long nanos, String failure) {
      if (count == latencies.length) {
        latencies = Arrays.copyOf(latencies, count * 2);
      }
      latencies[count++] = nanos;
      if (failure != null) {
        failures.merge(failure, 1L, Long::sum);
      }
    }

    synchronized Summary summary(double seconds) {
      return Summary.of(Arrays.copyOf(latencies, count), seconds, failures);
    }
  }
}
