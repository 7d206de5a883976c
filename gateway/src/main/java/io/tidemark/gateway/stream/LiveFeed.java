package io.tidemark.gateway.stream;

import io.tidemark.gateway.config.DatabaseConfig;
import io.tidemark.gateway.store.Database;
import io.tidemark.gateway.store.LiveChannel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.pubsub.PgSubscriber;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes this instance's live readers when a tenant's stream grows, on whichever instance it grew:
 * every commit {@code NOTIFY}s the tenants it appended to, and one connection per instance
 * {@code LISTEN}s. A notification only says "look": the readers then read the store, which is
 * the truth, so a notification lost (during a reconnection, say) delays events but never loses
 * or reorders them; each reader also looks every {@code live.pollSeconds} anyway.
 */
public final class LiveFeed {

  private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);
  private static final long MAX_BACKOFF_MILLIS = 10_000;

  private final PgSubscriber subscriber;
  private final Map<UUID, Set<LiveSession>> sessions = new ConcurrentHashMap<>();
  /** Per tenant with live readers here: its newest events, read once per notification for all of them. */
  private final Map<UUID, TenantTail> tails = new ConcurrentHashMap<>();
  private final List<Runnable> commitListeners = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private LiveFeed(PgSubscriber subscriber) {
    this.subscriber = subscriber;
  }

  /** Connects the listening connection (its own, outside the pool). */
  public static Future<LiveFeed> start(Vertx vertx, DatabaseConfig database) {
    PgSubscriber subscriber = PgSubscriber.subscriber(vertx,
        Database.connectOptions(database).addProperty("application_name", "tidemark-live-" + database.schema()));
    LiveFeed feed = new LiveFeed(subscriber);
    subscriber.reconnectPolicy(attempt -> Math.min(MAX_BACKOFF_MILLIS, 100L << Math.min(attempt, 10)));
    subscriber.channel(LiveChannel.of(database.schema()))
        // After each (re)connection: what committed meanwhile was never announced.
        .subscribeHandler(v -> feed.wakeAll())
        .handler(feed::announced);
    return subscriber.connect().map(feed)
        .recover(failure -> subscriber.close().transform(closed -> Future.failedFuture(failure)));
  }

  /** Runs {@code listener} (on the listening connection's thread) whenever some tenant's stream may have grown. */
  public void onCommit(Runnable listener) {
    commitListeners.add(listener);
  }

  /** The tail that live readers of {@code tenant} share on this instance. */
  TenantTail tail(UUID tenant, StreamQueries queries) {
    return tails.computeIfAbsent(tenant, t -> new TenantTail(t, queries));
  }

  void add(LiveSession session) {
    sessions.computeIfAbsent(session.tenant(), t -> ConcurrentHashMap.newKeySet()).add(session);
  }

  void remove(LiveSession session) {
    Set<LiveSession> of = sessions.get(session.tenant());
    if (of != null) {
      of.remove(session);
      if (of.isEmpty()) {
        // Nobody follows it now: the next reader starts the tail afresh rather than catch up on it.
        TenantTail tail = tails.get(session.tenant());
        if (tail != null) {
          tail.reset();
        }
      }
    }
  }

  boolean closed() {
    return closed;
  }

  private void announced(String tenant) {
    commitListeners.forEach(Runnable::run);
    try {
      UUID locator = UUID.fromString(tenant);
      Set<LiveSession> of = sessions.get(locator);
      TenantTail tail = tails.get(locator);
      if (of == null || of.isEmpty() || tail == null) {
        return;
      }
      tail.refresh().onComplete(read -> of.forEach(read.succeeded() ? LiveSession::wake : LiveSession::wakeFromStore));
    } catch (IllegalArgumentException e) {
      LOG.warn("live: a notification that is not a tenant locator: '{}'", tenant);
    }
  }

  private void wakeAll() {
    commitListeners.forEach(Runnable::run);
    tails.values().forEach(TenantTail::reset); // what committed while not listening never reached them
    sessions.values().forEach(of -> of.forEach(LiveSession::wakeFromStore));
  }

  /** Ends every live response (a shutdown must not wait for endless streams), then stops listening. */
  public Future<Void> close() {
    closed = true;
    sessions.values().forEach(of -> of.forEach(LiveSession::end));
    return subscriber.close();
  }
}
