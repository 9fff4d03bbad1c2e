package io.bulwark.http;

import io.bulwark.deadletters.ProjectionDeadLetters;
import io.bulwark.readmodel.Reconciliation;

/**
 * What the platform key may do to the read models besides reading them: see and replay the events
 * the projections parked, and compare the read models with the entities and the journal.
 */
public record ReadModelOperations(
    ProjectionDeadLetters deadLetters, Reconciliation reconciliation) {}
