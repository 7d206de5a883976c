package io.tidemark.gateway;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting for asynchronous work in tests: poll with a deadline, never a fixed sleep. */
public final class Poll {

  private static final long DEADLINE_SECONDS = 30;

  private Poll() {}

  /** Polls until {@code probe} gives a value, and returns it; fails after 30 s naming {@code what}. */
  public static <T> T until(Supplier<T> probe, String what) {
    return within(Duration.ofSeconds(DEADLINE_SECONDS), probe, what);
  }

  /** Polls until {@code probe} gives a value, and returns it; fails after {@code deadline} naming {@code what}. */
  public static <T> T within(Duration limit, Supplier<T> probe, String what) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      T value = probe.get();
      if (value != null) {
        return value;
      }
      assertTrue(System.nanoTime() < deadline, "timed out waiting: " + what);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  public static void until(BooleanSupplier condition, String what) {
    until(() -> condition.getAsBoolean() ? Boolean.TRUE : null, what);
  }
}
