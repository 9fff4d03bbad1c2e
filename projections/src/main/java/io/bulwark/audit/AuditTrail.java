package io.bulwark.audit;

import java.util.concurrent.CompletionStage;

/** Where audit events go. The stage completes once the event is durably in its chain. */
public interface AuditTrail {
  CompletionStage<Void> record(AuditEvent event);
}
