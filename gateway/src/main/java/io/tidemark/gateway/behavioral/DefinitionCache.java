package io.tidemark.gateway.behavioral;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tidemark.gateway.config.DatabaseConfig;
import io.tidemark.gateway.store.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The definitions webhook ingestion looks up, kept in memory so that an event costs no
 * definition query (and its regexes are compiled once, on load).
 *
 * <p>Every definition change {@code NOTIFY}s a channel of this database schema in its own
 * transaction; each gateway instance {@code LISTEN}s on it and drops the changed entry, so
 * another instance sees a change as soon as it commits. While the listening connection is down
 * nothing is cached (lookups go to the database), and when it is back the cache starts empty:
 * notifications sent in between were lost. Entries also expire after {@link #EXPIRY}, a safety
 * net should a notification go astray anyway.
 *
 * <p>Caffeine (already the credential cache's library) bounds the size and expires entries.
 * A lookup's result is kept only if nothing was invalidated while it was read, so a read that
 * raced a change cannot put the old definition back.
 */
public final class DefinitionCache {

  private static final Logger LOG = LoggerFactory.getLogger(DefinitionCache.class);
  static final Duration EXPIRY = Duration.ofSeconds(30);
  private static final int MAX_ENTRIES = 10_000;
  private static final long MAX_BACKOFF_MILLIS = 10_000;
  // PostgreSQL identifiers, channel names included, have at most 63 bytes.
  private static final int MAX_CHANNEL_BYTES = 63;

  private record Key(int orgId, String eventName) {}

  private final Cache<Key, Optional<Definition>> cache = Caffeine.newBuilder()
      .maximumSize(MAX_ENTRIES)
      .expireAfterWrite(EXPIRY)
      .build();
  private final Vertx vertx;
  private final DefinitionStore store;
  private final PgSubscriber subscriber;
  /** Changes with each invalidation; guarded by {@code this}. */
  private long generation;
  /** Whether change notifications are being received, so that entries can be trusted. */
  private volatile boolean listening;
  private final java.util.concurrent.atomic.AtomicLong announcementsHeard = new java.util.concurrent.atomic.AtomicLong();

  private DefinitionCache(Vertx vertx, Pool pool, PgSubscriber subscriber, String channel) {
    this.vertx = vertx;
    this.store = new DefinitionStore(pool, channel, this::invalidate);
    this.subscriber = subscriber;
  }

  /** Connects the listening connection (its own, outside the pool); fails if it cannot. */
  public static Future<DefinitionCache> start(Vertx vertx, DatabaseConfig database, Pool pool) {
    String channel = channel(database.schema());
    PgSubscriber subscriber = PgSubscriber.subscriber(vertx,
        Database.connectOptions(database).addProperty("application_name", "tidemark-listen-" + database.schema()));
    DefinitionCache definitions = new DefinitionCache(vertx, pool, subscriber, channel);
    subscriber.reconnectPolicy(attempt -> {
      if (attempt == 0) {
        definitions.stopTrusting("the listening connection was lost; reconnecting");
      }
      return Math.min(MAX_BACKOFF_MILLIS, 100L << Math.min(attempt, 10));
    });
    subscriber.channel(channel)
        // Called after every (re)connection's LISTEN: what changed meanwhile was never announced.
        .subscribeHandler(v -> definitions.startTrusting())
        .handler(definitions::changed);
    return subscriber.connect().map(definitions)
        .recover(failure -> subscriber.close().transform(closed -> Future.failedFuture(failure)));
  }

  public Future<Void> close() {
    listening = false;
    return subscriber.close();
  }

  /** The store, whose writes announce each change and drop it from this instance's cache on commit. */
  DefinitionStore store() {
    return store;
  }

  /**
   * A definition for ingestion: from memory when known, else from the database, with its
   * regexes compiled on a worker before it is kept.
   */
  Future<Optional<Definition>> find(int orgId, String eventName) {
    Key key = new Key(orgId, eventName);
    Optional<Definition> cached = cache.getIfPresent(key);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    long readAt = generation();
    return store.find(orgId, eventName)
        .compose(found -> found.isPresent() && found.get().hasRegex()
            ? vertx.executeBlocking(() -> found.map(Definition::prepared), false)
            : Future.succeededFuture(found))
        .onSuccess(found -> keep(key, found, readAt));
  }

  private synchronized long generation() {
    return generation;
  }

  private synchronized void keep(Key key, Optional<Definition> found, long readAt) {
    if (listening && generation == readAt) {
      cache.put(key, found);
    }
  }

  /** This instance's own change, as it commits (its notification follows, for the others). */
  synchronized void invalidate(int orgId, String eventName) {
    generation++;
    cache.invalidate(new Key(orgId, eventName));
  }

  /** How many change notifications this instance has heard; tests wait on it instead of on time. */
  long announcementsHeard() {
    return announcementsHeard.get();
  }

  /** Whether the listening connection is up, so that reads may be cached. */
  boolean listening() {
    return listening;
  }

  /** A notification: {@code orgId:eventName}. */
  private void changed(String payload) {
    announcementsHeard.incrementAndGet();
    int colon = payload == null ? -1 : payload.indexOf(':');
    try {
      invalidate(Integer.parseInt(payload.substring(0, colon)), payload.substring(colon + 1));
    } catch (RuntimeException e) {
      LOG.warn("unexpected definition change notification '{}'; dropping every cached definition", payload);
      invalidateAll();
    }
  }

  private synchronized void invalidateAll() {
    generation++;
    cache.invalidateAll();
  }

  private void startTrusting() {
    invalidateAll();
    listening = true;
  }

  private void stopTrusting(String why) {
    LOG.warn("definition cache off: {}", why);
    listening = false;
    invalidateAll();
  }

  /** The channel of this schema's definition changes: gateways on other schemas of the database do not hear them. */
  static String channel(String schema) {
    String channel = "tidemark_definitions." + schema;
    if (channel.getBytes(StandardCharsets.UTF_8).length <= MAX_CHANNEL_BYTES) {
      return channel;
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(schema.getBytes(StandardCharsets.UTF_8));
      return "tidemark_definitions." + HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
