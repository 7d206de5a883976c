package io.tidemark.gateway.http;

import io.tidemark.gateway.logging.LogContext;
import io.tidemark.gateway.store.TimeOrderedIds;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Pattern;

/**
 * First phase of every request: adopt the client's {@code X-Request-Id} when it is sane, else
 * make one, and put it on the response before anything can fail.
 */
public final class RequestIds implements Handler<RoutingContext> {

  public static final String HEADER = "X-Request-Id";
  private static final String KEY = "tidemark.requestId";
  // Ids end up in logs, the event store and URLs: keep them short and free of separators.
  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._~:-]{1,128}");

  @Override
  public void handle(RoutingContext ctx) {
    String offered = ctx.request().getHeader(HEADER);
    String id = offered != null && SANE.matcher(offered).matches() ? offered : TimeOrderedIds.next().toString();
    ctx.put(KEY, id);
    LogContext.put(LogContext.REQUEST_ID, id);
    ctx.response().putHeader(HEADER, id);
    ctx.next();
  }

  public static String of(RoutingContext ctx) {
    String id = ctx.get(KEY);
    return id == null ? "-" : id;
  }
}
