package io.tidemark.gateway.security;

import static io.tidemark.gateway.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.config.ConfigLoader;
import io.tidemark.gateway.config.GatewayConfig;
import io.tidemark.gateway.config.SecurityConfig;
import io.vertx.core.Vertx;
import io.vertx.ext.auth.authentication.UsernamePasswordCredentials;
import java.util.Map;
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
    assertEquals(user, await(check.authenticate(new UsernamePasswordCredentials(user, password))).subject());
    // Wrong early on: DES crypt reads only the first 8 characters of a password.
    assertThrows(RuntimeException.class, () -> await(check.authenticate(new UsernamePasswordCredentials(user, "x" + password))));
  }

  @Test
  void a_successful_check_is_cached_and_a_failed_one_is_not() {
    PasswordCheck check = check(config.security());
    for (int i = 0; i < 5; i++) {
      await(check.authenticate(new UsernamePasswordCredentials("admin", "admin-secret")));
    }
    assertEquals(1, check.hashChecks());
    for (int i = 0; i < 3; i++) {
      assertThrows(RuntimeException.class,
          () -> await(check.authenticate(new UsernamePasswordCredentials("admin", "wrong"))));
    }
    assertEquals(4, check.hashChecks());
  }

  @Test
  void the_cache_is_keyed_by_the_password_too() {
    PasswordCheck check = check(config.security());
    await(check.authenticate(new UsernamePasswordCredentials("admin", "admin-secret")));
    assertThrows(RuntimeException.class,
        () -> await(check.authenticate(new UsernamePasswordCredentials("admin", "admin-secret "))));
  }

  @Test
  void with_a_zero_ttl_nothing_is_cached() {
    SecurityConfig noCache = new SecurityConfig(config.security().htpasswdFile(), 0, 100);
    PasswordCheck check = check(noCache);
    await(check.authenticate(new UsernamePasswordCredentials("reader", "reader-secret")));
    await(check.authenticate(new UsernamePasswordCredentials("reader", "reader-secret")));
    assertEquals(2, check.hashChecks());
  }

  @Test
  void a_user_missing_from_config_is_refused_without_hashing() {
    PasswordCheck check = check(config.security());
    assertThrows(RuntimeException.class,
        () -> await(check.authenticate(new UsernamePasswordCredentials("unconfigured", "readonly-secret"))));
    assertEquals(0, check.hashChecks());
  }

  private PasswordCheck check(SecurityConfig security) {
    return PasswordCheck.load(vertx, security, Access.callers(config));
  }
}
