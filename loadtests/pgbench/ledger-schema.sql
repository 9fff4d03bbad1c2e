SET client_min_messages = warning;
-- The ledger a team would write instead of adopting Bulwark (issue 20's baseline): one PostgreSQL
-- transaction per transfer on plain tables, in a schema of its own so the node's tables are not
-- touched. Account 0 is the hot account (every debit of the hot workload), 1-50 the funded
-- accounts the uniform workload moves money between. Overdraft limits are checked as Bulwark
-- checks them (NULL = unlimited); every account holds enough that no transfer is refused.
DROP SCHEMA IF EXISTS pgbench_ledger CASCADE;
CREATE SCHEMA pgbench_ledger;
CREATE TABLE pgbench_ledger.accounts (
  id              INTEGER PRIMARY KEY,
  balance         BIGINT NOT NULL,
  overdraft_limit BIGINT
);
CREATE TABLE pgbench_ledger.transfers (
  id         BIGSERIAL PRIMARY KEY,
  from_id    INTEGER NOT NULL REFERENCES pgbench_ledger.accounts (id),
  to_id      INTEGER NOT NULL REFERENCES pgbench_ledger.accounts (id),
  amount     BIGINT NOT NULL CHECK (amount > 0),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE pgbench_ledger.ledger_entries (
  id            BIGSERIAL PRIMARY KEY,
  account_id    INTEGER NOT NULL REFERENCES pgbench_ledger.accounts (id),
  transfer_id   BIGINT NOT NULL REFERENCES pgbench_ledger.transfers (id),
  amount        BIGINT NOT NULL,
  balance_after BIGINT NOT NULL
);
CREATE INDEX ON pgbench_ledger.ledger_entries (account_id, id);
INSERT INTO pgbench_ledger.accounts
  SELECT n, 1000000000000, 0 FROM generate_series(0, 50) AS n;
