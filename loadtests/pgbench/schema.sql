SET client_min_messages = warning;
-- PostgreSQL's own ceiling for Bulwark's journal writes: tables shaped as pekko-persistence-jdbc's
-- event_journal and event_tag (projections' V1 migration), in a schema of their own with their own
-- sequence, so the node's journal, its orderings and its read models are not touched.
DROP SCHEMA IF EXISTS pgbench_journal CASCADE;
CREATE SCHEMA pgbench_journal;
CREATE TABLE pgbench_journal.event_journal (
  ordering BIGSERIAL,
  persistence_id VARCHAR(1024) NOT NULL,
  sequence_number BIGINT NOT NULL,
  deleted BOOLEAN DEFAULT FALSE NOT NULL,
  writer VARCHAR(255) NOT NULL,
  write_timestamp BIGINT,
  adapter_manifest VARCHAR(255),
  event_ser_id INTEGER NOT NULL,
  event_ser_manifest VARCHAR(255) NOT NULL,
  event_payload BYTEA NOT NULL,
  meta_ser_id INTEGER,
  meta_ser_manifest VARCHAR(255),
  meta_payload BYTEA,
  PRIMARY KEY (persistence_id, sequence_number)
);
CREATE UNIQUE INDEX ON pgbench_journal.event_journal (ordering);
CREATE TABLE pgbench_journal.event_tag (
  event_id BIGINT,
  tag VARCHAR(256),
  PRIMARY KEY (event_id, tag),
  FOREIGN KEY (event_id) REFERENCES pgbench_journal.event_journal (ordering) ON DELETE CASCADE
);
