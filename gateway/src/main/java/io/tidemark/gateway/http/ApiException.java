package io.tidemark.gateway.http;

/**
 * The one domain failure type: an HTTP status, a stable code and a message safe to show the
 * client. {@link FailureHandler} turns it into the envelope of the endpoint family.
 */
public final class ApiException extends RuntimeException {

  private final int status;
  private final int numericCode;
  private final String code;
  private final Long retryAfterSeconds;

  public ApiException(int status, String code, String message) {
    this(status, status, code, message);
  }

  /** With the numeric code the {@code /v2} envelope carries, when it is more specific than the status. */
  public ApiException(int status, int numericCode, String code, String message) {
    this(status, numericCode, code, message, null);
  }

  private ApiException(int status, int numericCode, String code, String message, Long retryAfterSeconds) {
    // Expected failures: no stack trace to fill, none to print.
    super(message, null, false, false);
    this.status = status;
    this.numericCode = numericCode;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The same failure, telling the client when to try again ({@code Retry-After}, whole seconds, at least 1). */
  public ApiException retryAfter(long seconds) {
    return new ApiException(status, numericCode, code, getMessage(), Math.max(1, seconds));
  }

  /** Seconds for the {@code Retry-After} header, or {@code null} for none. */
  public Long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** The {@code code} of a {@code /v2} error entry: the HTTP status unless a documented code is more precise. */
  public int numericCode() {
    return numericCode;
  }

  public int status() {
    return status;
  }

  /** A stable, machine-readable code such as {@code INVALID_PARAMETER}. */
  public String code() {
    return code;
  }

  /** 400 for a query or path parameter; the message starts with the parameter's name. */
  public static ApiException badParameter(String parameter, String problem) {
    return new ApiException(400, "INVALID_PARAMETER", "Invalid parameter '" + parameter + "': " + problem);
  }

  public static ApiException badBody(String problem) {
    return new ApiException(400, "INVALID_BODY", "Invalid request body: " + problem);
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, "NOT_FOUND", message);
  }

  public static ApiException forbidden(String message) {
    return new ApiException(403, "FORBIDDEN", message);
  }

  public static ApiException unauthorized() {
    return new ApiException(401, "UNAUTHORIZED", "Authentication required: send HTTP Basic credentials");
  }

  public static ApiException conflict(String message) {
    return new ApiException(409, "CONFLICT", message);
  }
}
