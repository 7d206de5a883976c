package io.tidemark.gateway.stream;

import static io.tidemark.gateway.config.Permission.EVENTS_LIST;
import static io.tidemark.gateway.config.Permission.EVENTS_READ;

import com.github.f4b6a3.ulid.Ulid;
import io.tidemark.gateway.http.ApiException;
import io.tidemark.gateway.http.QueryParameters;
import io.tidemark.gateway.http.Responses;
import io.tidemark.gateway.http.SignedTokens;
import io.tidemark.gateway.security.Access;
import io.tidemark.gateway.security.Mountable;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.Optional;

/** The tenant event stream of seed 003: one event, one request's events, and the paged, tail-able list. */
public final class StreamRoutes implements Mountable {

  static final int DEFAULT_PAGE_SIZE = 100;
  static final int MAX_PAGE_SIZE = 1000;
  static final int MAX_TYPE_LENGTH = 200;

  private final StreamQueries queries;
  private static final String PAGING_TOKEN = "pagingToken";
  /** On a request's events cut at the cap: how many are in the body. */
  static final String TRUNCATED = "X-Events-Truncated";

  private final SignedTokens tokens;

  public StreamRoutes(Pool pool, byte[] tokenSecret) {
    this.queries = new StreamQueries(pool);
    this.tokens = new SignedTokens(tokenSecret);
  }

  @Override
  public void mount(Router router, Access access) {
    String base = "/event/:tenantLocator/events";
    // Literal segments first: "list" and "request" must not be read as event locators.
    access.guard(router.get(base + "/list"), EVENTS_READ, EVENTS_LIST).handler(this::list);
    access.guard(router.get(base + "/request/:locator"), EVENTS_READ).handler(this::byRequest);
    access.guard(router.get(base + "/:locator"), EVENTS_READ).handler(this::byLocator);
  }

  private void byLocator(RoutingContext ctx) {
    String locator = ctx.pathParam("locator");
    if (!Ulid.isValid(locator)) {
      throw ApiException.badParameter("locator", "must be a 26-character ULID, got '" + locator + "'");
    }
    queries.byLocator(Access.tenant(ctx).locator(), locator.toUpperCase())
        .map(found -> found.orElseThrow(() -> ApiException.notFound("No event " + locator + " in this tenant")))
        .onSuccess(event -> Responses.json(ctx, 200, EventJson.object(event)))
        .onFailure(ctx::fail);
  }

  private void byRequest(RoutingContext ctx) {
    queries.byRequest(Access.tenant(ctx).locator(), ctx.pathParam("locator"))
        .onSuccess(events -> {
          if (events.size() > StreamQueries.MAX_REQUEST_EVENTS) {
            // The body stays the documented array; the header says it is the first part only.
            ctx.response().putHeader(TRUNCATED, Integer.toString(StreamQueries.MAX_REQUEST_EVENTS));
            events = events.subList(0, StreamQueries.MAX_REQUEST_EVENTS);
          }
          Responses.json(ctx, 200, EventJson.array(events));
        })
        .onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    Optional<Instant> start = QueryParameters.instant(ctx, "startTimestamp");
    Optional<Instant> end = QueryParameters.instant(ctx, "endTimestamp");
    if (start.isPresent() && end.isPresent() && start.get().isAfter(end.get())) {
      throw ApiException.badParameter("startTimestamp", "must not be after endTimestamp");
    }
    Optional<String> type = QueryParameters.optional(ctx, "type");
    if (type.isPresent() && type.get().length() > MAX_TYPE_LENGTH) {
      throw ApiException.badParameter("type", "must be at most " + MAX_TYPE_LENGTH + " characters");
    }
    int pageSize = QueryParameters.intInRange(ctx, "pageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
    StreamFilter given = new StreamFilter(Access.tenant(ctx).locator(), start, end, type);
    boolean filtered = start.isPresent() || end.isPresent() || type.isPresent();
    Resume resume = resume(tokens, QueryParameters.optional(ctx, PAGING_TOKEN), PAGING_TOKEN, given, filtered);
    StreamFilter filter = resume.filter();
    long after = resume.after().orElse(0L);

    queries.page(filter, after, pageSize)
        .onSuccess(events -> {
          // Always a token: once the stream is exhausted it resumes after the last event seen,
          // so passing it later returns whatever has been appended since.
          long last = events.isEmpty() ? after : events.get(events.size() - 1).position();
          Responses.json(ctx, 200, EventJson.page(tokens.issueCarrying(filter.canonical(), last), events));
        })
        .onFailure(ctx::fail);
  }

  /** Where a reader resumes: the filters to apply and the position after which to read (none: no token). */
  record Resume(StreamFilter filter, Optional<Long> after) {}

  /**
   * Opens a paging token (named {@code parameter} in errors). A token passed alone continues
   * with the filters it carries (contract §3); passed with filters, they must be its own.
   */
  static Resume resume(SignedTokens tokens, Optional<String> raw, String parameter, StreamFilter given, boolean filtered) {
    Optional<SignedTokens.Carried> token = raw.map(t -> tokens.openCarrying(t, 1, parameter, filtered ? given.canonical() : null));
    StreamFilter filter = token.map(t -> StreamFilter.parse(t.scope())
            .filter(carried -> carried.tenant().equals(given.tenant()))
            .orElseThrow(() -> ApiException.badParameter(parameter, "was issued for another tenant")))
        .orElse(given);
    return new Resume(filter, token.map(t -> t.values()[0]));
  }
}
