package io.tidemark.gateway.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Limits failed logins: a token bucket per user name and one per client address, each holding a
 * minute's allowance and refilled continuously over the minute.
 *
 * <p>A password check takes a token from both buckets before it runs and gives it back when the
 * password was right, so only failures spend tokens, and a burst of concurrent guesses cannot
 * overshoot the limit (each one holds its token while its hash runs). Unknown user names get
 * buckets like known ones: a throttle that skipped them would tell which names exist.
 */
final class LoginThrottle {

  // A bucket untouched for a minute is full again, the same as a new one: forgetting it loses nothing.
  private static final Duration IDLE = Duration.ofMinutes(1);
  // Bounds memory against floods of made-up names or addresses.
  private static final int MAX_BUCKETS = 100_000;

  private final int perUser;
  private final int perAddress;
  private final TimeMeter clock;
  private final Cache<String, Bucket> users;
  private final Cache<String, Bucket> addresses;
  // Every bucket is full a minute after its last token was spent. While no reservation is open
  // and no check failed within that minute, no bucket can refuse: the success path of every
  // request (a cached login) then skips the bucket lookups.
  private final AtomicInteger open = new AtomicInteger();
  private volatile boolean everSpent;
  private volatile long lastSpentNanos;

  LoginThrottle(int perUser, int perAddress, TimeMeter clock) {
    this.perUser = perUser;
    this.perAddress = perAddress;
    this.clock = clock;
    this.users = buckets(clock);
    this.addresses = buckets(clock);
  }

  /** One check's tokens, to give back if its password turns out right. */
  final class Reservation {
    private final Bucket user;
    private final Bucket address;

    private Reservation(Bucket user, Bucket address) {
      this.user = user;
      this.address = address;
    }

    /** The password was right: the tokens go back. */
    void refund() {
      if (user != null) {
        user.addTokens(1);
      }
      if (address != null) {
        address.addTokens(1);
      }
      open.decrementAndGet();
    }

    /** The check failed (wrong password, or it could not run): the tokens stay spent. */
    void spend() {
      lastSpentNanos = clock.currentTimeNanos();
      everSpent = true;
      open.decrementAndGet();
    }
  }

  /** Why a login with this name from this address must not be tried now, if it must not. */
  Optional<LoginThrottled> refusal(String user, String address) {
    if (allFull()) {
      return Optional.empty();
    }
    // No bucket means no password check ran lately, so nothing can have failed.
    Bucket byUser = user == null ? null : users.getIfPresent(user);
    if (byUser != null && byUser.getAvailableTokens() < 1) {
      return Optional.of(throttled("for user '" + user + "'", perUser, byUser));
    }
    Bucket byAddress = address == null ? null : addresses.getIfPresent(address);
    if (byAddress != null && byAddress.getAvailableTokens() < 1) {
      return Optional.of(throttled("from address " + address, perAddress, byAddress));
    }
    return Optional.empty();
  }

  /** Takes a token from each bucket for a check about to run; throws when either is empty (taking none). */
  Reservation reserve(String user, String address) {
    // Counted before any token is taken, so that refusal() never sees a drawn bucket as full.
    open.incrementAndGet();
    try {
      return take(user, address);
    } catch (RuntimeException refused) {
      open.decrementAndGet();
      throw refused;
    }
  }

  /**
   * No bucket can be short of a token: no reservation is open and none was spent within the
   * minute a bucket takes to fill up again. Spending is recorded before a reservation closes.
   */
  private boolean allFull() {
    return open.get() == 0 && (!everSpent || clock.currentTimeNanos() - lastSpentNanos >= IDLE.toNanos());
  }

  private Reservation take(String user, String address) {
    Bucket byUser = bucket(users, perUser, user);
    if (byUser != null && !byUser.tryConsume(1)) {
      throw throttled("for user '" + user + "'", perUser, byUser);
    }
    Bucket byAddress = bucket(addresses, perAddress, address);
    if (byAddress != null && !byAddress.tryConsume(1)) {
      if (byUser != null) {
        byUser.addTokens(1);
      }
      throw throttled("from address " + address, perAddress, byAddress);
    }
    return new Reservation(byUser, byAddress);
  }

  private Bucket bucket(Cache<String, Bucket> buckets, int perMinute, String key) {
    if (perMinute == 0 || key == null) {
      return null;
    }
    return buckets.get(key, k -> Bucket.builder()
        .addLimit(Bandwidth.builder().capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)).build())
        .withCustomTimePrecision(clock)
        .build());
  }

  private static LoginThrottled throttled(String who, int perMinute, Bucket bucket) {
    long nanos = bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill();
    long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(nanos + 999_999_999L));
    return new LoginThrottled("Too many failed logins " + who + ": at most " + perMinute
        + " a minute; retry in " + seconds + " s", seconds);
  }

  private static Cache<String, Bucket> buckets(TimeMeter clock) {
    return Caffeine.newBuilder()
        .expireAfterAccess(IDLE)
        .maximumSize(MAX_BUCKETS)
        .ticker(clock::currentTimeNanos)
        .build();
  }
}
