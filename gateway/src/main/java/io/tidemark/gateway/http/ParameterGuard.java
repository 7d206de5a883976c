package io.tidemark.gateway.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/**
 * Refuses, before any route runs, query and path parameters that PostgreSQL cannot store or
 * compare ({@code %00}, unpaired surrogates): a 400 naming the parameter, instead of a failed
 * statement later.
 */
public final class ParameterGuard implements Handler<RoutingContext> {

  @Override
  public void handle(RoutingContext ctx) {
    io.vertx.core.MultiMap query;
    try {
      query = ctx.queryParams();
    } catch (IllegalArgumentException e) {
      throw new ApiException(400, "INVALID_PARAMETER", "Invalid query string: it is not well-formed URL encoding");
    }
    for (Map.Entry<String, String> param : query) {
      JsonBodies.unstorableText(param.getKey()).or(() -> JsonBodies.unstorableText(param.getValue()))
          .ifPresent(problem -> {
            throw ApiException.badParameter(param.getKey().replace('\0', '?'), problem);
          });
    }
    // The path as routes will see it once decoded: %00 would reach a path parameter as NUL.
    String path = ctx.request().path();
    if (path != null && (path.indexOf('\0') >= 0 || path.toLowerCase(java.util.Locale.ROOT).contains("%00"))) {
      throw new ApiException(400, "INVALID_PARAMETER", "Invalid path: contains a NUL character (%00)");
    }
    ctx.next();
  }
}
