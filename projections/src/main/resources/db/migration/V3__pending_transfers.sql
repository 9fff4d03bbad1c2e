-- The pending-transfers sweeper (io.bulwark.projections.PendingTransfers, ADR 0014) looks for
-- transfers left pending, oldest first, across tenants. A partial index holds only pending rows:
-- a transfer inserted or updated as completed or rejected never touches it.
CREATE INDEX transfers_pending ON transfers (created_at, tenant_id, transfer_id) WHERE status = 'pending';

COMMENT ON INDEX transfers_pending IS 'Pending transfers, oldest first, for the sweeper that resumes sagas nothing runs.';
