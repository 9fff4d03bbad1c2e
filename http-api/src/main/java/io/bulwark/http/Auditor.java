package io.bulwark.http;

import io.bulwark.audit.AuditAction;
import io.bulwark.audit.AuditEvent;
import io.bulwark.audit.AuditEvent.Outcome;
import io.bulwark.audit.AuditTrail;
import io.bulwark.domain.Stages;
import io.bulwark.http.auth.Authentication;
import io.bulwark.http.auth.JwtAuthenticator;
import io.bulwark.http.auth.Principal;
import io.bulwark.readmodel.DependencyUnavailableException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what the API does into audit events (ADR 0020), with the request's ids, client address and
 * user agent. An action that already happened is answered even when its event cannot be stored
 * (that is logged and counted); reading the audit log is recorded first and refused without it.
 */
final class Auditor {
  private static final Logger log = LoggerFactory.getLogger(Auditor.class);

  private final AuditTrail trail;

  Auditor(AuditTrail trail) {
    this.trail = trail;
  }

  /** Once {@code response} is ready, records the successful action, then answers. */
  CompletionStage<HttpResponse> after(
      CompletionStage<HttpResponse> response,
      Call call,
      String tenantId,
      AuditAction action,
      String target,
      Map<String, Object> details) {
    return response.thenCompose(
        r ->
            record(
                    call.scope(),
                    call.principal(),
                    tenantId,
                    action,
                    target,
                    Outcome.SUCCESS,
                    details)
                .thenApply(done -> r));
  }

  /** Records the action before it runs; when the event cannot be stored the request gets 503. */
  CompletionStage<Void> first(
      Call call, String tenantId, AuditAction action, String target, Map<String, Object> details) {
    var event =
        event(call.scope(), call.principal(), tenantId, action, target, Outcome.SUCCESS, details);
    return trail
        .record(event)
        .exceptionally(
            e -> {
              throw new DependencyUnavailableException("The audit log is unavailable.");
            });
  }

  /**
   * A failed authentication: in the key's tenant's chain when the key exists (a JWT: validly signed
   * for Bulwark, of an existing tenant), else in the platform's. Not awaited: the 401 goes out at
   * once, and the per-IP lockout bounds the volume.
   */
  void authenticationFailed(RequestScope scope, Authentication.Failure failure) {
    boolean knownKey = failure.tenantId() != null;
    var details = new LinkedHashMap<String, Object>();
    details.put("reason", failure.reason().wireName());
    details.put("route", scope.route);
    record(
        scope,
        null,
        knownKey ? failure.tenantId() : AuditEvent.PLATFORM_CHAIN,
        AuditAction.AUTHENTICATION_FAILED,
        knownKey ? target(failure.keyId()) : null,
        Outcome.FAILURE,
        details);
  }

  /** What a failed authentication was about: an API key, or a JWT's subject. */
  private static String target(String keyId) {
    return keyId.startsWith(JwtAuthenticator.KEY_ID_PREFIX)
        ? "token-subjects/" + keyId.substring(JwtAuthenticator.KEY_ID_PREFIX.length())
        : "api-keys/" + keyId;
  }

  /**
   * An authenticated caller refused: 403, or 404 on another tenant's path (how the API hides that
   * tenant). Recorded in the caller's own chain, or the platform's for the platform key.
   */
  HttpResponse deniedIfSo(Call call, HttpResponse response) {
    int status = response.status().intValue();
    Principal caller = call.principal();
    String pathTenant = call.scope().pathTenantId;
    boolean otherTenant = !caller.platform() && pathTenant != null && !caller.belongsTo(pathTenant);
    if (status == 403 || (status == 404 && otherTenant)) {
      var details = new LinkedHashMap<String, Object>();
      details.put("status", status);
      details.put("method", call.scope().method);
      details.put("route", call.scope().route);
      if (otherTenant) {
        details.put("tenant", pathTenant);
      }
      record(
          call.scope(),
          caller,
          caller.platform() ? AuditEvent.PLATFORM_CHAIN : caller.tenantId(),
          AuditAction.ACCESS_DENIED,
          call.scope().path,
          Outcome.DENIED,
          details);
    }
    return response;
  }

  private CompletionStage<Void> record(
      RequestScope scope,
      Principal caller,
      String chain,
      AuditAction action,
      String target,
      Outcome outcome,
      Map<String, Object> details) {
    var event = event(scope, caller, chain, action, target, outcome, details);
    return trail
        .record(event)
        .exceptionallyAsync(
            e -> {
              scope.log(
                  () ->
                      log.error(
                          "Audit event {} for {} on {} was not stored: {}",
                          action.wireName(),
                          chain,
                          target,
                          e.getMessage()));
              return null;
            },
            Stages.DIRECT);
  }

  private static AuditEvent event(
      RequestScope scope,
      Principal caller,
      String chain,
      AuditAction action,
      String target,
      Outcome outcome,
      Map<String, Object> details) {
    String actor =
        caller == null ? null : caller.platform() ? AuditEvent.PLATFORM_ACTOR : caller.keyId();
    return new AuditEvent(
        chain,
        Instant.now(),
        actor,
        action,
        target,
        outcome,
        scope.requestId,
        scope.traceId,
        scope.clientIp(),
        scope.userAgent,
        details);
  }
}
