package io.tidemark.gateway.behavioral;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.tidemark.gateway.http.ApiException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** The audit log's rate limit: a token bucket per user, refilled continuously over a minute. */
final class AuditRateLimiter {

  private final int perMinute;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  AuditRateLimiter(int perMinute) {
    this.perMinute = perMinute;
  }

  /** Takes one request from the user's bucket, or fails with 429 and a {@code Retry-After} header. */
  void take(String user) {
    Bucket bucket = buckets.computeIfAbsent(user, u -> Bucket.builder()
        .addLimit(Bandwidth.builder().capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)).build())
        .build());
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
    if (!probe.isConsumed()) {
      long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill() + 999_999_999L));
      throw new ApiException(429, "RATE_LIMITED",
          "Too many audit log requests: at most " + perMinute + " a minute; retry in " + seconds + " s").retryAfter(seconds);
    }
  }
}
