package io.tidemark.gateway.security;

/**
 * A login refused before its password was checked: too many failed logins for the user name or
 * from the client address. {@code http.FailureHandler} answers it with 429 and {@code Retry-After}.
 */
public final class LoginThrottled extends RuntimeException {

  private final long retryAfterSeconds;

  LoginThrottled(String message, long retryAfterSeconds) {
    // Expected, and possibly frequent under attack: no stack trace to fill.
    super(message, null, false, false);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** Whole seconds until the next attempt would be allowed, at least 1. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
