package io.tidemark.gateway.delivery;

import io.tidemark.gateway.config.DeliveryConfig;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a subscription may deliver: an absolute http(s) URL without credentials, whose host
 * resolves only to public addresses (unless config allows loopback or private ones). Checked
 * when a subscription is created or changed (400 naming the reason) and again before every
 * attempt, on the address actually connected to, so that a DNS answer changed since cannot
 * point a delivery at the gateway's own network.
 */
final class TargetGuard {

  /** A URL the gateway refuses, and why (the 400's message). */
  static final class Refused extends Exception {
    Refused(String reason) {
      super(reason);
    }
  }

  /** A checked URL and the address to connect to. */
  record Target(URI uri, boolean ssl, String host, int port, String pathAndQuery, InetAddress address) {}

  private static final int MAX_URL_LENGTH = 2048;
  private final DeliveryConfig config;

  TargetGuard(DeliveryConfig config) {
    this.config = config;
  }

  /** The URL's form alone, without resolving it (cheap: runs on the event loop). */
  static URI parse(String url) throws Refused {
    if (url == null || url.isBlank()) {
      throw new Refused("url is required");
    }
    if (url.length() > MAX_URL_LENGTH) {
      throw new Refused("url must be at most " + MAX_URL_LENGTH + " characters");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new Refused("url is not a valid URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new Refused("url must be http or https");
    }
    if (uri.getRawUserInfo() != null) {
      throw new Refused("url must not carry credentials (user:password@); authenticate receivers by the webhook signature");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new Refused("url has no host");
    }
    if (uri.getRawFragment() != null) {
      throw new Refused("url must not have a fragment");
    }
    return uri;
  }

  /** Blocking (DNS): call it off the event loop. */
  Target resolve(String url) throws Refused {
    URI uri = parse(url);
    String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw new Refused("url's host " + host + " does not resolve");
    }
    for (InetAddress address : addresses) {
      Optional<String> why = forbidden(address);
      if (why.isPresent()) {
        throw new Refused("url's host " + host + " resolves to " + address.getHostAddress() + ", " + why.get()
            + " address; deliveries go to public addresses only");
      }
    }
    boolean ssl = "https".equalsIgnoreCase(uri.getScheme());
    int port = uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80;
    String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    return new Target(uri, ssl, host, port, path, addresses[0]);
  }

  /** Why deliveries may not go to {@code address}; empty when they may. */
  Optional<String> forbidden(InetAddress address) {
    if (address.isLoopbackAddress()) {
      return config.allowLoopback() ? Optional.empty() : Optional.of("a loopback");
    }
    if (config.allowPrivate()) {
      return Optional.empty();
    }
    if (address.isAnyLocalAddress()) {
      return Optional.of("an unspecified");
    }
    if (address.isLinkLocalAddress()) {
      return Optional.of("a link-local");
    }
    if (address.isSiteLocalAddress()) {
      return Optional.of("a private");
    }
    if (address.isMulticastAddress()) {
      return Optional.of("a multicast");
    }
    byte[] b = address.getAddress();
    if (address instanceof Inet4Address) {
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      if (first == 0 || (first == 100 && second >= 64 && second < 128) || (first == 192 && second == 0 && (b[2] & 0xff) == 0)
          || (first == 198 && (second == 18 || second == 19)) || first >= 240) {
        return Optional.of("a reserved");
      }
    } else if (address instanceof Inet6Address) {
      if ((b[0] & 0xfe) == 0xfc) {
        return Optional.of("a private (unique local)");
      }
      // An IPv4-mapped address is judged as the IPv4 address it maps.
      boolean mapped = true;
      for (int i = 0; i < 10; i++) {
        mapped &= b[i] == 0;
      }
      if (mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
        try {
          return forbidden(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
        } catch (UnknownHostException impossible) {
          return Optional.of("an unusable");
        }
      }
    }
    return Optional.empty();
  }
}
