package io.tidemark.gateway.store;

/**
 * A write met a unique constraint (SQLSTATE 23505): what it creates exists already.
 * {@code http.FailureHandler} answers it with 409.
 */
public final class StoreConflict extends StoreFailure {

  public StoreConflict() {
    super("The resource already exists");
  }
}
