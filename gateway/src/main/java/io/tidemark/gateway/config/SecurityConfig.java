package io.tidemark.gateway.config;

/**
 * Authentication.
 *
 * @param htpasswdFile the password file, relative to the config file's folder unless absolute
 * @param credentialCacheSeconds how long a successful password check is remembered
 * @param credentialCacheSize how many successful checks are remembered at most
 */
public record SecurityConfig(String htpasswdFile, Integer credentialCacheSeconds, Integer credentialCacheSize) {

  public SecurityConfig {
    htpasswdFile = htpasswdFile == null ? "users.htpasswd" : htpasswdFile;
    credentialCacheSeconds = credentialCacheSeconds == null ? 60 : credentialCacheSeconds;
    credentialCacheSize = credentialCacheSize == null ? 10_000 : credentialCacheSize;
  }

  static SecurityConfig defaults() {
    return new SecurityConfig(null, null, null);
  }

  public SecurityConfig withHtpasswdFile(String file) {
    return new SecurityConfig(file, credentialCacheSeconds, credentialCacheSize);
  }
}
