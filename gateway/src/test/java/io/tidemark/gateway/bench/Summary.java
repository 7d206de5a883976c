package io.tidemark.gateway.bench;

import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What one benchmark row measured: how many calls completed in how long, their latency
 * percentiles, and the calls that did not succeed, counted by what they answered.
 *
 * @param calls every call started in the measured window, whatever it answered
 * @param failures non-2xx answers and transport errors, by key ({@code "503 PLUGIN_BUSY"}); they are among the calls
 */
record Summary(long calls, double seconds, long p50Nanos, long p99Nanos, long maxNanos, Map<String, Long> failures) {

  Summary {
    failures = Map.copyOf(failures);
  }

  /** {@code latencies} in nanoseconds, in any order; they are sorted in place. */
  static Summary of(long[] latencies, double seconds, Map<String, Long> failures) {
    Arrays.sort(latencies);
    return new Summary(latencies.length, seconds, percentile(latencies, 0.50), percentile(latencies, 0.99),
        latencies.length == 0 ? 0 : latencies[latencies.length - 1], failures);
  }

  /** Nearest-rank percentile: the smallest sample that at least {@code p} of the samples do not exceed. */
  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
  }

  /** Every answer, failures included. */
  double perSecond() {
    return calls / seconds;
  }

  /** The answers that did the work: a fast 503 is no policy issued. */
  double okPerSecond() {
    return (calls - failed()) / seconds;
  }

  long failed() {
    return failures.values().stream().mapToLong(Long::longValue).sum();
  }

  double p50Millis() {
    return p50Nanos / 1e6;
  }

  double p99Millis() {
    return p99Nanos / 1e6;
  }

  /** The {@code n} most frequent failures, most frequent first: {@code 503 PLUGIN_BUSY ×120, 500 INTERNAL_ERROR ×3}. */
  String topFailures(int n) {
    Map<String, Long> top = failures.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
        .limit(n)
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    String shown = top.entrySet().stream().map(e -> e.getKey() + " ×" + e.getValue()).collect(Collectors.joining(", "));
    return failures.size() > n ? shown + ", …" : shown;
  }
}
