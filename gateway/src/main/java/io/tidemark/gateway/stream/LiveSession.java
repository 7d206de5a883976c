package io.tidemark.gateway.stream;

import io.tidemark.gateway.config.LiveConfig;
import io.tidemark.gateway.http.SignedTokens;
import io.tidemark.gateway.store.StoredEvent;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One live reader: reads its tenant's stream after its position, in pages, and writes each event
 * as a server-sent event whose {@code id} is a paging token for the position after it. Runs on
 * its request's context only. It writes only while the response's write queue has room and reads
 * on once it drained: a client that stops reading holds no more than the queue's limit and one
 * event in memory, and is disconnected after {@code live.slowClientSeconds}. Once caught up it
 * takes new events from its tenant's {@link TenantTail}, shared with the other readers; its first
 * read, its polls and any read the tail cannot serve go to the store.
 */
final class LiveSession {

  private static final Logger LOG = LoggerFactory.getLogger(LiveSession.class);
  static final int PAGE = 100;
  private static final Buffer HEARTBEAT = Buffer.buffer(": heartbeat\n\n");

  private final Vertx vertx;
  private final StreamQueries queries;
  private final SignedTokens tokens;
  private final StreamFilter filter;
  private final HttpServerResponse response;
  private final LiveConfig config;
  private final LiveMetrics metrics;
  private final TenantTail tail;
  private final io.vertx.core.Context context;
  private long position;
  private boolean reading;
  private boolean again;
  private boolean ended;
  private long heartbeat = -1;
  private long poll = -1;
  private long slowSince = -1;
  /** The next read goes to the store, not the shared tail: the first read, and every poll. */
  private boolean fromStore = true;

  LiveSession(Vertx vertx, StreamQueries queries, SignedTokens tokens, StreamFilter filter, long position,
      HttpServerResponse response, LiveConfig config, LiveMetrics metrics, TenantTail tail) {
    this.vertx = vertx;
    this.queries = queries;
    this.tokens = tokens;
    this.filter = filter;
    this.position = position;
    this.response = response;
    this.config = config;
    this.metrics = metrics;
    this.tail = tail;
    this.context = vertx.getOrCreateContext();
  }

  UUID tenant() {
    return filter.tenant();
  }

  /** Starts heartbeats and the safety-net poll, and reads what is already there. */
  void start() {
    heartbeat = vertx.setPeriodic(config.heartbeatSeconds() * 1000L, id -> {
      if (!response.writeQueueFull()) {
        response.write(HEARTBEAT);
      } else if (slowSince < 0) {
        slowSince = System.nanoTime();
        response.drainHandler(v -> {
          slowSince = -1;
          wake();
        });
      }
      checkSlow();
    });
    // The poll reads the store: it must find what a lost notification did not announce.
    poll = vertx.setPeriodic(config.pollSeconds() * 1000L, id -> wakeFromStore());
    wake();
  }

  /** There may be new events: read them (on this session's context, from any thread). */
  void wake() {
    context.runOnContext(v -> {
      if (ended) {
        return;
      }
      if (reading) {
        again = true; // read once more when this read is done: the new events may be behind it
        return;
      }
      read();
    });
  }

  /** As {@link #wake}, reading the store itself rather than the shared tail. */
  void wakeFromStore() {
    context.runOnContext(v -> {
      fromStore = true;
      wake();
    });
  }

  private void read() {
    if (response.writeQueueFull()) {
      // The client has not taken the last page yet: wait for it, then read.
      response.drainHandler(v -> {
        slowSince = -1;
        wake();
      });
      if (slowSince < 0) {
        slowSince = System.nanoTime();
      }
      return;
    }
    if (!fromStore) {
      TenantTail.Snapshot snapshot = tail.snapshot();
      Optional<TenantTail.Taken> taken = snapshot == null ? Optional.empty() : snapshot.after(position, filter, PAGE);
      if (taken.isPresent()) {
        again = false;
        write(taken.get().events(), taken.get().position());
        return;
      }
    }
    fromStore = false;
    reading = true;
    again = false;
    queries.page(filter, position, PAGE).onComplete(done -> {
      reading = false;
      if (ended) {
        return;
      }
      if (done.failed()) {
        // The store is away: try again at the next notification or poll; the client keeps its place.
        LOG.warn("live: reading the stream failed, retrying: {}", done.cause().toString());
        fromStore = true;
        return;
      }
      write(done.result(), -1);
    });
  }

  /**
   * Writes {@code events} up to the write queue's limit: what a client does not take waits in the
   * store, not in memory. Once all are written the reader is at {@code caughtUpTo} if that is
   * further (the tail was read past events the filter skips).
   */
  private void write(List<StoredEvent> events, long caughtUpTo) {
    int written = 0;
    while (written < events.size() && !response.writeQueueFull()) {
      StoredEvent event = events.get(written++);
      position = event.position();
      response.write(frame(event));
    }
    metrics.sent(written);
    if (written == events.size() && caughtUpTo > position) {
      position = caughtUpTo;
    }
    if (written < events.size() || events.size() == PAGE || again) {
      wake(); // a full queue makes read() wait for the drain
    }
  }

  private Buffer frame(StoredEvent event) {
    // One line of JSON (encode() never writes a newline): a data field may not contain one.
    return Buffer.buffer("id: " + tokens.issueCarrying(filter.canonical(), event.position()) + "\n"
        + "data: " + EventJson.text(event) + "\n\n");
  }

  private void checkSlow() {
    if (slowSince >= 0 && System.nanoTime() - slowSince > config.slowClientSeconds() * 1_000_000_000L) {
      LOG.info("live: disconnecting a client of tenant {} that read nothing for {} s", filter.tenant(), config.slowClientSeconds());
      metrics.disconnectedSlow();
      response.reset(); // its backlog is not worth sending: it resumes with its last id
      end();
    }
  }

  /** Stops reading; ends the response if it is still open. Idempotent. */
  void end() {
    context.runOnContext(v -> {
      if (ended) {
        return;
      }
      ended = true;
      vertx.cancelTimer(heartbeat);
      vertx.cancelTimer(poll);
      if (!response.ended() && !response.closed()) {
        response.end();
      }
    });
  }
}
