package io.tidemark.gateway.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Paging tokens and cursors: opaque, URL-safe, signed, and bound to a scope (the filters a
 * token was issued for), so a client can neither forge a position nor reuse a token elsewhere.
 *
 * <p>Layout before base64url: a version byte, the values (8 bytes each), an 8-byte digest of the
 * scope, and a 16-byte HMAC-SHA256 over all of that with a per-database secret (so tokens
 * survive restarts and work on every instance).
 *
 * <p>A carrying token (version 2, {@link #issueCarrying}) holds the scope text instead of its
 * digest (2-byte length, UTF-8), so a client that stores only the token can continue with the
 * filters it was issued for. The scope is signed, not secret: it is the client's own filters.
 */
public final class SignedTokens {

  private static final byte VERSION = 1;
  /** A token that carries its scope itself, so that it can be passed back alone. */
  private static final byte CARRYING = 2;
  private static final int MAX_SCOPE_BYTES = 4096;
  private static final int DIGEST_BYTES = 8;
  private static final int MAC_BYTES = 16;

  private final SecretKeySpec key;

  public SignedTokens(byte[] secret) {
    this.key = new SecretKeySpec(secret, "HmacSHA256");
  }

  public String issue(String scope, long... values) {
    ByteBuffer buffer = ByteBuffer.allocate(payloadBytes(values.length) + MAC_BYTES);
    buffer.put(VERSION);
    for (long value : values) {
      buffer.putLong(value);
    }
    buffer.put(digest(scope));
    buffer.put(mac(Arrays.copyOf(buffer.array(), payloadBytes(values.length))));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer.array());
  }

  /**
   * The {@code count} values of a token issued for {@code scope}; 400 naming {@code parameter}
   * when it is forged, garbled, or was issued for another scope.
   */
  public long[] open(String token, String scope, int count, String parameter) {
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(token);
    } catch (IllegalArgumentException e) {
      throw garbled(parameter);
    }
    int payload = payloadBytes(count);
    if (bytes.length != payload + MAC_BYTES || bytes[0] != VERSION) {
      throw garbled(parameter);
    }
    byte[] signed = Arrays.copyOf(bytes, payload);
    if (!MessageDigest.isEqual(mac(signed), Arrays.copyOfRange(bytes, payload, bytes.length))) {
      throw garbled(parameter);
    }
    if (!MessageDigest.isEqual(digest(scope), Arrays.copyOfRange(signed, payload - DIGEST_BYTES, payload))) {
      throw ApiException.badParameter(parameter, "was issued for other filters; pass the same filters as the "
          + "request that returned it, or start without it");
    }
    long[] values = new long[count];
    ByteBuffer read = ByteBuffer.wrap(signed, 1, count * 8);
    for (int i = 0; i < count; i++) {
      values[i] = read.getLong();
    }
    return values;
  }

  /** What a carrying token holds: the scope it was issued for and its values. */
  public record Carried(String scope, long[] values) {}

  /** A token that carries {@code scope} (at most 4096 UTF-8 bytes) besides the values. */
  public String issueCarrying(String scope, long... values) {
    byte[] text = scope.getBytes(StandardCharsets.UTF_8);
    if (text.length > MAX_SCOPE_BYTES) {
      throw new IllegalArgumentException("scope of " + text.length + " bytes");
    }
    int payload = 1 + 8 * values.length + 2 + text.length;
    ByteBuffer buffer = ByteBuffer.allocate(payload + MAC_BYTES);
    buffer.put(CARRYING);
    for (long value : values) {
      buffer.putLong(value);
    }
    buffer.putShort((short) text.length).put(text);
    buffer.put(mac(Arrays.copyOf(buffer.array(), payload)));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer.array());
  }

  /**
   * Opens a token of {@code count} values. A carrying token continues with its own scope when
   * {@code given} is {@code null} (the client passed no filters); otherwise {@code given} must
   * be that scope. A token of the older kind carries only a digest: it needs {@code given}.
   * Every mismatch, forgery or garbling is a 400 naming {@code parameter}.
   */
  public Carried openCarrying(String token, int count, String parameter, String given) {
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(token);
    } catch (IllegalArgumentException e) {
      throw garbled(parameter);
    }
    if (bytes.length > 0 && bytes[0] == VERSION) {
      if (given == null) {
        throw ApiException.badParameter(parameter, "was issued by an older version without its filters; pass it "
            + "with the filters of the request that returned it");
      }
      return new Carried(given, open(token, given, count, parameter));
    }
    int header = 1 + 8 * count + 2;
    if (bytes.length < header + MAC_BYTES || bytes[0] != CARRYING) {
      throw garbled(parameter);
    }
    ByteBuffer read = ByteBuffer.wrap(bytes);
    read.get();
    long[] values = new long[count];
    for (int i = 0; i < count; i++) {
      values[i] = read.getLong();
    }
    int length = Short.toUnsignedInt(read.getShort());
    if (bytes.length != header + length + MAC_BYTES) {
      throw garbled(parameter);
    }
    int payload = header + length;
    if (!MessageDigest.isEqual(mac(Arrays.copyOf(bytes, payload)), Arrays.copyOfRange(bytes, payload, bytes.length))) {
      throw garbled(parameter);
    }
    String scope = new String(bytes, header, length, StandardCharsets.UTF_8);
    if (given != null && !given.equals(scope)) {
      throw ApiException.badParameter(parameter, "was issued for other filters; pass it alone, or with exactly the "
          + "filters of the request that returned it");
    }
    return new Carried(scope, values);
  }

  private static int payloadBytes(int count) {
    return 1 + 8 * count + DIGEST_BYTES;
  }

  private static ApiException garbled(String parameter) {
    return ApiException.badParameter(parameter, "is not a token issued by this server");
  }

  private static byte[] digest(String scope) {
    try {
      byte[] sha = MessageDigest.getInstance("SHA-256").digest(scope.getBytes(StandardCharsets.UTF_8));
      return Arrays.copyOf(sha, DIGEST_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private byte[] mac(byte[] payload) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return Arrays.copyOf(mac.doFinal(payload), MAC_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
