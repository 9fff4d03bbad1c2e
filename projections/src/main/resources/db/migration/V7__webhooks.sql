-- Webhooks (ADR 0023). The journal is the outbox: the webhook projection turns each committed
-- event a tenant may subscribe to into one webhook_messages row and, in the same transaction as
-- its offset, one webhook_deliveries row per enabled endpoint of that tenant subscribed to the
-- event's type. Dispatchers claim deliveries with a lease, so several nodes can send without
-- sending one delivery twice at once, and only the head of each (endpoint, account) queue is ever
-- claimed, so deliveries keep journal order.

-- A tenant's receivers. The signing secrets are sealed (AES-256-GCM) under BULWARK_WEBHOOK_KEY,
-- which never enters the database: a reader of this table learns no secret.
CREATE TABLE webhook_endpoints (
  tenant_id             TEXT        NOT NULL,
  endpoint_id           TEXT        NOT NULL,
  url                   TEXT        NOT NULL,
  events                TEXT[]      NOT NULL,
  enabled               BOOLEAN     NOT NULL DEFAULT TRUE,
  -- why it is disabled: 'disabled' (by a caller) or 'gone' (the receiver answered 410)
  disabled_reason       TEXT,
  secret                BYTEA       NOT NULL,
  -- after a rotation the old secret signs too, until previous_secret_until
  previous_secret       BYTEA,
  previous_secret_until TIMESTAMPTZ,
  created_at            TIMESTAMPTZ NOT NULL,
  updated_at            TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (tenant_id, endpoint_id)
);
CREATE UNIQUE INDEX webhook_endpoints_id_idx ON webhook_endpoints (endpoint_id);

-- One row per committed event a webhook may carry, whether or not any endpoint subscribes, so a
-- recovery can send what an endpoint missed while it was disabled, and the gap check can count
-- what the projection saw against what the journal holds.
CREATE TABLE webhook_messages (
  tenant_id      TEXT        NOT NULL,
  -- the webhook-id header: derived from (persistence_id, seq_nr), the same on every retry
  message_id     TEXT        NOT NULL,
  -- the event's journal ordering: the order deliveries keep
  seq            BIGINT      NOT NULL,
  partition_no   INTEGER     NOT NULL,
  persistence_id TEXT        NOT NULL,
  seq_nr         BIGINT      NOT NULL,
  event_type     TEXT        NOT NULL,
  -- the account whose deliveries this one is ordered with
  account_id     TEXT        NOT NULL,
  payload        TEXT        NOT NULL,
  request_id     TEXT,
  trace_id       TEXT,
  occurred_at    TIMESTAMPTZ NOT NULL,
  recorded_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, message_id),
  UNIQUE (persistence_id, seq_nr)
);
CREATE INDEX webhook_messages_partition_seq_idx ON webhook_messages (partition_no, seq);
CREATE INDEX webhook_messages_tenant_time_idx ON webhook_messages (tenant_id, occurred_at);

-- One row per (endpoint, message). state: pending (waiting or in flight), delivered, dead (its
-- retry schedule is spent: a dead letter). A pending row behind a dead one of the same
-- (endpoint, account) is parked: never claimed until the dead letter is resent or replayed.
CREATE TABLE webhook_deliveries (
  tenant_id       TEXT        NOT NULL,
  endpoint_id     TEXT        NOT NULL,
  seq             BIGINT      NOT NULL,
  message_id      TEXT        NOT NULL,
  account_id      TEXT        NOT NULL,
  event_type      TEXT        NOT NULL,
  state           TEXT        NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'delivered', 'dead')),
  attempts        INTEGER     NOT NULL DEFAULT 0,
  next_attempt_at TIMESTAMPTZ NOT NULL,
  lease_owner     TEXT,
  lease_until     TIMESTAMPTZ,
  last_attempt_at TIMESTAMPTZ,
  last_status     INTEGER,
  last_error      TEXT,
  delivered_at    TIMESTAMPTZ,
  dead_at         TIMESTAMPTZ,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, endpoint_id, seq),
  UNIQUE (tenant_id, endpoint_id, message_id)
);
-- what is due; small, since delivered rows leave it
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
-- the head of a queue and what waits behind it
CREATE INDEX webhook_deliveries_queue_idx
  ON webhook_deliveries (tenant_id, endpoint_id, account_id, seq) WHERE state <> 'delivered';
CREATE INDEX webhook_deliveries_dead_idx ON webhook_deliveries (tenant_id, endpoint_id, dead_at)
  WHERE state = 'dead';

-- Recover jobs: everything failed since a time goes back into the queues, in batches, with
-- progress a caller can read; any dispatcher picks up a job whose runner stopped.
CREATE TABLE webhook_recoveries (
  tenant_id    TEXT        NOT NULL,
  recovery_id  TEXT        NOT NULL,
  endpoint_id  TEXT        NOT NULL,
  since        TIMESTAMPTZ NOT NULL,
  state        TEXT        NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'completed')),
  total        BIGINT,
  done         BIGINT      NOT NULL DEFAULT 0,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  heartbeat_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  finished_at  TIMESTAMPTZ,
  PRIMARY KEY (tenant_id, recovery_id)
);

CALL bulwark_secure_table('webhook_endpoints', 'SELECT, INSERT, UPDATE, DELETE', false);
CALL bulwark_secure_table('webhook_messages', 'SELECT, INSERT, DELETE', false);
CALL bulwark_secure_table('webhook_deliveries', 'SELECT, INSERT, UPDATE, DELETE', true);
CALL bulwark_secure_table('webhook_recoveries', 'SELECT, INSERT, UPDATE', false);

COMMENT ON TABLE webhook_deliveries IS
  'One row per (webhook endpoint, event): its state and attempts. Readable by the tenant''s analysts (docs/webhooks.md).';
COMMENT ON COLUMN webhook_deliveries.seq IS 'The event''s journal ordering: an account''s deliveries go in this order';
COMMENT ON COLUMN webhook_deliveries.message_id IS 'The webhook-id header: the same on every retry and replay';
COMMENT ON COLUMN webhook_deliveries.account_id IS 'The account this delivery is ordered with (a transfer''s debited account)';
COMMENT ON COLUMN webhook_deliveries.state IS 'pending (waiting or in flight; parked if an earlier one of its account is dead), delivered, dead (schedule spent)';
COMMENT ON COLUMN webhook_deliveries.attempts IS 'Attempts made so far';
COMMENT ON COLUMN webhook_deliveries.last_status IS 'The HTTP status of the last attempt, null when no answer came';
COMMENT ON COLUMN webhook_deliveries.last_error IS 'Why the last attempt failed (never a URL or a secret)';
COMMENT ON TABLE webhook_endpoints IS 'Tenants'' webhook receivers; secrets sealed under BULWARK_WEBHOOK_KEY. Closed to analysts.';
COMMENT ON TABLE webhook_messages IS 'The outbox: one row per committed event a webhook can carry. Closed to analysts.';
COMMENT ON TABLE webhook_recoveries IS 'Recover jobs and their progress.';
