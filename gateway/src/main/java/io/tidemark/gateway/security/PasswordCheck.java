package io.tidemark.gateway.security;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.TimeMeter;
import io.tidemark.gateway.config.SecurityConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.auth.authentication.UsernamePasswordCredentials;
import io.vertx.ext.auth.htpasswd.HtpasswdAuth;
import io.vertx.ext.auth.htpasswd.HtpasswdAuthOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies Basic credentials against the htpasswd file. vertx-auth-htpasswd checks the SHA-1,
 * APR1, crypt and plain entries; bcrypt entries ({@code htpasswd -B}), which it does not know,
 * are checked here.
 *
 * <p>A login, in order: refused with {@link LoginThrottled} if the user name or the client
 * address has used up its failed logins ({@link LoginThrottle}), without looking at the
 * password; answered from memory if the same credentials succeeded lately; else checked once on
 * the password worker pool, however many requests with the same credentials are waiting for it.
 * A user the gateway does not know costs a bcrypt check against a dummy hash all the same, so
 * that the answer's timing does not tell which names exist.
 */
public final class PasswordCheck {

  /** One pool per Vert.x instance, shared by every event loop. */
  static final String WORKER_POOL = "tidemark-passwords";
  private static final int DEFAULT_BCRYPT_COST = 10;

  private final Vertx vertx;
  private final WorkerExecutor workers;
  private final HtpasswdAuth htpasswd;
  private final Map<String, String> bcryptHashes;
  private final Set<String> otherHashes;
  private final String dummyHash;
  private final Map<String, Caller> callers;
  private final LoginThrottle throttle;
  // Successes, and checks in flight. A check that fails completes with null, which Caffeine
  // drops: failures are never remembered, but requests that arrive while one runs share it.
  private final AsyncCache<String, Caller> checks;
  private final SecretKeySpec cacheKeySecret;
  // Mac.getInstance looks the provider up each time, which costs more than the HMAC itself.
  private final ThreadLocal<Mac> macs;
  private final AtomicLong hashChecks = new AtomicLong();
  private final AtomicLong bcryptChecks = new AtomicLong();

  private PasswordCheck(Vertx vertx, HtpasswdAuth htpasswd, Map<String, String> bcryptHashes, Set<String> otherHashes,
      Map<String, Caller> callers, SecurityConfig config, TimeMeter clock) {
    this.vertx = vertx;
    // A named Vert.x pool of its own, unordered: hashing neither queues behind other blocking work
    // nor runs one at a time per event loop (an ordered executeBlocking serialises a context's
    // checks). A Vert.x WorkerExecutor rather than a plain ExecutorService: it closes with Vert.x,
    // its threads are watched by the blocked-thread checker and its futures are Vert.x futures.
    this.workers = vertx.createSharedWorkerExecutor(WORKER_POOL, config.passwordThreads());
    this.htpasswd = htpasswd;
    this.bcryptHashes = bcryptHashes;
    this.otherHashes = otherHashes;
    this.dummyHash = dummyHash(bcryptHashes);
    this.callers = callers;
    this.throttle = new LoginThrottle(config.failedLoginsPerUserPerMinute(), config.failedLoginsPerAddressPerMinute(), clock);
    this.checks = Caffeine.newBuilder()
        .maximumSize(config.credentialCacheSize())
        .expireAfterWrite(Duration.ofSeconds(config.credentialCacheSeconds()))
        .buildAsync();
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    this.cacheKeySecret = new SecretKeySpec(secret, "HmacSHA256");
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  /** Blocking: reads the htpasswd file, and hashes once for the dummy. */
  public static PasswordCheck load(Vertx vertx, SecurityConfig config, Map<String, Caller> callers) {
    return load(vertx, config, callers, TimeMeter.SYSTEM_NANOTIME);
  }

  /** The same, with the throttle's clock given (tests). */
  static PasswordCheck load(Vertx vertx, SecurityConfig config, Map<String, Caller> callers, TimeMeter clock) {
    Path file = Path.of(config.htpasswdFile());
    Map<String, String> bcrypt = new HashMap<>();
    Set<String> other = new HashSet<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String trimmed = line.trim();
        int colon = trimmed.indexOf(':');
        if (trimmed.isEmpty() || trimmed.startsWith("#") || colon < 1) {
          continue;
        }
        String name = trimmed.substring(0, colon);
        String hash = trimmed.substring(colon + 1);
        if (hash.startsWith("$2a$") || hash.startsWith("$2b$") || hash.startsWith("$2y$")) {
          bcrypt.put(name, hash);
        } else {
          other.add(name);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read htpasswd file " + file + ": " + e.getMessage(), e);
    }
    HtpasswdAuth htpasswd = HtpasswdAuth.create(vertx, new HtpasswdAuthOptions().setHtpasswdFile(file.toString()));
    return new PasswordCheck(vertx, htpasswd, Map.copyOf(bcrypt), Set.copyOf(other), Map.copyOf(callers), config, clock);
  }

  /**
   * The caller these credentials belong to, or empty when they are wrong (or name no user).
   * Fails with {@link LoginThrottled} when too many logins failed lately for {@code user} or
   * from {@code address} ({@code null}: not limited by address).
   */
  public Future<Optional<Caller>> login(String user, String password, String address) {
    Optional<LoginThrottled> refusal = throttle.refusal(user, address);
    if (refusal.isPresent()) {
      return Future.failedFuture(refusal.get());
    }
    String key = cacheKey(user, password);
    CompletableFuture<Caller> known = checks.getIfPresent(key);
    if (known != null && known.isDone() && !known.isCompletedExceptionally() && known.getNow(null) != null) {
      // The common case, credentials that succeeded lately: no hop through the completion stage.
      return Future.succeededFuture(Optional.of(known.getNow(null)));
    }
    CompletableFuture<Caller> check = checks.get(key, (k, executor) -> check(user, password, address));
    // Back on the caller's own context: the check may have been started from another event loop.
    return Future.fromCompletionStage(check, vertx.getOrCreateContext())
        .<Optional<Caller>>map(Optional::ofNullable)
        .recover(failure -> Future.failedFuture(
            failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure));
  }

  /**
   * A request from {@code address} without usable credentials: no caller, and a failed login
   * against the address's allowance (no user's). Fails with {@link LoginThrottled} once the
   * address has used it up.
   */
  public Future<Optional<Caller>> anonymous(String address) {
    try {
      throttle.reserve(null, address).spend();
    } catch (LoginThrottled throttled) {
      return Future.failedFuture(throttled);
    }
    return Future.succeededFuture(Optional.empty());
  }

  /** Takes the throttle's tokens, then hashes on the worker pool; gives the tokens back on success. */
  private CompletableFuture<Caller> check(String user, String password, String address) {
    LoginThrottle.Reservation reservation;
    try {
      reservation = throttle.reserve(user, address);
    } catch (LoginThrottled throttled) {
      return CompletableFuture.failedFuture(throttled);
    }
    return workers.executeBlocking(() -> verify(user, password), false)
        .toCompletionStage().toCompletableFuture()
        .whenComplete((verified, failure) -> {
          if (failure == null && verified) {
            reservation.refund();
          } else {
            reservation.spend();
          }
        })
        .thenApply(verified -> verified ? callers.get(user) : null);
  }

  /**
   * On a worker: bcrypt directly, anything else through vertx-auth-htpasswd. Users that config
   * does not name, or that have no password, cost a bcrypt check against the dummy hash.
   */
  private boolean verify(String user, String password) {
    hashChecks.incrementAndGet();
    boolean known = callers.containsKey(user);
    String hash = bcryptHashes.get(user);
    if (known && hash != null) {
      return bcrypt(password, hash);
    }
    if (known && otherHashes.contains(user)) {
      // HtpasswdAuth hashes synchronously: its future is complete when it returns.
      return htpasswd.authenticate(new UsernamePasswordCredentials(user, password)).succeeded();
    }
    bcrypt(password, dummyHash);
    return false;
  }

  private boolean bcrypt(String password, String hash) {
    bcryptChecks.incrementAndGet();
    try {
      return BCrypt.verifyer().verify(password.toCharArray(), hash).verified;
    } catch (IllegalArgumentException tooLong) {
      // Over bcrypt's 72 bytes: no password that long can be right, for real users and the dummy alike.
      return false;
    }
  }

  /** How many password checks ran (any format, dummy included); lets tests see the cache at work. */
  long hashChecks() {
    return hashChecks.get();
  }

  /** How many of them were bcrypt checks, the dummy's included. */
  long bcryptChecks() {
    return bcryptChecks.get();
  }

  /** The bcrypt cost of the dummy hash: the one most of the file's bcrypt entries use. */
  int dummyCost() {
    return cost(dummyHash);
  }

  /**
   * A bcrypt hash of a random password at the file's usual cost: checking a password against it
   * takes as long as checking a real user's, and never succeeds.
   */
  private static String dummyHash(Map<String, String> bcryptHashes) {
    int cost = bcryptHashes.values().stream()
        .collect(Collectors.groupingBy(PasswordCheck::cost, Collectors.counting()))
        .entrySet().stream()
        .max(Map.Entry.<Integer, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
        .map(Map.Entry::getKey)
        .orElse(DEFAULT_BCRYPT_COST);
    byte[] password = new byte[32];
    new SecureRandom().nextBytes(password);
    return BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(cost, HexFormat.of().formatHex(password).toCharArray());
  }

  /** The cost of {@code $2y$10$...}; the default when the entry is malformed (it will then never verify). */
  private static int cost(String hash) {
    boolean wellFormed = hash.length() > 7 && hash.charAt(6) == '$'
        && Character.isDigit(hash.charAt(4)) && Character.isDigit(hash.charAt(5));
    int cost = wellFormed ? Integer.parseInt(hash.substring(4, 6)) : DEFAULT_BCRYPT_COST;
    return cost >= 4 && cost <= 31 ? cost : DEFAULT_BCRYPT_COST;
  }

  /**
   * An HMAC of the credentials under a key made at start-up: the cache never holds a password,
   * nor a plain digest of one that could be brute-forced from a heap dump.
   */
  private String cacheKey(String user, String password) {
    Mac mac = macs.get();
    byte[] name = user.getBytes(StandardCharsets.UTF_8);
    // Length first, so that no other split of the same bytes gives the same key.
    mac.update(ByteBuffer.allocate(4).putInt(name.length).array());
    mac.update(name);
    // Doing the final resets the Mac for the thread's next key. One char per byte: a key, not text.
    return new String(mac.doFinal(password.getBytes(StandardCharsets.UTF_8)), StandardCharsets.ISO_8859_1);
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(cacheKeySecret);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
