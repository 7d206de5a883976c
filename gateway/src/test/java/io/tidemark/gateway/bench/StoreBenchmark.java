package io.tidemark.gateway.bench;

import io.tidemark.gateway.Gateway;
import io.tidemark.gateway.Http;
import io.tidemark.gateway.TestDatabase;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.config.GatewayConfig;
import io.tidemark.gateway.config.StoreConfig;
import io.tidemark.gateway.store.AppendRequest;
import io.tidemark.gateway.store.NewEvent;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/tidemark bench}: prints append throughput and latency at several concurrency levels,
 * with group commit and with one commit per call, then list-page latency over HTTP. Figures,
 * not assertions: compare runs on the same machine.
 */
public final class StoreBenchmark {

  private static final UUID DEMO = UUID.fromString(TestGateway.DEMO_TENANT);
  private static final int SECONDS = Integer.getInteger("bench.seconds", 5);

  public static void main(String[] args) throws Exception {
    String schema = TestDatabase.newSchema(StoreBenchmark.class);
    GatewayConfig base = TestGateway.load(TestGateway.testConfig(), schema);
    try {
      System.out.printf("Tidemark store benchmark: %d s per row, 3 events per call, PostgreSQL %s%n%n",
          SECONDS, TestDatabase.url().replaceAll("//([^:]+):[^@]*@", "//$1:***@"));
      System.out.printf("%-22s %8s %10s %10s %9s %9s %9s%n", "append", "callers", "calls/s", "events/s", "p50 ms", "p99 ms", "max ms");
      for (int callers : new int[] {1, 8, 64}) {
        appendRow("group commit, linger 0", base, new StoreConfig(1000, 0), callers);
        appendRow("group commit, linger 1", base, new StoreConfig(1000, 1), callers);
        appendRow("one commit per call", base, new StoreConfig(1, 0), callers);
      }
      System.out.println();
      listRows(base);
    } finally {
      TestDatabase.dropSchema(schema);
    }
  }

  private static void appendRow(String label, GatewayConfig base, StoreConfig store, int callers) throws Exception {
    try (TestGateway gateway = TestGateway.start(base.withStore(store))) {
      Gateway g = gateway.gateway();
      ExecutorService pool = Executors.newFixedThreadPool(callers);
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
      List<Future<List<Long>>> workers = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        workers.add(pool.submit(() -> {
          List<Long> latencies = new ArrayList<>();
          List<NewEvent> events = List.of(event(), event(), event());
          while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            TestGateway.await(g.appender().append(new AppendRequest(DEMO, null, "bench-" + UUID.randomUUID(), events)));
            latencies.add(System.nanoTime() - t0);
          }
          return latencies;
        }));
      }
      List<Long> all = new ArrayList<>();
      for (Future<List<Long>> w : workers) {
        all.addAll(w.get());
      }
      pool.shutdown();
      long[] sorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
      System.out.printf("%-22s %8d %10.0f %10.0f %9.2f %9.2f %9.2f%n", label, callers,
          sorted.length / (double) SECONDS, 3.0 * sorted.length / SECONDS,
          ms(percentile(sorted, 0.50)), ms(percentile(sorted, 0.99)), ms(sorted[sorted.length - 1]));
    }
  }

  private static void listRows(GatewayConfig base) throws Exception {
    try (TestGateway gateway = TestGateway.start(base)) {
      long events = TestGateway.await(gateway.gateway().pool().query("SELECT count(*) FROM event").execute())
          .iterator().next().getLong(0);
      Http http = gateway.http();
      String list = "/event/" + TestGateway.DEMO_TENANT + "/events/list";
      System.out.printf("%-40s %9s %9s %9s   (stream of %d events)%n", "list (HTTP, sequential)", "p50 ms", "p99 ms", "max ms", events);
      listRow(http, "first page, pageSize=100", list + "?pageSize=100");
      listRow(http, "first page, pageSize=1000", list + "?pageSize=1000");
      String tail = http.get(list + "?pageSize=1000&startTimestamp=2100-01-01T00:00:00Z").as("reader", "reader-secret").send()
          .json().getString("pagingToken");
      listRow(http, "tail poll at the head (empty page)", list + "?pageSize=1000&startTimestamp=2100-01-01T00:00:00Z&pagingToken=" + tail);
      listRow(http, "one type, pageSize=100", list + "?pageSize=100&type=bench.absent");
    }
  }

  private static void listRow(Http http, String label, String path) {
    for (int i = 0; i < 50; i++) {
      http.get(path).as("reader", "reader-secret").send(); // warm-up
    }
    long[] samples = new long[500];
    for (int i = 0; i < samples.length; i++) {
      long t0 = System.nanoTime();
      Http.Response r = http.get(path).as("reader", "reader-secret").send();
      samples[i] = System.nanoTime() - t0;
      if (r.status() != 200) {
        throw new IllegalStateException(label + ": " + r);
      }
    }
    Arrays.sort(samples);
    System.out.printf("%-40s %9.2f %9.2f %9.2f%n", label,
        ms(percentile(samples, 0.50)), ms(percentile(samples, 0.99)), ms(samples[samples.length - 1]));
  }

  private static NewEvent event() {
    return new NewEvent("bench.event", new JsonObject().put("policyLocator", UUID.randomUUID().toString()).put("premium", 42.5));
  }

  private static long percentile(long[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  private static double ms(long nanos) {
    return nanos / 1_000_000.0;
  }
}
