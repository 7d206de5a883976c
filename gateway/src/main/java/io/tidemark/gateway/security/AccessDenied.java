package io.tidemark.gateway.security;

/**
 * A request {@link Access} turned away before its handler ran. The kind says why;
 * {@code http.FailureHandler} answers each kind with its status.
 */
public final class AccessDenied extends RuntimeException {

  public enum Kind {
    /** No Basic credentials, or wrong ones: 401 with a {@code WWW-Authenticate} challenge. */
    UNAUTHENTICATED,
    /** A known caller without the permission or the tenant membership the route needs: 403. */
    FORBIDDEN,
    /** The path's tenant locator is no UUID, so membership cannot be checked: 400 naming the parameter. */
    MALFORMED_TENANT
  }

  private final Kind kind;

  private AccessDenied(Kind kind, String message) {
    // Expected, and frequent under attack: no stack trace to fill.
    super(message, null, false, false);
    this.kind = kind;
  }

  static AccessDenied unauthenticated() {
    return new AccessDenied(Kind.UNAUTHENTICATED, "Authentication required: send HTTP Basic credentials");
  }

  static AccessDenied forbidden(String message) {
    return new AccessDenied(Kind.FORBIDDEN, message);
  }

  /** The message is the client's answer, in the form of every invalid parameter's. */
  static AccessDenied malformedTenant(String parameter, String value) {
    return new AccessDenied(Kind.MALFORMED_TENANT,
        "Invalid parameter '" + parameter + "': must be a UUID, got '" + value + "'");
  }

  public Kind kind() {
    return kind;
  }
}
