SET client_min_messages = warning;
-- PostgreSQL's own ceiling for Bulwark's journal writes: copies of the node's event_journal and
-- event_tag (projections' V1 migration, already applied where the bench runs), in a schema of
-- their own with their own sequence, so the node's journal, its orderings and its read models are
-- not touched. LIKE copies columns, defaults and indexes; the default of ordering is pointed at a
-- sequence of this schema, and the foreign key (which LIKE never copies) is added again.
DROP SCHEMA IF EXISTS pgbench_journal CASCADE;
CREATE SCHEMA pgbench_journal;
CREATE TABLE pgbench_journal.event_journal (LIKE public.event_journal INCLUDING ALL);
CREATE SEQUENCE pgbench_journal.event_journal_ordering_seq
  OWNED BY pgbench_journal.event_journal.ordering;
ALTER TABLE pgbench_journal.event_journal
  ALTER COLUMN ordering SET DEFAULT nextval('pgbench_journal.event_journal_ordering_seq');
CREATE TABLE pgbench_journal.event_tag (
  LIKE public.event_tag INCLUDING ALL,
  FOREIGN KEY (event_id) REFERENCES pgbench_journal.event_journal (ordering) ON DELETE CASCADE
);
