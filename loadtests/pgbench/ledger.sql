-- One transfer as a plain PostgreSQL ledger makes it (issue 20's baseline): both accounts locked
-- in id order, the debit with its overdraft check (no row back fails \gset and the transaction,
-- should it overdraw), the credit, the transfer row and its two entries with balance_after, one
-- commit. pgbench -D hot=0: random pairs of the 50 funded accounts; -D hot=1: every debit from
-- account 0.
\set a random(1, 50)
\set b random(1, 49)
\set to (:a + :b - 1) % 50 + 1
\if :hot
\set from 0
\else
\set from :a
\endif
BEGIN;
SELECT count(*) AS locked FROM (SELECT id FROM pgbench_ledger.accounts
  WHERE id IN (:from, :to) ORDER BY id FOR UPDATE) AS both_accounts \gset
UPDATE pgbench_ledger.accounts SET balance = balance - 1
  WHERE id = :from AND (overdraft_limit IS NULL OR balance - 1 >= -overdraft_limit)
  RETURNING balance AS from_balance \gset
UPDATE pgbench_ledger.accounts SET balance = balance + 1 WHERE id = :to
  RETURNING balance AS to_balance \gset
INSERT INTO pgbench_ledger.transfers (from_id, to_id, amount) VALUES (:from, :to, 1)
  RETURNING id AS transfer_id \gset
INSERT INTO pgbench_ledger.ledger_entries (account_id, transfer_id, amount, balance_after)
  VALUES (:from, :transfer_id, -1, :from_balance), (:to, :transfer_id, 1, :to_balance);
COMMIT;
