package io.tidemark.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy between a gateway and PostgreSQL, to cause real outages in tests: {@link #cut()}
 * resets every open connection and refuses new ones, as a crashed or restarting server does;
 * {@link #stall()} resets them and accepts new ones that never get an answer, as a hung server
 * or a network that drops packets; {@link #resume()} ends either.
 *
 * <p>Listens on {@code 127.0.0.1} on a free port; two threads copy each connection's bytes.
 */
public final class TcpProxy implements AutoCloseable {

  private final InetSocketAddress upstream;
  private final int port;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile ServerSocket listener;
  private volatile boolean closed;
  private volatile boolean stalled;

  private TcpProxy(InetSocketAddress upstream) {
    this.upstream = upstream;
    this.listener = listen(0);
    this.port = listener.getLocalPort();
    acceptOn(listener);
  }

  /** A proxy to {@code host:port}, accepting connections. */
  public static TcpProxy to(String host, int port) {
    return new TcpProxy(new InetSocketAddress(host, port));
  }

  public int port() {
    return port;
  }

  /** {@code url} (a {@code postgresql://} URL) with its host and port replaced by this proxy's. */
  public String url(String url) {
    return url.replaceFirst("^(?<prefix>postgres(ql)?://([^@/]*@)?)[^/]+/", "${prefix}127.0.0.1:" + port + "/");
  }

  /**
   * The outage: stops listening, so connection attempts are refused, and resets every open
   * connection on both sides (the client reads "Connection reset", the server ends its session).
   */
  public synchronized void cut() {
    ServerSocket current = listener;
    listener = null;
    closeQuietly(current);
    for (Socket socket : open) {
      reset(socket);
    }
  }

  /**
   * The other outage: resets every open connection, then accepts new ones (the client's connect
   * succeeds) but never answers, so only the client's own timeouts end its wait.
   */
  public synchronized void stall() {
    stalled = true;
    for (Socket socket : open) {
      reset(socket);
    }
  }

  /** The end of the outage: resets the connections a stall held, and accepts connections on the same port again. */
  public synchronized void resume() {
    if (stalled) {
      stalled = false;
      for (Socket socket : open) {
        reset(socket);
      }
    }
    if (listener == null && !closed) {
      listener = listen(port);
      acceptOn(listener);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    cut();
  }

  private static ServerSocket listen(int port) {
    try {
      ServerSocket socket = new ServerSocket();
      // The port's accepted connections may linger in TIME_WAIT after a cut; rebinding must not wait for them.
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return socket;
    } catch (IOException e) {
      throw new UncheckedIOException("proxy: cannot listen on port " + port, e);
    }
  }

  private void acceptOn(ServerSocket server) {
    Thread accepter = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          connect(server, server.accept());
        } catch (IOException e) {
          // Closed by cut() or close(): this listener's work is over.
        }
      }
    }, "tcp-proxy-accept-" + port);
    accepter.setDaemon(true);
    accepter.start();
  }

  private void connect(ServerSocket acceptedBy, Socket client) {
    synchronized (this) {
      if (stalled) {
        // Held, never read: the client waits for an answer that does not come.
        open.add(client);
        return;
      }
    }
    Socket server = new Socket();
    try {
      server.connect(upstream, 5000);
    } catch (IOException e) {
      reset(client);
      closeQuietly(server);
      return;
    }
    synchronized (this) {
      if (listener != acceptedBy || stalled) {
        // Accepted just before a cut or stall: it belongs to the outage.
        reset(client);
        reset(server);
        return;
      }
      open.add(client);
      open.add(server);
    }
    pump(client, server, "up");
    pump(server, client, "down");
  }

  private void pump(Socket from, Socket to, String direction) {
    Thread pump = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // Reset by cut(), or by either end: the other end learns of it below.
      } finally {
        // One side is gone, so the pair is: close both, as a dying server's kernel would.
        reset(from);
        reset(to);
      }
    }, "tcp-proxy-" + direction + "-" + port);
    pump.setDaemon(true);
    pump.start();
  }

  /** Closes with an RST rather than a FIN: the peer sees "Connection reset", not an orderly end. */
  private void reset(Socket socket) {
    open.remove(socket);
    try {
      socket.setSoLinger(true, 0);
    } catch (SocketException e) {
      // Already closed.
    }
    closeQuietly(socket);
  }

  private static void closeQuietly(AutoCloseable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (Exception e) {
      // Nothing left to release.
    }
  }
}
