package io.tidemark.gateway.http;

import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * One readiness check of {@code GET /health/ready}: {@code probe} succeeds when the part is fit to
 * serve, and fails with a reason (its message is shown) when it is not.
 */
public record HealthCheck(String name, Supplier<Future<Void>> probe) {}
