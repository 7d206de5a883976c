package io.tidemark.gateway;

import io.tidemark.gateway.http.AccessLog;
import io.tidemark.gateway.http.FailureHandler;
import io.tidemark.gateway.http.HealthRoutes;
import io.tidemark.gateway.http.OpenApiRoutes;
import io.tidemark.gateway.http.ParameterGuard;
import io.tidemark.gateway.http.RequestIds;
import io.tidemark.gateway.metrics.MetricsRoutes;
import io.tidemark.gateway.security.Access;
import io.tidemark.gateway.security.Mountable;
import io.tidemark.gateway.security.PasswordCheck;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Optional;

/**
 * The request pipeline, in the order every request meets it:
 * request id → access log → parameters (storable) → authentication → permission and tenant → body (bounded) → handler → failure mapping.
 * Feature packages mount their routes here; each route passes {@link Access#guard}, which holds
 * the authentication, permission and body phases: a request that is refused never has its body
 * read. Webhooks, whose signature covers the body, read it first ({@link Access#bodyFirst}).
 */
public final class ApiRouter {

  // Read once: every HTTP verticle's router serves the same document.
  private static final OpenApiRoutes OPEN_API = new OpenApiRoutes();

  private ApiRouter() {}

  public static Router create(Vertx vertx, long maxBodyBytes, PasswordCheck passwords,
      HealthRoutes health, List<Mountable> features) {
    return create(vertx, maxBodyBytes, passwords, health, Optional.empty(), features);
  }

  /** @param metrics {@code GET /metrics} on this router, when it is not on a management port of its own */
  public static Router create(Vertx vertx, long maxBodyBytes, PasswordCheck passwords,
      HealthRoutes health, Optional<MetricsRoutes> metrics, List<Mountable> features) {
    Router router = Router.router(vertx);
    FailureHandler failures = new FailureHandler(maxBodyBytes);
    Access access = new Access(passwords, BodyHandler.create(false).setBodyLimit(maxBodyBytes));

    router.route().handler(new RequestIds());
    router.route().handler(new AccessLog());
    router.route().handler(new ParameterGuard());
    metrics.ifPresent(m -> m.mount(router));
    health.mount(router);
    OPEN_API.mount(router);

    features.forEach(feature -> feature.mount(router, access));

    router.route().failureHandler(failures);
    // Unmatched paths and methods never reach a failure handler: give them the same envelopes.
    router.errorHandler(404, failures);
    router.errorHandler(405, failures);
    router.errorHandler(500, failures);
    return router;
  }
}
