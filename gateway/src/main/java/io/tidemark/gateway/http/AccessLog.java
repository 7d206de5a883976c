package io.tidemark.gateway.http;

import io.tidemark.gateway.logging.AccessLogger;
import io.tidemark.gateway.logging.LogContext;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

/**
 * Second phase of every request: once its answer has been written (or its connection closed
 * first), one access-log line with the request id, tenant and user (from the log context), the
 * matched route template, the status and the time taken.
 */
public final class AccessLog implements Handler<RoutingContext> {

  @Override
  public void handle(RoutingContext ctx) {
    if (AccessLogger.enabled()) {
      long started = System.nanoTime();
      ctx.addEndHandler(ended -> {
        HttpServerRequest request = ctx.request();
        SocketAddress remote = request.connection() == null ? null : request.connection().remoteAddress();
        // 0: the client went away before an answer was written.
        int status = ended.succeeded() ? ctx.response().getStatusCode() : 0;
        AccessLogger.log(new AccessLogger.Entry(request.method().name(), request.path(), route(ctx), status,
            (System.nanoTime() - started) / 1e6, ctx.response().bytesWritten(), remote == null ? null : remote.host()));
      });
    }
    ctx.next();
  }

  private static String route(RoutingContext ctx) {
    String route = LogContext.current().get(LogContext.ROUTE);
    return route != null ? route : ctx.response().getStatusCode() == 404 ? "unmatched" : ctx.normalizedPath();
  }
}
