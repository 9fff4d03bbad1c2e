-- One event per transaction, as the journal writes when entities persist one at a time: the row
-- (a payload about the size of a Bulwark event), its ordering back, its tag, one commit.
\set entity random(1, 1000000000000)
BEGIN;
INSERT INTO pgbench_journal.event_journal (persistence_id, sequence_number, writer, write_timestamp, adapter_manifest, event_ser_id, event_ser_manifest, event_payload)
  VALUES ('Account|bench-' || :client_id || '-' || :entity, 1, 'pgbench', 1764115200000, '', 1000, 'FR', decode(repeat('ab', 120), 'hex'))
  RETURNING ordering \gset
INSERT INTO pgbench_journal.event_tag (event_id, tag) VALUES (:ordering, 'slice-' || (:entity % 8));
COMMIT;
