package io.tidemark.gateway.config;

/**
 * Authentication.
 *
 * @param htpasswdFile the password file, relative to the config file's folder unless absolute
 * @param credentialCacheSeconds how long a successful password check is remembered
 * @param credentialCacheSize how many successful checks are remembered at most
 * @param passwordThreads the worker threads that hash passwords, shared by all event loops
 * @param failedLoginsPerUserPerMinute failed logins allowed per user name before 429 (0: no limit)
 * @param failedLoginsPerAddressPerMinute failed logins allowed per client address before 429 (0: no limit)
 */
public record SecurityConfig(String htpasswdFile, Integer credentialCacheSeconds, Integer credentialCacheSize,
    Integer passwordThreads, Integer failedLoginsPerUserPerMinute, Integer failedLoginsPerAddressPerMinute) {

  public SecurityConfig {
    htpasswdFile = htpasswdFile == null ? "users.htpasswd" : htpasswdFile;
    credentialCacheSeconds = credentialCacheSeconds == null ? 60 : credentialCacheSeconds;
    credentialCacheSize = credentialCacheSize == null ? 10_000 : credentialCacheSize;
    passwordThreads = passwordThreads == null ? Runtime.getRuntime().availableProcessors() : passwordThreads;
    failedLoginsPerUserPerMinute = failedLoginsPerUserPerMinute == null ? 10 : failedLoginsPerUserPerMinute;
    failedLoginsPerAddressPerMinute = failedLoginsPerAddressPerMinute == null ? 30 : failedLoginsPerAddressPerMinute;
  }

  /** The cache settings alone; the rest take their defaults. */
  public SecurityConfig(String htpasswdFile, Integer credentialCacheSeconds, Integer credentialCacheSize) {
    this(htpasswdFile, credentialCacheSeconds, credentialCacheSize, null, null, null);
  }

  static SecurityConfig defaults() {
    return new SecurityConfig(null, null, null);
  }

  public SecurityConfig withHtpasswdFile(String file) {
    return new SecurityConfig(file, credentialCacheSeconds, credentialCacheSize, passwordThreads,
        failedLoginsPerUserPerMinute, failedLoginsPerAddressPerMinute);
  }

  public SecurityConfig withFailedLoginLimits(int perUser, int perAddress) {
    return new SecurityConfig(htpasswdFile, credentialCacheSeconds, credentialCacheSize, passwordThreads,
        perUser, perAddress);
  }
}
