-- Ten events per transaction, as the journal writes a batch of persists from many entities: ten
-- rows in one statement, their tags in another, one commit.
\set entity random(1, 1000000000000)
BEGIN;
WITH rows AS (
  INSERT INTO pgbench_journal.event_journal (persistence_id, sequence_number, writer, write_timestamp, adapter_manifest, event_ser_id, event_ser_manifest, event_payload)
  SELECT 'Account|bench-' || :client_id || '-' || :entity || '-' || n, 1, 'pgbench', 1764115200000, '', 1000, 'FR', decode(repeat('ab', 120), 'hex')
  FROM generate_series(1, 10) AS n
  RETURNING ordering)
INSERT INTO pgbench_journal.event_tag (event_id, tag) SELECT ordering, 'slice-' || (ordering % 8) FROM rows;
COMMIT;
