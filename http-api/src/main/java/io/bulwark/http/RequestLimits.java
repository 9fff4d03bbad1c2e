package io.bulwark.http;

import io.bulwark.http.limits.RateDecision;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * The rate-limit decisions made for one request (its client IP's, then its tenant's), written on
 * its response as the IETF draft RateLimit and RateLimit-Policy fields, whatever the response.
 */
final class RequestLimits {
  private final String clientIp;
  private final List<RateDecision> decisions = new ArrayList<>(2);

  RequestLimits(String clientIp) {
    this.clientIp = clientIp;
  }

  String clientIp() {
    return clientIp;
  }

  synchronized void add(RateDecision decision) {
    decisions.add(decision);
  }

  synchronized HttpResponse onto(HttpResponse response) {
    if (decisions.isEmpty()) {
      return response;
    }
    String policy =
        decisions.stream().map(d -> d.quota().policyItem()).collect(Collectors.joining(", "));
    String limit =
        decisions.stream().map(RateDecision::limitItem).collect(Collectors.joining(", "));
    return response.addHeaders(
        List.of(
            RawHeader.create("RateLimit-Policy", policy), RawHeader.create("RateLimit", limit)));
  }
}
