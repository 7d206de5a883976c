package io.tidemark.gateway;

import java.util.concurrent.ForkJoinPool;
import java.util.function.Predicate;
import org.junit.platform.engine.ConfigurationParameters;
import org.junit.platform.engine.support.hierarchical.ParallelExecutionConfiguration;
import org.junit.platform.engine.support.hierarchical.ParallelExecutionConfigurationStrategy;

/**
 * Runs at most {@code tidemark.test.parallelism} test classes at once (default 3), strictly.
 *
 * <p>JUnit's "fixed" strategy lets its pool add threads when a test blocks in a
 * {@code CompletableFuture.get()} on a pool thread, and each extra thread starts another test
 * class with gateways of its own. Those extra classes took the suite past the 100 connections
 * of a default PostgreSQL. A pool that cannot grow keeps the peak where the arithmetic says.
 */
public final class BoundedParallelism implements ParallelExecutionConfigurationStrategy {

  @Override
  public ParallelExecutionConfiguration createConfiguration(ConfigurationParameters parameters) {
    int parallelism = parameters.get("tidemark.test.parallelism", Integer::parseInt).orElse(3);
    return new ParallelExecutionConfiguration() {
      @Override
      public int getParallelism() {
        return parallelism;
      }

      @Override
      public int getMinimumRunnable() {
        return parallelism;
      }

      @Override
      public int getMaxPoolSize() {
        return parallelism;
      }

      @Override
      public int getCorePoolSize() {
        return parallelism;
      }

      @Override
      public int getKeepAliveSeconds() {
        return 30;
      }

      @Override
      public Predicate<? super ForkJoinPool> getSaturatePredicate() {
        return pool -> true; // a blocked thread waits; no compensating thread is started
      }
    };
  }
}
