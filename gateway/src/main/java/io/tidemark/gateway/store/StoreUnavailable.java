package io.tidemark.gateway.store;

/**
 * The database is unreachable or refused the work for a moment (connection lost, pool exhausted
 * or closed, server shutting down or full, serialization failure): worth retrying shortly.
 * {@code http.FailureHandler} answers it with 503 and {@code Retry-After}.
 */
public final class StoreUnavailable extends StoreFailure {

  public StoreUnavailable() {
    super("The event store is unavailable; retry later");
  }
}
