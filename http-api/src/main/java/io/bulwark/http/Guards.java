package io.bulwark.http;

import io.bulwark.domain.Stages;
import io.bulwark.http.auth.Principal;
import io.bulwark.http.limits.Admission;
import io.bulwark.http.limits.ClientAddress;
import io.bulwark.http.limits.Priority;
import io.bulwark.http.limits.Protection;
import io.bulwark.http.limits.RateDecision;
import io.bulwark.http.limits.RateLimiter;
import io.bulwark.readmodel.DatabaseHealth;
import io.bulwark.readmodel.DependencyUnavailableException;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Complete;
import org.apache.pekko.http.javadsl.server.RequestContext;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Traffic protection around the route tree, cheapest refusal first: the client IP's bucket and its
 * failed authentications before the key is looked at, then the tenant's bucket, then admission by
 * priority. Every refusal is immediate and explicit: 429 {@code rate_limited}, 503 {@code
 * overloaded} or, while the database is down, 503 {@code dependency_unavailable}, each with
 * Retry-After.
 */
final class Guards extends AllDirectives {
  private static final String PLATFORM = "~platform";

  private final RateLimiter limiter;
  private final Admission admission;
  private final ClientAddress addresses;
  private final DatabaseHealth database;

  Guards(Protection protection) {
    this.limiter = protection.limiter();
    this.admission = protection.admission();
    this.addresses = protection.addresses();
    this.database = protection.database();
  }

  /** Per-IP limits, before authentication; the decisions end up as headers on any response. */
  Route byClient(RequestContext rc, String requestId, Function<RequestLimits, Route> inner) {
    var limits = new RequestLimits(addresses.resolve(rc.getRequest()));
    return mapResponse(
        limits::onto,
        () -> {
          RateDecision ip = limiter.tryIp(limits.clientIp());
          limits.add(ip);
          if (!ip.allowed()) {
            return complete(
                tooMany(ip, requestId, "Too many requests from this address; slow down."));
          }
          RateDecision lockout = limiter.authLockout(limits.clientIp());
          if (lockout != null) {
            limits.add(lockout);
            return complete(
                tooMany(
                    lockout,
                    requestId,
                    "Too many failed authentications from this address; wait before retrying."));
          }
          return inner.apply(limits);
        });
  }

  void authenticationFailed(RequestLimits limits) {
    limiter.authFailed(limits.clientIp());
  }

  /** The caller's tenant bucket, then admission; the permit is returned when the answer is. */
  Route forCaller(RequestContext rc, Call call, RequestLimits limits, Supplier<Route> inner) {
    Principal principal = call.principal();
    String method = rc.getRequest().method().name();
    if (!principal.platform()) {
      var kind =
          method.equals("GET") || method.equals("HEAD")
              ? RateLimiter.Kind.READ
              : RateLimiter.Kind.WRITE;
      RateDecision tenant = limiter.tryTenant(principal.tenantId(), principal.limits(), kind);
      limits.add(tenant);
      if (!tenant.allowed()) {
        return complete(
            tooMany(
                tenant,
                call.requestId(),
                "This tenant's "
                    + (kind == RateLimiter.Kind.READ ? "read" : "write")
                    + " rate limit is spent; retry after the Retry-After delay."));
      }
    }
    Priority priority = call.scope().priority; // classified once, when the request arrived
    if (priority != Priority.STANDARD && !database.isUp()) {
      // Writes need the journal and lists the read models: refuse them now, not at the deadline.
      // Strong reads may still be answered by entities in memory (EntityGateway).
      return complete(
          Problems.fromThrowable(
              new DependencyUnavailableException("The database is down."), call.requestId()));
    }
    var admitted =
        admission.acquire(priority, principal.platform() ? PLATFORM : principal.tenantId());
    return onSuccess(
        admitted,
        permit -> {
          if (permit.isEmpty()) {
            return complete(
                Problems.of(
                    503,
                    "overloaded",
                    "The node is at capacity for " + priority.label() + " requests; retry later.",
                    null,
                    call.requestId(),
                    Map.of()));
          }
          return mapRouteResultFuture(
              result ->
                  result.whenCompleteAsync(
                      (r, error) -> permit.get().release(error != null || lackedCapacity(r)),
                      Stages.DIRECT),
              inner);
        });
  }

  /** A 503 from a timed-out ask or a spent deadline: a sign of too much work in flight. */
  private static boolean lackedCapacity(Object result) {
    return result instanceof Complete complete && complete.getResponse().status().intValue() == 503;
  }

  private static HttpResponse tooMany(RateDecision decision, String requestId, String detail) {
    return Problems.of(429, "rate_limited", detail, null, requestId, Map.of())
        .addHeader(RawHeader.create("Retry-After", Long.toString(decision.retryAfterSeconds())));
  }
}
