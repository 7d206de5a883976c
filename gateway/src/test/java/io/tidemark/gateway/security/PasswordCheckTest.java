package io.tidemark.gateway.security;

import static io.tidemark.gateway.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.config.ConfigLoader;
import io.tidemark.gateway.config.GatewayConfig;
import io.tidemark.gateway.config.SecurityConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PasswordCheckTest {

  private final Vertx vertx = Vertx.vertx();
  private final GatewayConfig config = ConfigLoader.load(TestGateway.testConfig(), Map.of());

  @AfterEach
  void close() {
    await(vertx.close());
  }

  @ParameterizedTest(name = "{0} ({2})")
  @CsvSource({
      "admin, admin-secret, bcrypt $2y$",
      "reader, reader-secret, APR1",
      "readonly, readonly-secret, SHA-1",
      "nobody, nobody-secret, crypt"})
  void each_htpasswd_hash_format_verifies(String user, String password, String format) {
    PasswordCheck check = check(config.security());
    assertEquals(user, login(check, user, password).orElseThrow().name());
    // Wrong early on: DES crypt reads only the first 8 characters of a password.
    assertEquals(Optional.empty(), login(check, user, "x" + password));
  }

  @Test
  void a_successful_check_is_cached_and_a_failed_one_is_not() {
    PasswordCheck check = check(config.security());
    for (int i = 0; i < 5; i++) {
      assertTrue(login(check, "admin", "admin-secret").isPresent());
    }
    assertEquals(1, check.hashChecks());
    for (int i = 0; i < 3; i++) {
      assertEquals(Optional.empty(), login(check, "admin", "wrong"));
    }
    assertEquals(4, check.hashChecks());
  }

  @Test
  void the_cache_is_keyed_by_the_password_too() {
    PasswordCheck check = check(config.security());
    assertTrue(login(check, "admin", "admin-secret").isPresent());
    assertEquals(Optional.empty(), login(check, "admin", "admin-secret "));
  }

  @Test
  void with_a_zero_ttl_nothing_is_cached() {
    SecurityConfig noCache = new SecurityConfig(config.security().htpasswdFile(), 0, 100);
    PasswordCheck check = check(noCache);
    login(check, "reader", "reader-secret");
    login(check, "reader", "reader-secret");
    assertEquals(2, check.hashChecks());
  }

  @Test
  void concurrent_first_logins_with_the_same_credentials_share_one_bcrypt_check() throws Exception {
    // No cache at all, and one password thread: only sharing the check in flight can explain one hash.
    SecurityConfig oneThreadNoCache = new SecurityConfig(config.security().htpasswdFile(), 0, 0, 1, 10, 30);
    PasswordCheck check = check(oneThreadNoCache);
    WorkerExecutor passwordPool = vertx.createSharedWorkerExecutor(PasswordCheck.WORKER_POOL, 1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch blocking = new CountDownLatch(1);
    // Holds the pool's only thread, so that every login below is sent while the first check waits.
    passwordPool.executeBlocking(() -> {
      blocking.countDown();
      release.await();
      return null;
    }, false);
    blocking.await();
    List<Future<Optional<Caller>>> logins = IntStream.range(0, 8)
        .mapToObj(i -> check.login("admin", "admin-secret", "10.0.0." + i)).toList();
    release.countDown();
    for (Future<Optional<Caller>> login : logins) {
      assertEquals("admin", await(login).orElseThrow().name());
    }
    assertEquals(1, check.hashChecks());
    assertEquals(1, check.bcryptChecks());
  }

  @Test
  void an_unknown_user_costs_a_bcrypt_check_like_a_known_one() {
    PasswordCheck check = check(config.security());
    assertEquals(Optional.empty(), login(check, "no-such-user", "whatever"));
    assertEquals(1, check.bcryptChecks());
    assertEquals(Optional.empty(), login(check, "admin", "whatever"));
    assertEquals(2, check.bcryptChecks());
    // At the cost the file's bcrypt entries use ($2y$10$), so that it takes as long.
    assertEquals(10, check.dummyCost());
  }

  @Test
  void a_user_missing_from_config_is_refused_after_a_dummy_bcrypt_check() {
    PasswordCheck check = check(config.security());
    // In the htpasswd file with a SHA-1 hash and this very password, but config grants it nothing.
    assertEquals(Optional.empty(), login(check, "unconfigured", "readonly-secret"));
    assertEquals(1, check.bcryptChecks());
  }

  @Test
  void a_password_longer_than_bcrypt_takes_is_simply_wrong() {
    PasswordCheck check = check(config.security());
    assertEquals(Optional.empty(), login(check, "admin", "x".repeat(100)));
    assertEquals(Optional.empty(), login(check, "no-such-user", "x".repeat(100)));
  }

  private static Optional<Caller> login(PasswordCheck check, String user, String password) {
    return await(check.login(user, password, null));
  }

  private PasswordCheck check(SecurityConfig security) {
    return PasswordCheck.load(vertx, security, Access.callers(config));
  }
}
