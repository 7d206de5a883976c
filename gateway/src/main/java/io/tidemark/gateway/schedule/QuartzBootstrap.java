package io.tidemark.gateway.schedule;

import com.zaxxer.hikari.HikariDataSource;
import io.tidemark.gateway.config.DatabaseConfig;
import io.tidemark.gateway.config.SchedulingConfig;
import io.tidemark.gateway.store.Database;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.spi.JobFactory;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/**
 * This instance's Quartz node: the clustered JDBC job store in the gateway's schema, on a JDBC
 * pool of its own. Its connection provider can lend Quartz the caller's open transaction
 * ({@link #inTransaction}), so that the outbox creates jobs and marks its rows synced in one commit.
 */
final class QuartzBootstrap {

  private final HikariDataSource jdbc;
  private final Scheduler quartz;
  private final ThreadLocal<Connection> lent = new ThreadLocal<>();

  private QuartzBootstrap(HikariDataSource jdbc, Scheduler quartz) {
    this.jdbc = jdbc;
    this.quartz = quartz;
  }

  /** Creates the node (not started yet: {@link #start}). Blocks. */
  static QuartzBootstrap create(SchedulingConfig config, DatabaseConfig database, JobFactory jobs) throws SchedulerException {
    // Quartz's threads, the outbox worker, and the API's reads.
    HikariDataSource jdbc = Database.jdbcDataSource(database, "tidemark-quartz", config.threadCount() + 4);
    QuartzBootstrap[] self = new QuartzBootstrap[1];
    // DBConnectionManager is JVM-wide: a name of this instance's own for its pool.
    String dataSource = "tidemark-quartz-" + UUID.randomUUID();
    DBConnectionManager.getInstance().addConnectionProvider(dataSource, new ConnectionProvider() {
      @Override
      public Connection getConnection() throws SQLException {
        Connection lent = self[0] == null ? null : self[0].lent.get();
        return lent != null ? borrowed(lent) : jdbc.getConnection();
      }

      @Override
      public void shutdown() {
        jdbc.close();
      }

      @Override
      public void initialize() {}
    });
    Properties p = new Properties();
    // Every instance on one schema shares the scheduler name: that is what makes them one cluster.
    p.setProperty("org.quartz.scheduler.instanceName", "tidemark-" + database.schema());
    p.setProperty("org.quartz.scheduler.instanceId", "AUTO");
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty("org.quartz.scheduler.idleWaitTime", Integer.toString(config.pollMillis()));
    p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(config.threadCount()));
    p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
    p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
    p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
    p.setProperty("org.quartz.jobStore.dataSource", dataSource);
    p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
    p.setProperty("org.quartz.jobStore.isClustered", "true");
    p.setProperty("org.quartz.jobStore.clusterCheckinInterval", "2000");
    p.setProperty("org.quartz.jobStore.misfireThreshold", "5000");
    p.setProperty("org.quartz.jobStore.useProperties", "true");
    p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
    Scheduler quartz = new StdSchedulerFactory(p).getScheduler();
    // Quartz hands out one scheduler per name per JVM; each gateway is a node of its own, also
    // when tests run two in one JVM.
    SchedulerRepository.getInstance().remove(quartz.getSchedulerName());
    quartz.setJobFactory(jobs);
    self[0] = new QuartzBootstrap(jdbc, quartz);
    return self[0];
  }

  Scheduler scheduler() {
    return quartz;
  }

  void start() throws SchedulerException {
    quartz.start();
  }

  /** Lets running firings finish (they are bounded by the handler time limit), then stops and closes the pool. */
  void shutdown() throws SchedulerException {
    quartz.shutdown(true);
  }

  /** A connection of this node's pool, for work of the gateway's own (the outbox). */
  Connection connection() throws SQLException {
    return jdbc.getConnection();
  }

  /**
   * Runs {@code work} with every Quartz call it makes on this thread inside {@code transaction}:
   * Quartz's statements and row locks join it, and its commits are left to the caller.
   */
  <T> T inTransaction(Connection transaction, Callable<T> work) throws Exception {
    lent.set(transaction);
    try {
      return work.call();
    } finally {
      lent.remove();
    }
  }

  /** The caller's connection as Quartz may use it: its commit and close are the caller's to do. */
  private static Connection borrowed(Connection connection) {
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
        (proxy, method, args) -> {
          switch (method.getName()) {
            case "commit", "close" -> {
              return null;
            }
            case "isClosed" -> {
              return false;
            }
            default -> {
              try {
                return method.invoke(connection, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            }
          }
        });
  }
}
