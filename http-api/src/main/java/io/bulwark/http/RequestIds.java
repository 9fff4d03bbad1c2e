package io.bulwark.http;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/** The request id: the client's X-Request-Id when valid, otherwise a new random one. */
final class RequestIds {
  static final String HEADER = "X-Request-Id";
  private static final Pattern VALID = Pattern.compile("^[A-Za-z0-9._-]{1,128}$");
  private static final SecureRandom RANDOM = new SecureRandom();

  private RequestIds() {}

  static String resolve(HttpRequest request) {
    return request
        .getHeader(HEADER)
        .map(h -> h.value())
        .filter(v -> VALID.matcher(v).matches())
        .orElseGet(RequestIds::fresh);
  }

  static String fresh() {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return "req_" + HexFormat.of().formatHex(bytes);
  }
}
