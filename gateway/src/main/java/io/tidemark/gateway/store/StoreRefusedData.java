package io.tidemark.gateway.store;

/**
 * PostgreSQL refused the data of one request (a value it cannot store, a limit it enforces):
 * the request's own fault, as found when it was committed on its own. Its SQLSTATE says which
 * rule; the message is safe to show the client. {@code http.FailureHandler} answers it with 400.
 */
public final class StoreRefusedData extends StoreFailure {

  private final String sqlState;

  public StoreRefusedData(String sqlState, String message) {
    super(message);
    this.sqlState = sqlState;
  }

  public String sqlState() {
    return sqlState;
  }
}
