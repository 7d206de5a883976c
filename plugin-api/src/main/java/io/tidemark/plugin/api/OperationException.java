package io.tidemark.plugin.api;

/**
 * Ends an operation with an error status. The client receives the status and
 * {@code {"message": message, "code": code}}; events emitted before are kept.
 */
public class OperationException extends RuntimeException {

  private final int status;
  private final String code;

  /**
   * @param status an HTTP status from 400 to 599
   * @param code a stable, machine-readable code such as {@code POLICY_REJECTED}
   * @param message a message for the client
   */
  public OperationException(int status, String code, String message) {
    super(message);
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("an OperationException needs a 4xx or 5xx status, got " + status);
    }
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }
}
