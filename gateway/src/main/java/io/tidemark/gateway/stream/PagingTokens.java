package io.tidemark.gateway.stream;

import io.tidemark.gateway.http.ApiException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Paging tokens: opaque, URL-safe, signed, and bound to the filters they were issued for.
 *
 * <p>Layout before base64url: a version byte, the last stream position the reader has seen,
 * an 8-byte digest of the filters, and a 16-byte HMAC-SHA256 over all of that with a per-database
 * secret. The position is all a reader needs to resume: positions follow commit order, so
 * "everything after position p" is exactly what the reader has not seen yet, now or later.
 */
final class PagingTokens {

  private static final byte VERSION = 1;
  private static final int PAYLOAD = 1 + 8 + 8;
  private static final int MAC_BYTES = 16;
  static final String PARAMETER = "pagingToken";

  private final SecretKeySpec key;

  PagingTokens(byte[] secret) {
    this.key = new SecretKeySpec(secret, "HmacSHA256");
  }

  String issue(StreamFilter filter, long position) {
    ByteBuffer buffer = ByteBuffer.allocate(PAYLOAD + MAC_BYTES);
    buffer.put(VERSION).putLong(position).put(filterDigest(filter));
    buffer.put(mac(Arrays.copyOf(buffer.array(), PAYLOAD)));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer.array());
  }

  /** The position a token resumes after; 400 when it is forged, garbled or made for other filters. */
  long positionAfter(String token, StreamFilter filter) {
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(token);
    } catch (IllegalArgumentException e) {
      throw garbled();
    }
    if (bytes.length != PAYLOAD + MAC_BYTES || bytes[0] != VERSION) {
      throw garbled();
    }
    byte[] payload = Arrays.copyOf(bytes, PAYLOAD);
    if (!MessageDigest.isEqual(mac(payload), Arrays.copyOfRange(bytes, PAYLOAD, bytes.length))) {
      throw garbled();
    }
    if (!MessageDigest.isEqual(filterDigest(filter), Arrays.copyOfRange(payload, 9, PAYLOAD))) {
      throw ApiException.badParameter(PARAMETER, "was issued for other filters; pass the same "
          + "startTimestamp, endTimestamp and type as the request that returned it, or start without a token");
    }
    return ByteBuffer.wrap(payload, 1, 8).getLong();
  }

  private static ApiException garbled() {
    return ApiException.badParameter(PARAMETER, "is not a token issued by this server");
  }

  private static byte[] filterDigest(StreamFilter filter) {
    try {
      byte[] sha = MessageDigest.getInstance("SHA-256").digest(filter.canonical().getBytes(StandardCharsets.UTF_8));
      return Arrays.copyOf(sha, 8);
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
