package io.tidemark.gateway.store;

/**
 * The store's own failures, as its callers should see them. The store says what went wrong;
 * {@code http.FailureHandler} alone decides what each one answers.
 */
public abstract sealed class StoreFailure extends RuntimeException
    permits StoreUnavailable, StoreConflict, StoreRefusedData {

  StoreFailure(String message) {
    // Expected failures, already logged where they are met: no stack trace to fill.
    super(message, null, false, false);
  }
}
