package io.tidemark.gateway.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A closed-loop HTTP/1.1 load generator: {@code connections} callers, each on a keep-alive
 * connection of its own, send their next request as soon as the previous answer has been read.
 * Closed loop, so the load adapts to the server: a slow gateway gets fewer requests, and latency
 * is what a caller with one request in flight sees.
 *
 * <p>One thread and a selector, requests written from bytes prepared once, answers read by
 * {@code Content-Length}: on a two-core machine the load generator competes with the gateway and
 * PostgreSQL for CPU, and pgbench, the yardstick, is a lean C client. (The Vert.x HTTP client
 * this replaced used a third of a core at 64 connections; this uses about a tenth, as wrk does.)
 * It needs nothing beyond the JDK.
 */
final class ClosedLoop implements AutoCloseable {

  private final InetSocketAddress server;
  private final int connections;

  ClosedLoop(String host, int port, int connections) {
    this.server = new InetSocketAddress(host, port);
    this.connections = connections;
  }

  /** Repeats {@code call} from every connection for {@code duration}, then waits for the last answers. */
  Summary run(Call call, Duration duration) throws IOException {
    byte[] request = call.bytes(server.getHostString() + ":" + server.getPort());
    Recorder recorder = new Recorder();
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    long giveUp = end + Duration.ofSeconds(60).toNanos();
    try (Selector selector = Selector.open()) {
      List<Caller> callers = new ArrayList<>();
      for (int i = 0; i < connections; i++) {
        Caller caller = new Caller(request);
        caller.open(selector, server);
        callers.add(caller);
      }
      int active = connections;
      while (active > 0) {
        if (System.nanoTime() - giveUp > 0) {
          throw new IllegalStateException(active + " requests still unanswered a minute after the row ended");
        }
        selector.select(1000);
        for (SelectionKey key : selector.selectedKeys()) {
          Caller caller = (Caller) key.attachment();
          if (!caller.ready(key, recorder, end, selector, server)) {
            active--;
          }
        }
        selector.selectedKeys().clear();
      }
      for (Caller caller : callers) {
        caller.close();
      }
    }
    // Until the last answer, not the nominal end: the calls started before the end count, and
    // so does the time they took.
    return recorder.summary((System.nanoTime() - start) / 1e9);
  }

  @Override
  public void close() {}

  /** One connection's caller: writes a request, reads its answer, repeats until the row ends. */
  private static final class Caller {
    private final byte[] request;
    private ByteBuffer out;
    private ByteBuffer in = ByteBuffer.allocate(16 * 1024);
    private SocketChannel channel;
    private long sentAt;
    private boolean closeAfter;

    Caller(byte[] request) {
      this.request = request;
    }

    void open(Selector selector, InetSocketAddress server) throws IOException {
      channel = SocketChannel.open();
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      channel.connect(server); // blocking connect on loopback, then non-blocking I/O
      channel.configureBlocking(false);
      send(selector);
    }

    private void send(Selector selector) throws IOException {
      out = ByteBuffer.wrap(request);
      in.clear();
      sentAt = System.nanoTime();
      channel.write(out);
      channel.register(selector, out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ, this);
    }

    /** Handles a readiness event; {@code false} once this caller is done for the row. */
    boolean ready(SelectionKey key, Recorder recorder, long end, Selector selector, InetSocketAddress server)
        throws IOException {
      try {
        if (key.isWritable()) {
          channel.write(out);
          if (!out.hasRemaining()) {
            key.interestOps(SelectionKey.OP_READ);
          }
          return true;
        }
        if (channel.read(in) < 0) {
          throw new IOException("the server closed the connection");
        }
        Answer answer = Answer.parse(in);
        if (answer == null) {
          if (!in.hasRemaining()) {
            in = ByteBuffer.allocate(in.capacity() * 2).put(in.flip());
          }
          return true;
        }
        recorder.record(System.nanoTime() - sentAt, answer.status() / 100 == 2 ? null : FailureKey.of(answer.status(), answer.body()));
        closeAfter = answer.close();
      } catch (IOException e) {
        recorder.record(System.nanoTime() - sentAt, FailureKey.of(e));
        closeAfter = true;
      }
      if (System.nanoTime() - end >= 0) {
        key.cancel();
        return false;
      }
      if (closeAfter) {
        key.cancel();
        channel.close();
        open(selector, server);
      } else {
        send(selector);
      }
      return true;
    }

    void close() throws IOException {
      channel.close();
    }
  }

  /** A whole HTTP/1.1 answer at the start of a buffer, or {@code null} while it is still arriving. */
  record Answer(int status, String body, boolean close) {
    static Answer parse(ByteBuffer buffer) {
      byte[] bytes = buffer.array();
      int length = buffer.position();
      int headersEnd = indexOf(bytes, length);
      if (headersEnd < 0) {
        return null;
      }
      String head = new String(bytes, 0, headersEnd, StandardCharsets.ISO_8859_1);
      String[] lines = head.split("\r\n");
      int status = Integer.parseInt(lines[0].split(" ")[1]);
      int contentLength = -1;
      boolean close = false;
      for (int i = 1; i < lines.length; i++) {
        String line = lines[i].toLowerCase(Locale.ROOT);
        if (line.startsWith("content-length:")) {
          contentLength = Integer.parseInt(line.substring("content-length:".length()).trim());
        } else if (line.startsWith("connection:") && line.contains("close")) {
          close = true;
        } else if (line.startsWith("transfer-encoding:")) {
          throw new IllegalStateException("the load generator reads Content-Length answers only, got " + lines[i]);
        }
      }
      if (contentLength < 0) {
        throw new IllegalStateException("an answer without Content-Length: " + lines[0]);
      }
      int bodyStart = headersEnd + 4;
      if (length < bodyStart + contentLength) {
        return null;
      }
      return new Answer(status, new String(bytes, bodyStart, contentLength, StandardCharsets.UTF_8), close);
    }

    private static int indexOf(byte[] bytes, int length) {
      for (int i = 0; i + 3 < length; i++) {
        if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n') {
          return i;
        }
      }
      return -1;
    }
  }

  /** One thread records, so no lock is needed. */
  private static final class Recorder {
    private long[] latencies = new long[1 << 16];
    private int count;
    private final Map<String, Long> failures = new HashMap<>();

    void record(long nanos, String failure) {
      if (count == latencies.length) {
        latencies = Arrays.copyOf(latencies, count * 2);
      }
      latencies[count++] = nanos;
      if (failure != null) {
        failures.merge(failure, 1L, Long::sum);
      }
    }

    Summary summary(double seconds) {
      return Summary.of(Arrays.copyOf(latencies, count), seconds, failures);
    }
  }
}
