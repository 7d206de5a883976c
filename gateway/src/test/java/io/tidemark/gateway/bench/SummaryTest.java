package io.tidemark.gateway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class SummaryTest {

  @Test
  void percentiles_are_nearest_rank_over_the_samples_in_any_order() {
    long[] oneToHundredReversed = LongStream.rangeClosed(1, 100).map(i -> 101 - i).toArray();

    Summary summary = Summary.of(oneToHundredReversed, 2.0, Map.of());

    assertEquals(100, summary.calls());
    assertEquals(50, summary.p50Nanos());
    assertEquals(99, summary.p99Nanos());
    assertEquals(100, summary.maxNanos());
    assertEquals(50.0, summary.perSecond());
    assertEquals(50.0, summary.okPerSecond());
  }

  @Test
  void a_few_samples_give_their_own_values_never_one_past_the_end() {
    assertEquals(7, Summary.percentile(new long[] {7}, 0.99));
    assertEquals(7, Summary.percentile(new long[] {7}, 0.0));
    assertEquals(3, Summary.percentile(new long[] {1, 3}, 0.99));
    assertEquals(1, Summary.percentile(new long[] {1, 3}, 0.50));
    assertEquals(0, Summary.percentile(new long[0], 0.50));
  }

  @Test
  void latencies_are_reported_in_milliseconds() {
    Summary summary = Summary.of(new long[] {1_500_000, 2_500_000}, 1.0, Map.of());

    assertEquals(1.5, summary.p50Millis());
    assertEquals(2.5, summary.p99Millis());
  }

  @Test
  void failures_are_counted_and_the_most_frequent_come_first() {
    Summary summary = Summary.of(new long[] {1, 2, 3, 4, 5, 6, 7}, 1.0,
        Map.of("500 INTERNAL_ERROR", 1L, "503 PLUGIN_BUSY", 4L, "422 EMF_PROCESSOR_FAILED", 2L));

    assertEquals(7, summary.failed());
    assertEquals(7.0, summary.perSecond());
    assertEquals(0.0, summary.okPerSecond());
    assertEquals("503 PLUGIN_BUSY ×4, 422 EMF_PROCESSOR_FAILED ×2, 500 INTERNAL_ERROR ×1", summary.topFailures(3));
    assertEquals("503 PLUGIN_BUSY ×4, 422 EMF_PROCESSOR_FAILED ×2, …", summary.topFailures(2));
    assertEquals("", Summary.of(new long[] {1}, 1.0, Map.of()).topFailures(3));
  }
}
