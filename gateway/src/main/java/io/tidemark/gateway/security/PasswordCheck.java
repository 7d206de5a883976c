package io.tidemark.gateway.security;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tidemark.gateway.config.SecurityConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.auth.authentication.Credentials;
import io.vertx.ext.auth.authentication.UsernamePasswordCredentials;
import io.vertx.ext.auth.htpasswd.HtpasswdAuth;
import io.vertx.ext.auth.htpasswd.HtpasswdAuthOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Verifies Basic credentials against the htpasswd file. vertx-auth-htpasswd checks the SHA-1,
 * APR1, crypt and plain entries; bcrypt entries ({@code htpasswd -B}), which it does not know,
 * are checked here. Hashing runs on a worker thread, and a success is remembered for a short
 * while (keyed by a digest of the credentials, never the password itself) so that a client
 * sending the same credentials on every request does not pay a password hash each time.
 */
public final class PasswordCheck implements AuthenticationProvider {

  private final Vertx vertx;
  private final HtpasswdAuth htpasswd;
  private final Map<String, String> bcryptHashes;
  private final Map<String, Caller> callers;
  private final Cache<String, Boolean> verified;
  private final AtomicLong hashChecks = new AtomicLong();

  private PasswordCheck(Vertx vertx, HtpasswdAuth htpasswd, Map<String, String> bcryptHashes,
      Map<String, Caller> callers, SecurityConfig config) {
    this.vertx = vertx;
    this.htpasswd = htpasswd;
    this.bcryptHashes = bcryptHashes;
    this.callers = callers;
    this.verified = Caffeine.newBuilder()
        .maximumSize(config.credentialCacheSize())
        .expireAfterWrite(Duration.ofSeconds(config.credentialCacheSeconds()))
        .build();
  }

  /** Blocking: reads the htpasswd file. */
  public static PasswordCheck load(Vertx vertx, SecurityConfig config, Map<String, Caller> callers) {
    Path file = Path.of(config.htpasswdFile());
    Map<String, String> bcrypt = new HashMap<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String trimmed = line.trim();
        int colon = trimmed.indexOf(':');
        if (trimmed.isEmpty() || trimmed.startsWith("#") || colon < 1) {
          continue;
        }
        String hash = trimmed.substring(colon + 1);
        if (hash.startsWith("$2a$") || hash.startsWith("$2b$") || hash.startsWith("$2y$")) {
          bcrypt.put(trimmed.substring(0, colon), hash);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read htpasswd file " + file + ": " + e.getMessage(), e);
    }
    HtpasswdAuth htpasswd = HtpasswdAuth.create(vertx, new HtpasswdAuthOptions().setHtpasswdFile(file.toString()));
    return new PasswordCheck(vertx, htpasswd, Map.copyOf(bcrypt), Map.copyOf(callers), config);
  }

  @Override
  public Future<User> authenticate(Credentials credentials) {
    if (!(credentials instanceof UsernamePasswordCredentials up)
        || up.getUsername() == null || up.getPassword() == null) {
      return Future.failedFuture("Basic credentials required");
    }
    String name = up.getUsername();
    if (!callers.containsKey(name)) {
      // Only users that config grants something can log in; no hash to check for the rest.
      return Future.failedFuture("Invalid username or password");
    }
    String key = cacheKey(name, up.getPassword());
    if (verified.getIfPresent(key) != null) {
      return Future.succeededFuture(User.fromName(name));
    }
    return vertx.executeBlocking(() -> verify(up))
        .compose(verdict -> verdict)
        .compose(ok -> ok ? Future.succeededFuture(User.fromName(name)) : Future.failedFuture("Invalid username or password"))
        .onSuccess(user -> verified.put(key, Boolean.TRUE));
  }

  /** On a worker: bcrypt directly, anything else through vertx-auth-htpasswd. */
  private Future<Boolean> verify(UsernamePasswordCredentials credentials) {
    hashChecks.incrementAndGet();
    String bcrypt = bcryptHashes.get(credentials.getUsername());
    if (bcrypt != null) {
      return Future.succeededFuture(
          BCrypt.verifyer().verify(credentials.getPassword().toCharArray(), bcrypt).verified);
    }
    return htpasswd.authenticate(credentials).map(user -> true).otherwise(false);
  }

  /** The caller behind an authenticated user name. */
  public Caller caller(String name) {
    return callers.get(name);
  }

  /** How many password hashes were computed; lets tests see the cache at work. */
  long hashChecks() {
    return hashChecks.get();
  }

  private static String cacheKey(String user, String password) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(user.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(password.getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
