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
 */
public final class SignedTokens {

  private static final byte VERSION = 1;
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
