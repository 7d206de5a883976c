package io.tidemark.gateway.metrics;

import java.util.Map;
import java.util.TreeMap;

/** One Prometheus text-format scrape: each series ({@code name{labels}}) with its value. */
record Scrape(Map<String, Double> series) {

  static Scrape parse(String text) {
    Map<String, Double> series = new TreeMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
    }
    return new Scrape(series);
  }

  /** The series' value, 0 when it does not exist yet (a counter that has not counted). */
  double value(String series) {
    return this.series.getOrDefault(series, 0.0);
  }

  boolean has(String series) {
    return this.series.containsKey(series);
  }

  /** How much {@code series} grew from {@code before} to this scrape. */
  double grew(Scrape before, String series) {
    return value(series) - before.value(series);
  }

  boolean hasName(String name) {
    return series.keySet().stream().anyMatch(s -> s.equals(name) || s.startsWith(name + "{"));
  }
}
