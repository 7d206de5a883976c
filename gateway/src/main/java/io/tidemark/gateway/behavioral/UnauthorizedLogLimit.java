package io.tidemark.gateway.behavioral;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bounds what unauthorised webhook attempts cost the processing log: at most so many entries a
 * minute per webhook (a token bucket refilled continuously), each keeping at most the first
 * {@link #MAX_BODY_BYTES} of the body. Without it, anyone who knows a webhook's URL could fill
 * the log (and the disk) with megabytes of entries as fast as they can send.
 */
final class UnauthorizedLogLimit {

  static final int MAX_BODY_BYTES = 4096;

  private final int perMinute;
  private final TimeMeter clock;
  // One bucket per configured webhook: unknown webhook ids are answered 404 before this, so the map stays small.
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  UnauthorizedLogLimit(int perMinute, TimeMeter clock) {
    this.perMinute = perMinute;
    this.clock = clock;
  }

  /** Whether an unauthorised attempt at {@code webhookId} may be logged now; takes the allowance if so. */
  boolean tryLog(String webhookId) {
    if (perMinute == 0) {
      return false;
    }
    return buckets.computeIfAbsent(webhookId, id -> Bucket.builder()
        .addLimit(Bandwidth.builder().capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)).build())
        .withCustomTimePrecision(clock)
        .build()).tryConsume(1);
  }

  /** The first {@link #MAX_BODY_BYTES} of {@code body} as text, cut before a character split in two. */
  static String head(byte[] body) {
    if (body.length <= MAX_BODY_BYTES) {
      return new String(body, StandardCharsets.UTF_8);
    }
    int end = MAX_BODY_BYTES;
    // A UTF-8 continuation byte (10xxxxxx) at the cut belongs to a character that starts before it.
    while (end > 0 && (body[end] & 0xC0) == 0x80) {
      end--;
    }
    return new String(Arrays.copyOf(body, end), StandardCharsets.UTF_8);
  }
}
