-- Events a projection could not apply (io.bulwark.projections.DeadLetters, ADR 0024): the event that
-- failed, and every later event of the same entity, parked behind it so that the entity's read-model
-- rows are never built out of order. The slice goes on with every other entity and tenant. The
-- journal keeps the events themselves; a replay reads them from there.

CREATE TABLE projection_dead_letters (
  projection       VARCHAR(64) COLLATE "C" NOT NULL,
  persistence_id   TEXT COLLATE "C" NOT NULL,
  seq_nr           BIGINT NOT NULL,
  tenant_id        VARCHAR(64) COLLATE "C" NOT NULL,
  projection_key   VARCHAR(64) COLLATE "C" NOT NULL,
  journal_offset   BIGINT NOT NULL,
  event_type       VARCHAR(128) NOT NULL,
  state            VARCHAR(16) NOT NULL CHECK (state IN ('failed', 'behind')),
  error            TEXT,
  sql_state        VARCHAR(5),
  attempts         INTEGER NOT NULL,
  first_attempt_at TIMESTAMPTZ NOT NULL,
  last_attempt_at  TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (projection, persistence_id, seq_nr)
);

CREATE INDEX projection_dead_letters_by_tenant
  ON projection_dead_letters (tenant_id, projection, persistence_id, seq_nr);

COMMENT ON TABLE projection_dead_letters IS 'Events a projection parked instead of applying: one that failed, and the later events of its entity waiting behind it. Replayed in order by the platform API.';
COMMENT ON COLUMN projection_dead_letters.projection IS 'Projection name: ledger (read models) or webhooks (outbox).';
COMMENT ON COLUMN projection_dead_letters.persistence_id IS 'Entity whose event this is.';
COMMENT ON COLUMN projection_dead_letters.seq_nr IS 'The event''s sequence number in its entity''s journal.';
COMMENT ON COLUMN projection_dead_letters.tenant_id IS 'Tenant the entity belongs to.';
COMMENT ON COLUMN projection_dead_letters.projection_key IS 'The projection instance (slice or webhook tag) that met the event.';
COMMENT ON COLUMN projection_dead_letters.journal_offset IS 'The event''s ordering in the journal (the projection offset).';
COMMENT ON COLUMN projection_dead_letters.event_type IS 'Java simple name of the event, or unreadable.';
COMMENT ON COLUMN projection_dead_letters.state IS 'failed: this event failed to apply; behind: waits for an earlier failed event of its entity.';
COMMENT ON COLUMN projection_dead_letters.error IS 'The last failure (exception and message, at most 1000 characters); NULL for events behind.';
COMMENT ON COLUMN projection_dead_letters.sql_state IS 'PostgreSQL SQLSTATE of the last failure, when the database refused it.';
COMMENT ON COLUMN projection_dead_letters.attempts IS 'How many times applying the event was tried.';
COMMENT ON COLUMN projection_dead_letters.first_attempt_at IS 'When the event was first tried.';
COMMENT ON COLUMN projection_dead_letters.last_attempt_at IS 'When the event was last tried (by the projection or a replay).';

-- The node parks and replays; analysts see nothing of it (it names entities, not money).
CALL bulwark_secure_table('projection_dead_letters', 'SELECT, INSERT, UPDATE, DELETE', false);
