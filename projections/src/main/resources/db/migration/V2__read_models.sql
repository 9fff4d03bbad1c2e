-- Read models of the ledger projection (io.bulwark.projections.LedgerProjectionHandler).
-- Eventually consistent with the entities. Every primary key leads with tenant_id. Identifiers use
-- the "C" collation: byte order is what the keyset cursors compare, and it needs no locale.

CREATE TABLE accounts (
  tenant_id       VARCHAR(64) COLLATE "C" NOT NULL,
  account_id      VARCHAR(64) COLLATE "C" NOT NULL,
  currency        VARCHAR(3) NOT NULL,
  balance         BIGINT NOT NULL DEFAULT 0,
  reserved        BIGINT NOT NULL DEFAULT 0,
  overdraft_limit BIGINT,
  created_at      TIMESTAMPTZ NOT NULL,
  updated_at      TIMESTAMPTZ NOT NULL,
  last_seq_nr     BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, account_id)
);

COMMENT ON TABLE accounts IS 'One row per account: balance and reservations as of the last projected account event.';
COMMENT ON COLUMN accounts.tenant_id IS 'Tenant that owns the account.';
COMMENT ON COLUMN accounts.account_id IS 'Account id, unique within the tenant.';
COMMENT ON COLUMN accounts.currency IS 'ISO 4217 alphabetic code of the account''s currency.';
COMMENT ON COLUMN accounts.balance IS 'Sum of posted ledger entries, in minor units.';
COMMENT ON COLUMN accounts.reserved IS 'Funds held by transfers in flight, in minor units.';
COMMENT ON COLUMN accounts.overdraft_limit IS 'How far balance - reserved may go below zero, in minor units; NULL means unlimited.';
COMMENT ON COLUMN accounts.created_at IS 'When the account was opened.';
COMMENT ON COLUMN accounts.updated_at IS 'Time of the last account event applied to this row.';
COMMENT ON COLUMN accounts.last_seq_nr IS 'Sequence number of the last account event applied; older redeliveries are ignored.';

CREATE TABLE transfers (
  tenant_id    VARCHAR(64) COLLATE "C" NOT NULL,
  transfer_id  VARCHAR(255) COLLATE "C" NOT NULL,
  from_account VARCHAR(64) NOT NULL,
  to_account   VARCHAR(64) NOT NULL,
  amount       BIGINT NOT NULL,
  currency     VARCHAR(3) NOT NULL,
  status       VARCHAR(16) NOT NULL CHECK (status IN ('pending', 'completed', 'rejected')),
  reason       VARCHAR(64),
  reference    TEXT,
  created_at   TIMESTAMPTZ NOT NULL,
  completed_at TIMESTAMPTZ,
  PRIMARY KEY (tenant_id, transfer_id)
);

CREATE INDEX transfers_by_created ON transfers (tenant_id, created_at DESC, transfer_id DESC);
CREATE INDEX transfers_by_status ON transfers (tenant_id, status, created_at DESC, transfer_id DESC);

COMMENT ON TABLE transfers IS 'One row per transfer request, with its current status.';
COMMENT ON COLUMN transfers.tenant_id IS 'Tenant in which the transfer moves money.';
COMMENT ON COLUMN transfers.transfer_id IS 'The Idempotency-Key the transfer was requested with.';
COMMENT ON COLUMN transfers.from_account IS 'Account debited.';
COMMENT ON COLUMN transfers.to_account IS 'Account credited.';
COMMENT ON COLUMN transfers.amount IS 'Amount moved, in minor units, positive.';
COMMENT ON COLUMN transfers.currency IS 'ISO 4217 alphabetic code of the amount.';
COMMENT ON COLUMN transfers.status IS 'pending, completed or rejected.';
COMMENT ON COLUMN transfers.reason IS 'Refusal code when rejected, otherwise NULL.';
COMMENT ON COLUMN transfers.reference IS 'Free text given by the client, at most 140 characters; NULL when absent.';
COMMENT ON COLUMN transfers.created_at IS 'When the transfer was requested.';
COMMENT ON COLUMN transfers.completed_at IS 'When the transfer completed or was rejected; NULL while pending.';

CREATE TABLE ledger_entries (
  tenant_id     VARCHAR(64) COLLATE "C" NOT NULL,
  account_id    VARCHAR(64) COLLATE "C" NOT NULL,
  entry_seq     BIGINT NOT NULL,
  transfer_id   VARCHAR(255) COLLATE "C" NOT NULL,
  amount        BIGINT NOT NULL,
  balance_after BIGINT NOT NULL,
  counterparty  VARCHAR(64),
  reference     TEXT,
  occurred_at   TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (tenant_id, account_id, entry_seq),
  UNIQUE (tenant_id, account_id, transfer_id)
);

COMMENT ON TABLE ledger_entries IS 'Posted entries: a debit and a credit per completed transfer, none for a rejected one.';
COMMENT ON COLUMN ledger_entries.tenant_id IS 'Tenant that owns the account.';
COMMENT ON COLUMN ledger_entries.account_id IS 'Account the entry is posted to.';
COMMENT ON COLUMN ledger_entries.entry_seq IS 'Sequence number of the account event that posted the entry; orders the account''s entries.';
COMMENT ON COLUMN ledger_entries.transfer_id IS 'Transfer that caused the entry.';
COMMENT ON COLUMN ledger_entries.amount IS 'Signed amount in minor units: negative for a debit, positive for a credit.';
COMMENT ON COLUMN ledger_entries.balance_after IS 'Account balance right after this entry, in minor units.';
COMMENT ON COLUMN ledger_entries.counterparty IS 'The other account of the transfer.';
COMMENT ON COLUMN ledger_entries.reference IS 'The transfer''s free-text reference; NULL when absent.';
COMMENT ON COLUMN ledger_entries.occurred_at IS 'When the entry was posted.';

CREATE TABLE tenant_daily_volume (
  tenant_id      VARCHAR(64) COLLATE "C" NOT NULL,
  day            DATE NOT NULL,
  currency       VARCHAR(3) NOT NULL,
  transfer_count BIGINT NOT NULL,
  volume         NUMERIC(38, 0) NOT NULL,
  PRIMARY KEY (tenant_id, day, currency)
);

COMMENT ON TABLE tenant_daily_volume IS 'Completed transfers per tenant, UTC day of completion and currency.';
COMMENT ON COLUMN tenant_daily_volume.tenant_id IS 'Tenant whose transfers are counted.';
COMMENT ON COLUMN tenant_daily_volume.day IS 'UTC calendar day on which the transfers completed.';
COMMENT ON COLUMN tenant_daily_volume.currency IS 'ISO 4217 alphabetic code of the amounts.';
COMMENT ON COLUMN tenant_daily_volume.transfer_count IS 'Number of transfers completed that day.';
COMMENT ON COLUMN tenant_daily_volume.volume IS 'Sum of their amounts in minor units (wider than bigint, so it cannot overflow).';
