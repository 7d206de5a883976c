package io.tidemark.gateway.behavioral;

import static io.tidemark.gateway.config.Permission.EVENT_LOGS_READ;

import io.tidemark.gateway.config.TenantConfig;
import io.tidemark.gateway.http.ApiException;
import io.tidemark.gateway.http.QueryParameters;
import io.tidemark.gateway.http.Responses;
import io.tidemark.gateway.http.SignedTokens;
import io.tidemark.gateway.security.Access;
import io.tidemark.gateway.security.Mountable;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /v2/events/logs} exactly as seed 001, newest first. Beyond the seed: a
 * {@code status} filter, and keyset paging through an opaque {@code cursor}, the next page
 * advertised in a {@code Link: <…>; rel="next"} header so that the body stays as documented.
 */
public final class LogRoutes implements Mountable {

  private static final String CURSOR = "cursor";
  private static final List<String> FILTERS = List.of("event_name", "status", "from_date", "to_date", "limit");

  private final EventLogStore logs;
  private final SignedTokens cursors;

  public LogRoutes(Pool pool, byte[] tokenSecret) {
    this.logs = new EventLogStore(pool);
    this.cursors = new SignedTokens(tokenSecret);
  }

  @Override
  public void mount(Router router, Access access) {
    access.guard(router.get("/v2/events/logs"), EVENT_LOGS_READ).handler(this::logs);
  }

  private void logs(RoutingContext ctx) {
    TenantConfig org = Access.caller(ctx).defaultTenant();
    Optional<String> eventName = QueryParameters.optional(ctx, "event_name");
    Optional<String> status = QueryParameters.optional(ctx, "status");
    Optional<Instant> from = QueryParameters.optional(ctx, "from_date").map(raw -> LogDates.start("from_date", raw));
    Optional<Instant> to = QueryParameters.optional(ctx, "to_date").map(raw -> LogDates.endExclusive("to_date", raw));
    if (from.isPresent() && to.isPresent() && !from.get().isBefore(to.get())) {
      throw ApiException.badParameter("from_date", "must be before to_date");
    }
    int limit = QueryParameters.intInRange(ctx, "limit", 10, 1, 1000);
    String scope = org.orgId() + "|" + eventName.orElse("") + "|" + status.orElse("") + "|"
        + from.map(Instant::toString).orElse("") + "|" + to.map(Instant::toString).orElse("");
    Optional<long[]> cursor = QueryParameters.optional(ctx, CURSOR).map(raw -> cursors.open(raw, scope, 2, CURSOR));

    EventLogStore.Query query = new EventLogStore.Query(org.orgId(), eventName, status, from, to,
        cursor.map(c -> Instant.ofEpochMilli(c[0])), cursor.map(c -> c[1]).orElse(0L), limit + 1);
    logs.page(query)
        .onSuccess(entries -> {
          List<LogEntry> page = entries.size() > limit ? entries.subList(0, limit) : entries;
          if (entries.size() > limit) {
            LogEntry last = page.get(page.size() - 1);
            String next = cursors.issue(scope, last.startTime().toEpochMilli(), last.seq());
            ctx.response().putHeader("Link", "<" + nextUrl(ctx, next) + ">; rel=\"next\"");
          }
          JsonArray data = new JsonArray();
          page.forEach(entry -> data.add(entry.toJson()));
          Responses.v2(ctx, 200, data);
        })
        .onFailure(ctx::fail);
  }

  /** The same request with the next cursor: the filters as the client sent them, and nothing else. */
  private static String nextUrl(RoutingContext ctx, String cursor) {
    StringBuilder url = new StringBuilder(ctx.request().path()).append('?');
    for (String name : FILTERS) {
      QueryParameters.optional(ctx, name).ifPresent(value ->
          url.append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8)).append('&'));
    }
    return url.append(CURSOR).append('=').append(cursor).toString();
  }
}
