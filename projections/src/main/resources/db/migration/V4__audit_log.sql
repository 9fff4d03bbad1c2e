-- The audit log (io.bulwark.audit, ADR 0020): one hash chain of security events per tenant, plus
-- the platform's own chain under the tenant id '~platform' (not a valid tenant id). Rows are only
-- ever inserted; the expiry function is the only way one leaves, and only after 365 days.

CREATE TABLE audit_events (
  tenant_id   VARCHAR(64) COLLATE "C" NOT NULL,
  seq         BIGINT NOT NULL,
  occurred_at TIMESTAMPTZ NOT NULL,
  actor       VARCHAR(64),
  action      VARCHAR(48) NOT NULL,
  target      VARCHAR(300),
  outcome     VARCHAR(16) NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
  request_id  VARCHAR(128),
  trace_id    VARCHAR(32),
  client_ip   VARCHAR(64),
  user_agent  VARCHAR(256),
  details     TEXT,
  key_id      VARCHAR(16) NOT NULL,
  prev_hash   CHAR(64) NOT NULL,
  hash        CHAR(64) NOT NULL,
  PRIMARY KEY (tenant_id, seq)
);

CREATE INDEX audit_events_by_time ON audit_events (tenant_id, occurred_at);

COMMENT ON TABLE audit_events IS 'Security-relevant actions, append-only, hash-chained per tenant (HMAC-SHA256 with the audit key); verification: GET /v1/tenants/{id}/audit-events/verification.';
COMMENT ON COLUMN audit_events.tenant_id IS 'Tenant whose chain holds the event; ~platform for events tied to no tenant.';
COMMENT ON COLUMN audit_events.seq IS 'Position in the tenant''s chain: 1, 2, 3, ... without gaps.';
COMMENT ON COLUMN audit_events.occurred_at IS 'When the node recorded the action.';
COMMENT ON COLUMN audit_events.actor IS 'Who acted: an API key id, "platform" for the platform key, NULL when unauthenticated.';
COMMENT ON COLUMN audit_events.action IS 'What happened, e.g. api_key.issued, authentication.failed (see docs/openapi.yaml AuditAction).';
COMMENT ON COLUMN audit_events.target IS 'What it happened to, as a path-like name, e.g. api-keys/k..., accounts/alice.';
COMMENT ON COLUMN audit_events.outcome IS 'success, failure (e.g. a bad credential) or denied (authenticated but not allowed).';
COMMENT ON COLUMN audit_events.request_id IS 'The request''s X-Request-Id.';
COMMENT ON COLUMN audit_events.trace_id IS 'The W3C trace id of the request.';
COMMENT ON COLUMN audit_events.client_ip IS 'Client address as resolved behind the trusted proxies.';
COMMENT ON COLUMN audit_events.user_agent IS 'The request''s User-Agent, cut to 256 characters.';
COMMENT ON COLUMN audit_events.details IS 'A small JSON object with action-specific facts (roles, limits, reason); never a secret.';
COMMENT ON COLUMN audit_events.key_id IS 'Fingerprint of the audit key that computed hash (the first 16 hex digits of its SHA-256).';
COMMENT ON COLUMN audit_events.prev_hash IS 'hash of the event before it in the chain; 64 zeros for the first event.';
COMMENT ON COLUMN audit_events.hash IS 'HMAC-SHA256 over the event''s fields and prev_hash, hex.';

-- The end of each chain: appends lock this row, so the chain has one writer at a time across
-- nodes, and verification notices events cut from the end. first_seq and anchor_hash say where
-- the chain starts once expiry has removed its oldest events.
CREATE TABLE audit_chain_heads (
  tenant_id   VARCHAR(64) COLLATE "C" PRIMARY KEY,
  last_seq    BIGINT NOT NULL,
  last_hash   CHAR(64) NOT NULL,
  first_seq   BIGINT NOT NULL DEFAULT 1,
  anchor_hash CHAR(64) NOT NULL
);

COMMENT ON TABLE audit_chain_heads IS 'The last event of each tenant''s audit chain, and where the chain starts after expiry.';

-- Append-only, enforced in the database too: no UPDATE ever, and DELETE only from expiry.
CREATE FUNCTION audit_events_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('bulwark.audit_expiry', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP USING ERRCODE = '42501';
END
$$;

CREATE TRIGGER audit_events_append_only
  BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_guard();

-- Removes, per chain, the events older than the retention (never less than 365 days) that come
-- before the first younger event, and re-anchors the chain there so that it still verifies.
-- Returns the number of events removed.
CREATE FUNCTION expire_audit_events(retention_days INTEGER) RETURNS BIGINT
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  cutoff  TIMESTAMPTZ := now() - make_interval(days => GREATEST(retention_days, 365));
  head    RECORD;
  keep    BIGINT;
  removed BIGINT := 0;
  n       BIGINT;
BEGIN
  PERFORM set_config('bulwark.audit_expiry', 'on', true);
  FOR head IN SELECT tenant_id FROM audit_chain_heads ORDER BY tenant_id LOOP
    PERFORM 1 FROM audit_chain_heads WHERE tenant_id = head.tenant_id FOR UPDATE;
    SELECT min(seq) INTO keep FROM audit_events
      WHERE tenant_id = head.tenant_id AND occurred_at >= cutoff;
    IF keep IS NULL THEN
      SELECT last_seq + 1 INTO keep FROM audit_chain_heads WHERE tenant_id = head.tenant_id;
    END IF;
    UPDATE audit_chain_heads h SET first_seq = keep,
        anchor_hash = (SELECT e.hash FROM audit_events e
                        WHERE e.tenant_id = h.tenant_id AND e.seq = keep - 1)
      WHERE h.tenant_id = head.tenant_id AND h.first_seq < keep
        AND EXISTS (SELECT 1 FROM audit_events e WHERE e.tenant_id = h.tenant_id AND e.seq = keep - 1);
    DELETE FROM audit_events WHERE tenant_id = head.tenant_id AND seq < keep;
    GET DIAGNOSTICS n = ROW_COUNT;
    removed := removed + n;
  END LOOP;
  PERFORM set_config('bulwark.audit_expiry', 'off', true);
  RETURN removed;
END
$$;

COMMENT ON FUNCTION expire_audit_events(INTEGER) IS 'The only way audit events are deleted: those older than max(retention_days, 365), per chain from its start.';
