package io.tidemark.gateway.delivery;

import io.micrometer.core.instrument.MeterRegistry;
import io.tidemark.gateway.behavioral.WebhookSignature;
import io.tidemark.gateway.config.DeliveryConfig;
import io.tidemark.gateway.store.AppendRequest;
import io.tidemark.gateway.store.EventAppender;
import io.tidemark.gateway.store.NewEvent;
import io.tidemark.gateway.store.StoredEvent;
import io.tidemark.gateway.stream.EventJson;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers subscriptions' events. This instance claims the subscriptions that have events due and
 * no live lease ({@code FOR UPDATE SKIP LOCKED}: two instances never claim the same one), every
 * {@code pollMillis} and whenever a commit is announced; each claimed subscription gets a turn:
 * its next page of events, sent one at a time in stream order, then the lease goes back and the
 * subscription queues behind those that waited longer. Every write names this instance as the
 * lease owner, so an instance that lost its lease (it stalled past it, another took over) changes
 * nothing. A crashed instance's subscriptions are taken over once their lease expires; the one
 * event it may have been sending is then sent again (receivers dedupe on {@code webhook-id}).
 */
public final class Deliverer {

  private static final Logger LOG = LoggerFactory.getLogger(Deliverer.class);
  private static final int RESPONSE_LIMIT = 1024;

  private static final String CLAIM = """
      UPDATE subscription s
         SET lease_owner = $1, lease_until = now() + $2 * interval '1 second'
       WHERE s.id IN (SELECT id FROM subscription
                       WHERE status = 'active' AND next_attempt_at <= now()
                         AND (lease_until IS NULL OR lease_until < now())
                         AND after_position < coalesce((SELECT last_position FROM stream_head h
                                                         WHERE h.tenant_locator = subscription.tenant_locator), 0)
                       ORDER BY next_attempt_at
                       FOR UPDATE SKIP LOCKED
                       LIMIT $3)
      RETURNING""" + " " + Subscription.COLUMNS;
  /** The subscription's next events: read a page at a time, sent one at a time. */
  private static final String NEXT_EVENTS = "SELECT " + StoredEvent.COLUMNS + """
       FROM event
      WHERE tenant_locator = $1 AND position > $2 AND (cardinality($3::text[]) = 0 OR type = ANY($3))
      ORDER BY position LIMIT $4""";
  private static final String RECORD = """
      INSERT INTO delivery_attempt (subscription_id, event_locator, event_position, attempted_at, status_code,
                                    response_time_ms, response, error)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""";
  /** A delivered event: its attempt recorded and the position moved on in one round trip, while the lease is ours. */
  private static final String DELIVERED = """
      WITH attempt AS (""" + RECORD + """
      )
      UPDATE subscription SET after_position = $3, attempt = 0, failing_since = NULL,
                              lease_until = now() + $9 * interval '1 second'
       WHERE id = $1 AND lease_owner = $10""";
  private static final String FAILED = """
      UPDATE subscription SET after_position = $3, attempt = $4, next_attempt_at = now() + $5 * interval '1 millisecond',
                              failing_since = coalesce(failing_since, $6), lease_owner = NULL, lease_until = NULL
       WHERE id = $1 AND lease_owner = $2
      RETURNING failing_since""";
  private static final String DISABLE = """
      UPDATE subscription SET status = 'disabled', disabled_reason = $3, lease_owner = NULL, lease_until = NULL
       WHERE id = $1 AND lease_owner IS NULL AND status = 'active' AND tenant_locator = $2""";

  private static final String ANY_ACTIVE = "SELECT EXISTS (SELECT 1 FROM subscription WHERE status = 'active')";

  /** Events read per turn: after them the subscription goes back to the queue, behind those that waited. */
  static final int PAGE = 100;
  /** Commit wake-ups claim at most this often: under a write storm, a claim per commit would be a query per commit. */
  private static final long WAKE_GAP_MILLIS = 10;
  private static final String RELEASE = """
      UPDATE subscription SET lease_owner = NULL, lease_until = NULL, next_attempt_at = now()
       WHERE id = $1 AND lease_owner = $2""";

  private final Vertx vertx;
  private final Context context;
  private final Pool pool;
  private final DeliveryConfig config;
  private final TargetGuard guard;
  private final EventAppender appender;
  private final Clock clock;
  private final DeliveryMetrics metrics;
  private final HttpClient client;
  /** Names this process, so that an operator (or a test) can tell which instance holds a lease. */
  private final String owner = "pid-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID();
  private final AtomicInteger running = new AtomicInteger();
  private long timer = -1;
  private volatile boolean stopped;
  /** Whether any subscription is active, as of the last poll: until then, assume so. */
  private volatile boolean anyActive = true;
  // On the deliverer's context only.
  private boolean claiming;
  private boolean claimAgain;
  private boolean wakeScheduled;
  private long lastClaimNanos;

  /** @param clock judges how long a subscription has been failing ({@code delivery.disableAfterHours}) */
  public Deliverer(Vertx vertx, Pool pool, DeliveryConfig config, EventAppender appender, Clock clock,
      MeterRegistry registry) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.pool = pool;
    this.config = config;
    this.guard = new TargetGuard(config);
    this.appender = appender;
    this.clock = clock;
    this.metrics = new DeliveryMetrics(registry);
    // Each subscription sends one request at a time: concurrency bounds the connections to one receiver.
    this.client = vertx.createHttpClient(new HttpClientOptions()
            .setConnectTimeout(config.timeoutMillis())
            .setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(config.concurrency()));
  }

  public void start() {
    context.runOnContext(v -> timer = vertx.setPeriodic(config.pollMillis(), id -> poll()));
  }

  /** The safety net, and the check that decides whether commits wake this deliverer at all. */
  private void poll() {
    pool.query(ANY_ACTIVE).execute().onComplete(done -> {
      if (done.succeeded()) {
        anyActive = done.result().iterator().next().getBoolean(0);
      }
      claim();
    });
  }

  public Future<Void> stop() {
    stopped = true;
    context.runOnContext(v -> vertx.cancelTimer(timer));
    // Leases left behind expire: another instance (or this one, restarted) takes them over.
    return client.close();
  }

  /** Events were committed, on this instance or another: claim now rather than at the next poll. */
  public void wake() {
    if (!anyActive) {
      return; // no subscription to deliver: a commit costs no claim (the next poll sees a new one)
    }
    context.runOnContext(v -> {
      if (wakeScheduled) {
        return;
      }
      long wait = WAKE_GAP_MILLIS - (System.nanoTime() - lastClaimNanos) / 1_000_000;
      if (wait <= 0) {
        claim();
      } else {
        wakeScheduled = true;
        vertx.setTimer(wait, id -> {
          wakeScheduled = false;
          claim();
        });
      }
    });
  }

  /** Claims what this instance has room for; each claimed subscription then gets a turn of its own. */
  private void claim() {
    if (claiming) {
      claimAgain = true; // what woke us may have committed after the running claim looked
      return;
    }
    int room = config.concurrency() - running.get();
    if (stopped || room <= 0) {
      return;
    }
    claiming = true;
    claimAgain = false;
    lastClaimNanos = System.nanoTime();
    running.addAndGet(room); // reserved until the claim answers
    pool.preparedQuery(CLAIM).execute(Tuple.of(owner, config.leaseSeconds(), room)).onComplete(done -> {
      claiming = false;
      int claimed = done.succeeded() ? done.result().size() : 0;
      running.addAndGet(claimed - room);
      if (done.failed()) {
        LOG.warn("delivery: claiming subscriptions failed: {}", done.cause().toString());
        return;
      }
      for (Row row : done.result()) {
        turn(Subscription.from(row)).onComplete(ended -> {
          running.decrementAndGet();
          wake(); // its slot is free, and it may have more to send
        });
      }
      if (claimAgain) {
        wake();
      }
    });
  }

  /**
   * One turn of a subscription: its next page of events, sent one after another in stream order
   * while each succeeds, then the lease given back. A failure ends the turn with a retry time.
   */
  private Future<Void> turn(Subscription s) {
    Promise<Void> ended = Promise.promise();
    pool.preparedQuery(NEXT_EVENTS).execute(Tuple.of(s.tenant(), s.afterPosition(), s.types().toArray(String[]::new), PAGE))
        .compose(rows -> {
          if (rows.size() == 0) {
            return release(s);
          }
          List<StoredEvent> events = new ArrayList<>(rows.size());
          rows.forEach(row -> events.add(StoredEvent.fromRow(row)));
          // Resolved once a page, and checked again: a name may have moved to a refused address since.
          return vertx.executeBlocking(() -> guard.resolve(s.url()), false)
              .transform(target -> {
                Promise<Void> page = Promise.promise();
                sendFrom(s, target, events, 0, page);
                return page.future();
              });
        })
        .onComplete(done -> {
          if (done.failed()) {
            LOG.warn("delivery: subscription {} stopped on a store failure: {}", s.id(), done.cause().toString());
            release(s).onComplete(released -> ended.complete());
          } else {
            ended.complete();
          }
        });
    return ended.future();
  }

  /**
   * Sends {@code events[i..]}, each once the one before it was delivered. Written with callbacks,
   * not a chain of returned futures, so that a long page holds no chain of pending promises.
   */
  private void sendFrom(Subscription s, AsyncResult<TargetGuard.Target> target, List<StoredEvent> events, int i,
      Promise<Void> page) {
    if (i == events.size() || stopped) {
      release(s).onComplete(page);
      return;
    }
    StoredEvent event = events.get(i);
    long started = System.nanoTime();
    Future<Outcome> attempt = target.succeeded()
        ? post(s, event, target.result(), started)
        : Future.failedFuture(target.cause());
    attempt.recover(failure -> Future.succeededFuture(new Outcome(null, elapsed(started), null,
            failure instanceof TargetGuard.Refused ? "refused target: " + failure.getMessage() : failure.toString())))
        .onSuccess(outcome -> {
          if (!outcome.delivered()) {
            metrics.failed();
            pool.preparedQuery(RECORD).execute(attemptRow(s, event, outcome))
                .compose(v -> failed(s, event))
                .onComplete(page);
            return;
          }
          pool.preparedQuery(DELIVERED)
              .execute(attemptRow(s, event, outcome).addInteger(config.leaseSeconds()).addString(owner))
              .onComplete(updated -> {
                if (updated.failed()) {
                  page.fail(updated.cause());
                } else if (updated.result().rowCount() == 1) {
                  metrics.delivered(event.timestamp());
                  sendFrom(withPosition(s, event.position()), target, events, i + 1, page);
                } else {
                  page.complete(); // the lease was lost (this instance stalled past it): the new owner goes on
                }
              });
        });
  }

  /** A failed attempt: retry later with backoff, or give the event up after the last retry and move on. */
  private Future<Void> failed(Subscription s, StoredEvent event) {
    int attempt = s.attempt() + 1;
    List<Integer> waits = config.retrySeconds();
    boolean giveUp = attempt > waits.size();
    long after = giveUp ? event.position() : s.afterPosition();
    long waitMillis = giveUp ? 0 : jittered(waits.get(attempt - 1) * 1000L);
    if (giveUp) {
      metrics.gaveUp();
      LOG.warn("delivery: subscription {} gave up event {} after {} attempts", s.id(), event.locator(), attempt);
    }
    OffsetDateTime now = OffsetDateTime.now(clock);
    return pool.preparedQuery(FAILED).execute(Tuple.of(s.id(), owner, after, giveUp ? 0 : attempt, waitMillis, now))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture();
          }
          OffsetDateTime since = rows.iterator().next().getOffsetDateTime(0);
          if (since != null && since.isBefore(now.minusHours(config.disableAfterHours()))) {
            return disable(s, "failing since " + since + " (more than " + config.disableAfterHours() + " hours)");
          }
          return Future.succeededFuture();
        });
  }

  private Future<Void> disable(Subscription s, String reason) {
    return pool.preparedQuery(DISABLE).execute(Tuple.of(s.id(), s.tenant(), reason)).compose(rows -> {
      if (rows.rowCount() == 0) {
        return Future.succeededFuture();
      }
      LOG.warn("delivery: subscription {} disabled: {}", s.id(), reason);
      metrics.disabled();
      return appender.append(new AppendRequest(s.tenant(), systemUser(s), "subscription-" + s.id() + "-" + UUID.randomUUID(),
          List.of(new NewEvent("subscription.disabled", new JsonObject()
              .put("subscriptionId", s.id().toString()).put("url", s.url()).put("reason", reason))))).mapEmpty();
    });
  }

  /**
   * The user a {@code subscription.disabled} event names (every event names one): the name-based
   * UUID of {@code "tidemark-subscription:" + id}, stable and computable by users.
   */
  static UUID systemUser(Subscription s) {
    return UUID.nameUUIDFromBytes(("tidemark-subscription:" + s.id()).getBytes(StandardCharsets.UTF_8));
  }

  private static long jittered(long millis) {
    // ±20%: retries of many subscriptions that failed together do not return together.
    return Math.max(0, (long) (millis * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble())));
  }

  private Future<Void> release(Subscription s) {
    return pool.preparedQuery(RELEASE).execute(Tuple.of(s.id(), owner)).mapEmpty();
  }

  private static Subscription withPosition(Subscription s, long position) {
    return new Subscription(s.id(), s.tenant(), s.url(), s.types(), s.description(), s.secret(), s.previousSecret(),
        s.previousSecretUntil(), s.status(), s.disabledReason(), s.createdAt(), position, 0, null);
  }

  /** What one attempt came to. */
  record Outcome(Integer status, long millis, String response, String error) {
    boolean delivered() {
      return status != null && status >= 200 && status < 300;
    }
  }

  /** RECORD's parameters ($1..$8). */
  private Tuple attemptRow(Subscription s, StoredEvent event, Outcome o) {
    return Tuple.from(List.of(s.id(), event.locator(), event.position(),
            OffsetDateTime.now(clock).minus(Duration.ofMillis(o.millis()))))
        .addValue(o.status()).addValue((int) o.millis()).addValue(o.response()).addValue(o.error());
  }

  /** POSTs the event, signed, to the resolved target: no redirects, a timeout, at most 1 KiB of the answer kept. */
  private Future<Outcome> post(Subscription s, StoredEvent event, TargetGuard.Target target, long started) {
    byte[] body = EventJson.text(event).getBytes(StandardCharsets.UTF_8);
    long timestamp = Instant.now().getEpochSecond();
    String signature = WebhookSignature.header(s.secret(), event.locator(), timestamp, body);
    if (s.previousSecret() != null && s.previousSecretUntil() != null && s.previousSecretUntil().isAfter(OffsetDateTime.now(ZoneOffset.UTC))) {
      // During a rotation both secrets sign: receivers still holding the old one keep verifying.
      signature = signature + " " + WebhookSignature.header(s.previousSecret(), event.locator(), timestamp, body);
    }
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setServer(SocketAddress.inetSocketAddress(target.port(), target.address().getHostAddress()))
        .setHost(target.host()).setPort(target.port()).setSsl(target.ssl()).setURI(target.pathAndQuery())
        .setFollowRedirects(false)
        .setTimeout(config.timeoutMillis())
        .putHeader("Content-Type", "application/json")
        .putHeader("User-Agent", "Tidemark-Webhooks/1")
        .putHeader("webhook-id", event.locator())
        .putHeader("webhook-timestamp", Long.toString(timestamp))
        .putHeader("webhook-signature", signature);
    Promise<Outcome> outcome = Promise.promise();
    client.request(options).onFailure(outcome::tryFail).onSuccess(request -> {
      request.response().onFailure(outcome::tryFail).onSuccess(response -> {
        Buffer kept = Buffer.buffer();
        response.handler(chunk -> {
          int room = RESPONSE_LIMIT - kept.length();
          if (room > 0) {
            kept.appendBuffer(chunk.length() <= room ? chunk : chunk.slice(0, room));
          } else {
            // Enough of it: a receiver that answers megabytes gets the connection closed.
            outcome.tryComplete(new Outcome(response.statusCode(), elapsed(started), text(kept), null));
            request.connection().close();
          }
        });
        response.exceptionHandler(e -> outcome.tryComplete(new Outcome(response.statusCode(), elapsed(started), text(kept), null)));
        response.endHandler(v -> outcome.tryComplete(new Outcome(response.statusCode(), elapsed(started), text(kept), null)));
      });
      request.end(Buffer.buffer(body)).onFailure(outcome::tryFail);
    });
    return outcome.future();
  }

  private static String text(Buffer b) {
    String s = b.toString(StandardCharsets.UTF_8);
    return s.replace("\u0000", "");
  }

  private static long elapsed(long started) {
    return (System.nanoTime() - started) / 1_000_000;
  }
}
