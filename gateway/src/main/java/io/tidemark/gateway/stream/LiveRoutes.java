package io.tidemark.gateway.stream;

import static io.tidemark.gateway.config.Permission.EVENTS_LIST;
import static io.tidemark.gateway.config.Permission.EVENTS_READ;

import io.tidemark.gateway.config.LiveConfig;
import io.tidemark.gateway.http.ApiException;
import io.tidemark.gateway.http.QueryParameters;
import io.tidemark.gateway.http.SignedTokens;
import io.tidemark.gateway.security.Access;
import io.tidemark.gateway.security.Mountable;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /event/{tenantLocator}/events/live}: the stream as server-sent events, from a paging
 * token (query {@code pagingToken} or the {@code Last-Event-ID} header a reconnecting browser
 * sends) or, without one, from the events committed after the connection. Each event's
 * {@code id} is a paging token: it resumes here, and works with {@code /events/list} too.
 */
public final class LiveRoutes implements Mountable {

  private static final String PAGING_TOKEN = "pagingToken";
  private static final String LAST_EVENT_ID = "Last-Event-ID";

  private final Vertx vertx;
  private final StreamQueries queries;
  private final SignedTokens tokens;
  private final LiveFeed feed;
  private final LiveConfig config;
  private final LiveMetrics metrics;
  /** Open live connections per user on this instance. */
  private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();

  public LiveRoutes(Vertx vertx, Pool pool, byte[] tokenSecret, LiveFeed feed, LiveConfig config, MeterRegistry registry) {
    this.vertx = vertx;
    this.queries = new StreamQueries(pool);
    this.tokens = new SignedTokens(tokenSecret);
    this.feed = feed;
    this.config = config;
    this.metrics = new LiveMetrics(registry);
  }

  @Override
  public void mount(Router router, Access access) {
    // Before /event/:tenantLocator/events/:locator, which would take "live" for a locator.
    access.guard(router.get("/event/:tenantLocator/events/live"), EVENTS_READ, EVENTS_LIST).handler(this::live);
  }

  private void live(RoutingContext ctx) {
    Optional<String> type = QueryParameters.optional(ctx, "type");
    if (type.isPresent() && type.get().length() > StreamRoutes.MAX_TYPE_LENGTH) {
      throw ApiException.badParameter("type", "must be at most " + StreamRoutes.MAX_TYPE_LENGTH + " characters");
    }
    StreamFilter given = new StreamFilter(Access.tenant(ctx).locator(), Optional.empty(), Optional.empty(), type);
    Optional<String> query = QueryParameters.optional(ctx, PAGING_TOKEN);
    Optional<String> header = Optional.ofNullable(ctx.request().getHeader(LAST_EVENT_ID)).filter(h -> !h.isBlank());
    // A reconnecting EventSource repeats its URL (and the token in it) and adds the newer Last-Event-ID.
    StreamRoutes.Resume resume = header.isPresent()
        ? StreamRoutes.resume(tokens, header, LAST_EVENT_ID, given, type.isPresent())
        : StreamRoutes.resume(tokens, query, PAGING_TOKEN, given, type.isPresent());
    if (feed.closed()) {
      throw new ApiException(503, "SHUTTING_DOWN", "This instance is shutting down; reconnect to another").retryAfter(1);
    }
    String user = Access.caller(ctx).name();
    AtomicInteger mine = open.computeIfAbsent(user, u -> new AtomicInteger());
    if (mine.incrementAndGet() > config.maxConnectionsPerUser()) {
      mine.decrementAndGet();
      throw new ApiException(429, "TOO_MANY_LIVE_CONNECTIONS", "User '" + user + "' already has "
          + config.maxConnectionsPerUser() + " live connections open on this instance, the limit").retryAfter(config.heartbeatSeconds());
    }
    Future<Long> start = resume.after().map(Future::succeededFuture).orElseGet(() -> queries.head(given.tenant()));
    start.onComplete(found -> {
      if (found.failed()) {
        mine.decrementAndGet();
        ctx.fail(found.cause());
        return;
      }
      HttpServerResponse response = ctx.response()
          .setChunked(true)
          .putHeader("Content-Type", "text/event-stream; charset=utf-8")
          .putHeader("Cache-Control", "no-cache")
          // Proxies (nginx) would otherwise buffer the stream.
          .putHeader("X-Accel-Buffering", "no");
      LiveSession session = new LiveSession(vertx, queries, tokens, resume.filter(), found.result(), response, config,
          metrics, feed.tail(given.tenant(), queries));
      AtomicBoolean released = new AtomicBoolean();
      Runnable release = () -> {
        if (released.compareAndSet(false, true)) {
          session.end();
          feed.remove(session);
          mine.decrementAndGet();
          metrics.closed();
        }
      };
      response.closeHandler(v -> release.run());
      response.endHandler(v -> release.run());
      // A reconnecting client waits 2 s; the first bytes tell proxies and clients the stream is open.
      response.write("retry: 2000\n\n");
      feed.add(session);
      metrics.opened();
      session.start();
    });
  }
}
