package io.tidemark.gateway.stream;

import static io.tidemark.gateway.TestGateway.DEMO_TENANT;
import static io.tidemark.gateway.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.Http;
import io.tidemark.gateway.Http.Response;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.store.AppendRequest;
import io.tidemark.gateway.store.NewEvent;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Contract §3 guarantees 1-3 under concurrency: two gateway instances on one database, eight
 * writers with random small delays, and a reader that tails the stream with paging tokens
 * (alternating between the instances) while they write.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamOrderingTest {

  private static final int WRITERS = 8;
  private static final int CALLS_PER_WRITER = 250;
  private static final String LIST = "/event/" + DEMO_TENANT + "/events/list?pageSize=500";

  private TestGateway first;
  private TestGateway second;

  @BeforeAll
  void start() {
    first = TestGateway.startInFreshSchema(TestGateway.testConfig(), StreamOrderingTest.class);
    second = first.anotherInstance();
  }

  @AfterAll
  void stop() {
    second.close();
    first.close();
  }

  /** One API call as its writer saw it: when it was handed to the store and when the store confirmed it. */
  record Call(String requestId, int writer, int index, int events, long submittedNanos, long completedNanos) {}

  @Test
  void a_tailing_reader_sees_every_event_once_in_commit_order_while_two_instances_append() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    List<Future<List<Call>>> writers = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      int writer = w;
      TestGateway via = w % 2 == 0 ? first : second;
      writers.add(pool.submit(() -> write(via, run, writer)));
    }

    // Tail while the writers write; once they are all done, read until the stream is exhausted.
    List<JsonObject> seen = new ArrayList<>();
    String token = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    int page = 0;
    while (true) {
      assertTrue(System.nanoTime() < deadline, "reader did not catch up in time");
      boolean writersDone = writers.stream().allMatch(Future::isDone);
      Http via = (page++ % 2 == 0 ? first : second).http();
      JsonObject body = listPage(via, token);
      token = body.getString("pagingToken");
      body.getJsonArray("events").forEach(e -> seen.add((JsonObject) e));
      if (body.getJsonArray("events").isEmpty()) {
        if (writersDone) {
          break; // exhausted after every writer's last commit: nothing can be missing
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
      }
    }
    List<Call> calls = new ArrayList<>();
    for (Future<List<Call>> writer : writers) {
      calls.addAll(writer.get());
    }
    pool.shutdown();

    List<JsonObject> ours = seen.stream().filter(e -> e.getString("requestId").endsWith(run)).toList();
    int expected = calls.stream().mapToInt(Call::events).sum();
    assertTrue(expected > 2000, "a run long enough to catch interleavings: " + expected);

    // Exactly once: as many events as were appended, no locator twice.
    assertEquals(expected, ours.size());
    assertEquals(ours.size(), new HashSet<>(locators(ours)).size());

    // Nothing skipped: the tail equals the stream read again from the start.
    assertEquals(locators(readAll(first)), locators(seen));

    // Timestamps never decrease along the stream.
    for (int i = 1; i < seen.size(); i++) {
      Instant previous = Instant.parse(seen.get(i - 1).getString("timestamp"));
      Instant current = Instant.parse(seen.get(i).getString("timestamp"));
      assertFalse(current.isBefore(previous), "timestamp went back at stream index " + i);
    }

    // A call's events are contiguous and in emitted order.
    Map<String, Integer> streamIndexOfCall = new HashMap<>();
    for (int i = 0; i < ours.size(); i++) {
      String requestId = ours.get(i).getString("requestId");
      int index = ours.get(i).getJsonObject("data").getInteger("index");
      if (index == 0) {
        assertNull(streamIndexOfCall.put(requestId, i), requestId + " starts once");
      } else {
        assertEquals(i - index, streamIndexOfCall.get(requestId), "events of " + requestId + " are contiguous and ordered");
      }
    }

    // Each writer's calls appear in the order it made them.
    for (int w = 0; w < WRITERS; w++) {
      int writer = w;
      List<Integer> inStreamOrder = calls.stream().filter(c -> c.writer() == writer)
          .sorted(Comparator.comparingInt(c -> streamIndexOfCall.get(c.requestId())))
          .map(Call::index).toList();
      assertEquals(inStreamOrder.stream().sorted().toList(), inStreamOrder, "writer " + w);
    }

    // Completion order: a call confirmed before another was even submitted comes first in the stream.
    List<Call> byCompletion = calls.stream().sorted(Comparator.comparingLong(Call::completedNanos)).toList();
    List<Call> bySubmission = calls.stream().sorted(Comparator.comparingLong(Call::submittedNanos)).toList();
    int completed = 0;
    int latestIndex = -1;
    String latestCall = null;
    for (Call call : bySubmission) {
      while (completed < byCompletion.size() && byCompletion.get(completed).completedNanos() < call.submittedNanos()) {
        Call done = byCompletion.get(completed++);
        if (streamIndexOfCall.get(done.requestId()) > latestIndex) {
          latestIndex = streamIndexOfCall.get(done.requestId());
          latestCall = done.requestId();
        }
      }
      assertTrue(streamIndexOfCall.get(call.requestId()) > latestIndex,
          call.requestId() + " was submitted after " + latestCall + " completed, so it must come later");
    }
  }

  private static List<Call> write(TestGateway via, String run, int writer) {
    List<Call> calls = new ArrayList<>();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < CALLS_PER_WRITER; i++) {
      LockSupport.parkNanos(random.nextLong(0, 1_500_000)); // a random small delay between calls
      int events = random.nextInt(1, 5);
      List<NewEvent> batch = new ArrayList<>();
      for (int e = 0; e < events; e++) {
        batch.add(new NewEvent("ordering.test", new JsonObject().put("writer", writer).put("call", i).put("index", e)));
      }
      String requestId = "w" + writer + "-c" + i + "-" + run;
      long submitted = System.nanoTime();
      await(via.gateway().appender().append(new AppendRequest(UUID.fromString(DEMO_TENANT), null, requestId, batch)));
      calls.add(new Call(requestId, writer, i, events, submitted, System.nanoTime()));
    }
    return calls;
  }

  private static JsonObject listPage(Http http, String token) {
    Response r = http.get(LIST + (token == null ? "" : "&pagingToken=" + token)).as("reader", "reader-secret").send();
    assertEquals(200, r.status(), r::toString);
    return r.json();
  }

  private static List<JsonObject> readAll(TestGateway via) {
    List<JsonObject> all = new ArrayList<>();
    String token = null;
    while (true) {
      JsonObject body = listPage(via.http(), token);
      token = body.getString("pagingToken");
      if (body.getJsonArray("events").isEmpty()) {
        return all;
      }
      body.getJsonArray("events").forEach(e -> all.add((JsonObject) e));
    }
  }

  private static List<String> locators(List<JsonObject> events) {
    return events.stream().map(e -> e.getString("locator")).toList();
  }
}
