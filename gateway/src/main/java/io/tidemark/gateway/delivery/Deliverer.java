package io.tidemark.gateway.delivery;

import io.tidemark.gateway.behavioral.WebhookSignature;
import io.tidemark.gateway.config.DeliveryConfig;
import io.tidemark.gateway.store.AppendRequest;
import io.tidemark.gateway.store.EventAppender;
import io.tidemark.gateway.store.NewEvent;
import io.tidemark.gateway.store.StoredEvent;
import io.tidemark.gateway.stream.EventJson;
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
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers subscriptions' events, one subscription at a time per lease: every {@code pollMillis}
 * this instance claims the subscriptions that have events due and no live lease
 * ({@code FOR UPDATE SKIP LOCKED}: two instances never claim the same one), then sends each its
 * next events in stream order while its lease holds. Every write names this instance as the
 * lease owner, so an instance that lost its lease (it stalled past it, another took over)
 * changes nothing. A crashed instance's subscriptions are taken over once their lease expires.
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
  private static final String NEXT_EVENT = "SELECT " + StoredEvent.COLUMNS + """
       FROM event
      WHERE tenant_locator = $1 AND position > $2 AND (cardinality($3::text[]) = 0 OR type = ANY($3))
      ORDER BY position LIMIT 1""";
  private static final String RECORD = """
      INSERT INTO delivery_attempt (subscription_id, event_locator, event_position, attempted_at, status_code,
                                    response_time_ms, response, error)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""";
  private static final String DELIVERED = """
      UPDATE subscription SET after_position = $3, attempt = 0, failing_since = NULL,
                              lease_until = now() + $4 * interval '1 second'
       WHERE id = $1 AND lease_owner = $2""";
  private static final String FAILED = """
      UPDATE subscription SET after_position = $3, attempt = $4, next_attempt_at = $5,
                              failing_since = coalesce(failing_since, $6), lease_owner = NULL, lease_until = NULL
       WHERE id = $1 AND lease_owner = $2
      RETURNING failing_since""";
  private static final String DISABLE = """
      UPDATE subscription SET status = 'disabled', disabled_reason = $3, lease_owner = NULL, lease_until = NULL
       WHERE id = $1 AND lease_owner IS NULL AND status = 'active' AND tenant_locator = $2""";
  private static final String RELEASE = "UPDATE subscription SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2";

  private final Vertx vertx;
  private final Pool pool;
  private final DeliveryConfig config;
  private final TargetGuard guard;
  private final EventAppender appender;
  private final HttpClient client;
  private final String owner = "instance-" + UUID.randomUUID();
  private final AtomicInteger running = new AtomicInteger();
  private long timer = -1;
  private volatile boolean stopped;

  public Deliverer(Vertx vertx, Pool pool, DeliveryConfig config, EventAppender appender) {
    this.vertx = vertx;
    this.pool = pool;
    this.config = config;
    this.guard = new TargetGuard(config);
    this.appender = appender;
    this.client = vertx.createHttpClient(new HttpClientOptions()
            .setConnectTimeout(config.timeoutMillis())
            .setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(4));
  }

  public void start() {
    timer = vertx.setPeriodic(config.pollMillis(), id -> claim());
  }

  public Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    // Leases left behind expire: another instance (or this one, restarted) takes them over.
    return client.close();
  }

  /** Claims what this instance has room for; each claimed subscription then runs its own loop. */
  void claim() {
    int room = config.concurrency() - running.get();
    if (stopped || room <= 0) {
      return;
    }
    running.addAndGet(room); // reserved until the claim answers
    pool.preparedQuery(CLAIM).execute(Tuple.of(owner, config.leaseSeconds(), room)).onComplete(done -> {
      int claimed = done.succeeded() ? done.result().size() : 0;
      running.addAndGet(claimed - room);
      if (done.failed()) {
        LOG.warn("delivery: claiming subscriptions failed: {}", done.cause().toString());
        return;
      }
      for (Row row : done.result()) {
        deliverNext(Subscription.from(row)).onComplete(ended -> running.decrementAndGet());
      }
    });
  }

  /** Sends the subscription's next event; on success goes on with the one after, while there is one. */
  private Future<Void> deliverNext(Subscription s) {
    if (stopped) {
      return release(s);
    }
    return pool.preparedQuery(NEXT_EVENT).execute(Tuple.of(s.tenant(), s.afterPosition(), s.types().toArray(String[]::new)))
        .compose(rows -> {
          if (rows.size() == 0) {
            return release(s);
          }
          StoredEvent event = StoredEvent.fromRow(rows.iterator().next());
          return send(s, event).compose(outcome -> record(s, event, outcome).compose(v -> {
            if (outcome.delivered()) {
              return pool.preparedQuery(DELIVERED).execute(Tuple.of(s.id(), owner, event.position(), config.leaseSeconds()))
                  .compose(updated -> updated.rowCount() == 1
                      ? deliverNext(withPosition(s, event.position(), 0))
                      : Future.succeededFuture()); // the lease was lost: the new owner goes on
            }
            return failed(s, event);
          }));
        })
        .recover(failure -> {
          LOG.warn("delivery: subscription {} stopped on a store failure: {}", s.id(), failure.toString());
          return release(s).otherwiseEmpty();
        });
  }

  /** A failed attempt: retry later with backoff, or give the event up after the last retry and move on. */
  private Future<Void> failed(Subscription s, StoredEvent event) {
    int attempt = s.attempt() + 1;
    List<Integer> waits = config.retrySeconds();
    boolean giveUp = attempt > waits.size();
    long after = giveUp ? event.position() : s.afterPosition();
    long waitMillis = giveUp ? 0 : jittered(waits.get(attempt - 1) * 1000L);
    OffsetDateTime next = OffsetDateTime.now(ZoneOffset.UTC).plus(Duration.ofMillis(waitMillis));
    if (giveUp) {
      LOG.warn("delivery: subscription {} gave up event {} after {} attempts", s.id(), event.locator(), attempt);
    }
    return pool.preparedQuery(FAILED).execute(Tuple.of(s.id(), owner, after, giveUp ? 0 : attempt, next,
            OffsetDateTime.now(ZoneOffset.UTC)))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture();
          }
          OffsetDateTime since = rows.iterator().next().getOffsetDateTime(0);
          if (since != null && since.isBefore(OffsetDateTime.now(ZoneOffset.UTC).minusHours(config.disableAfterHours()))) {
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
      return appender.append(new AppendRequest(s.tenant(), null, "subscription-" + s.id() + "-" + UUID.randomUUID(),
          List.of(new NewEvent("subscription.disabled", new JsonObject()
              .put("subscriptionId", s.id().toString()).put("url", s.url()).put("reason", reason))))).mapEmpty();
    });
  }

  private static long jittered(long millis) {
    // ±20%: retries of many subscriptions that failed together do not return together.
    return Math.max(0, (long) (millis * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble())));
  }

  private Future<Void> release(Subscription s) {
    return pool.preparedQuery(RELEASE).execute(Tuple.of(s.id(), owner)).mapEmpty();
  }

  private static Subscription withPosition(Subscription s, long position, int attempt) {
    return new Subscription(s.id(), s.tenant(), s.url(), s.types(), s.description(), s.secret(), s.previousSecret(),
        s.previousSecretUntil(), s.status(), s.disabledReason(), s.createdAt(), position, attempt, null);
  }

  /** What one attempt came to. */
  record Outcome(Integer status, long millis, String response, String error) {
    boolean delivered() {
      return status != null && status >= 200 && status < 300;
    }
  }

  private Future<Void> record(Subscription s, StoredEvent event, Outcome o) {
    return pool.preparedQuery(RECORD).execute(Tuple.from(List.of(s.id(), event.locator(), event.position(),
            OffsetDateTime.now(ZoneOffset.UTC).minus(Duration.ofMillis(o.millis()))))
        .addValue(o.status()).addValue((int) o.millis()).addValue(o.response()).addValue(o.error())).mapEmpty();
  }

  /** POSTs the event, signed; resolves and checks the target first (off the event loop: DNS blocks). */
  Future<Outcome> send(Subscription s, StoredEvent event) {
    long started = System.nanoTime();
    return vertx.executeBlocking(() -> guard.resolve(s.url()), false)
        .compose(target -> post(s, event, target, started))
        .recover(failure -> Future.succeededFuture(new Outcome(null, elapsed(started), null,
            failure instanceof TargetGuard.Refused ? "refused target: " + failure.getMessage() : failure.toString())));
  }

  private Future<Outcome> post(Subscription s, StoredEvent event, TargetGuard.Target target, long started) {
    byte[] body = EventJson.of(event).encode().getBytes(StandardCharsets.UTF_8);
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
