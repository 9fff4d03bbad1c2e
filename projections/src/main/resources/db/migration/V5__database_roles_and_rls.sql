-- Database isolation (docs/adr/0019-database-roles-and-rls.md). Three kinds of login:
--   * the migration user runs these migrations and owns every table (DDL);
--   * the node's login is a member of bulwark_app: DML on the tables the node uses, no DDL;
--   * an analyst's login is a member of bulwark_analyst: SELECT on the read models only, and only
--     the rows of the one tenant that analyst_tenants maps the login to, by row-level security.
-- The migration user owns the tables and so is not subject to their policies (no FORCE): it is
-- trusted with the schema, and a data migration must see every tenant.
--
-- A table added later takes ONE line in its migration, for example
--   CALL bulwark_secure_table('audit_events', 'SELECT, INSERT', false);
-- (what the node may do with it, and whether analysts read their tenant's rows of it). A table
-- with a tenant_id column gets row-level security from it; RowLevelSecurityTest fails for a table
-- that has none, or that the node's role cannot use.

-- 1. The group roles. Roles belong to the whole server, not to one database, so they are made
-- only if missing: every database on a server (the tests make many) shares them. Making them
-- takes CREATEROLE; a DBA may instead create both beforehand (NOLOGIN, no other attribute), and
-- then the migration user needs no CREATEROLE.
DO $roles$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['bulwark_app', 'bulwark_analyst'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN', r);
      EXCEPTION
        -- another database's migration created it meanwhile
        WHEN duplicate_object OR unique_violation THEN NULL;
        WHEN insufficient_privilege THEN
          RAISE EXCEPTION 'The role % does not exist and % may not create it', r, current_user
            USING HINT = 'Create the NOLOGIN roles bulwark_app and bulwark_analyst as a DBA, or'
              ' grant CREATEROLE to the migration user (docs/adr/0019-database-roles-and-rls.md).';
      END;
    END IF;
    -- Members may SET ROLE to a group role, so it must carry no power beyond its grants.
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r
               AND (rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb OR rolreplication)) THEN
      RAISE EXCEPTION 'The role % must not be SUPERUSER, BYPASSRLS, CREATEROLE, CREATEDB or'
        ' REPLICATION: its members would be too', r;
    END IF;
  END LOOP;
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO bulwark_app, bulwark_analyst', current_schema());
END
$roles$;

-- 2. Which tenant an analyst's login sees. Only its owner (the migration user) and superusers
-- read or change it; analysts reach their own row through analyst_tenant() alone.
CREATE TABLE analyst_tenants (
  analyst   REGROLE PRIMARY KEY,
  tenant_id VARCHAR(64) COLLATE "C" NOT NULL
);

COMMENT ON TABLE analyst_tenants IS 'The one tenant each analyst login (a member of bulwark_analyst) may read.';
COMMENT ON COLUMN analyst_tenants.analyst IS 'The analyst''s login role; stored by oid, so renaming or re-creating a role cannot move a mapping to another login.';
COMMENT ON COLUMN analyst_tenants.tenant_id IS 'The tenant whose read-model rows the login sees.';

REVOKE ALL ON analyst_tenants FROM PUBLIC;
-- No policy: nobody but the owner (and superusers) sees a row, even if granted SELECT by mistake.
ALTER TABLE analyst_tenants ENABLE ROW LEVEL SECURITY;

-- The tenant of the session's login: session_user is the role that authenticated, which neither
-- SET ROLE nor a setting can change (only a superuser may SET SESSION AUTHORIZATION). SECURITY
-- DEFINER with a fixed search_path (pg_temp last, the table qualified), so an analyst's own
-- temporary table cannot stand in for analyst_tenants.
DO $function$
BEGIN
  EXECUTE format($sql$
    CREATE FUNCTION %1$I.analyst_tenant() RETURNS VARCHAR
      LANGUAGE sql STABLE SECURITY DEFINER
      SET search_path = pg_catalog, pg_temp
    AS $body$
      SELECT t.tenant_id FROM %1$I.analyst_tenants t
      WHERE t.analyst::oid = (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = session_user)
    $body$$sql$, current_schema());
END
$function$;

COMMENT ON FUNCTION analyst_tenant() IS 'The tenant analyst_tenants maps the session''s login to; NULL (no rows visible) when unmapped.';
REVOKE ALL ON FUNCTION analyst_tenant() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION analyst_tenant() TO bulwark_analyst;

-- 3. One call per table: what the node may do with it, and whether analysts read it. A table with
-- a tenant_id column gets row-level security: the node sees every tenant (it serves them all),
-- an analyst only the rows of analyst_tenant(). Without that column analysts cannot be given it.
-- Safe to call again (policies are replaced).
CREATE PROCEDURE bulwark_secure_table(tbl REGCLASS, app_privileges TEXT, analysts_read BOOLEAN)
LANGUAGE plpgsql
SET client_min_messages = warning -- no notice for each policy that is not there yet
AS $procedure$
DECLARE
  tenant_keyed BOOLEAN;
BEGIN
  IF app_privileges !~* '^\s*(SELECT|INSERT|UPDATE|DELETE|TRUNCATE)(\s*,\s*(SELECT|INSERT|UPDATE|DELETE|TRUNCATE))*\s*$' THEN
    RAISE EXCEPTION 'app_privileges must list table privileges, like ''SELECT, INSERT'', not %', app_privileges;
  END IF;
  SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute
                 WHERE attrelid = tbl AND attname = 'tenant_id' AND attnum > 0 AND NOT attisdropped)
    INTO tenant_keyed;
  IF analysts_read AND NOT tenant_keyed THEN
    RAISE EXCEPTION 'Analysts may only read tables keyed by tenant_id, and % has no such column', tbl;
  END IF;
  EXECUTE format('REVOKE ALL ON %s FROM PUBLIC', tbl);
  EXECUTE format('GRANT %s ON %s TO bulwark_app', app_privileges, tbl);
  IF tenant_keyed THEN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
    EXECUTE format('DROP POLICY IF EXISTS application_all_tenants ON %s', tbl);
    EXECUTE format('CREATE POLICY application_all_tenants ON %s TO bulwark_app'
                   ' USING (true) WITH CHECK (true)', tbl);
    EXECUTE format('DROP POLICY IF EXISTS analyst_own_tenant ON %s', tbl);
    IF analysts_read THEN
      -- The scalar subquery runs once per query (an InitPlan), not once per row.
      EXECUTE format('CREATE POLICY analyst_own_tenant ON %s FOR SELECT TO bulwark_analyst'
                     ' USING (tenant_id = (SELECT analyst_tenant()))', tbl);
    END IF;
  END IF;
  IF analysts_read THEN
    EXECUTE format('GRANT SELECT ON %s TO bulwark_analyst', tbl);
  ELSE
    EXECUTE format('REVOKE ALL ON %s FROM bulwark_analyst', tbl);
  END IF;
END
$procedure$;

COMMENT ON PROCEDURE bulwark_secure_table(REGCLASS, TEXT, BOOLEAN) IS 'Grants bulwark_app its privileges on a table, analysts SELECT if asked, and row-level security by tenant_id (ADR 0019).';
REVOKE ALL ON PROCEDURE bulwark_secure_table(REGCLASS, TEXT, BOOLEAN) FROM PUBLIC;

-- The journal, snapshots and offsets: the node only; analysts never read events.
CALL bulwark_secure_table('event_journal', 'SELECT, INSERT, UPDATE, DELETE', false);
CALL bulwark_secure_table('event_tag', 'SELECT, INSERT, UPDATE, DELETE', false);
CALL bulwark_secure_table('snapshot', 'SELECT, INSERT, UPDATE, DELETE', false);
CALL bulwark_secure_table('durable_state', 'SELECT, INSERT, UPDATE, DELETE', false);
CALL bulwark_secure_table('pekko_projection_offset_store', 'SELECT, INSERT, UPDATE, DELETE', false);
CALL bulwark_secure_table('pekko_projection_management', 'SELECT, INSERT, UPDATE, DELETE', false);

-- The read models: written by the projection, read by the API and by analysts (their tenant).
CALL bulwark_secure_table('accounts', 'SELECT, INSERT, UPDATE, DELETE', true);
CALL bulwark_secure_table('transfers', 'SELECT, INSERT, UPDATE, DELETE', true);
CALL bulwark_secure_table('ledger_entries', 'SELECT, INSERT, UPDATE, DELETE', true);
CALL bulwark_secure_table('tenant_daily_volume', 'SELECT, INSERT, UPDATE, DELETE', true);

-- The audit log (V4, ADR 0020): the node appends and reads, never updates or deletes an event;
-- it moves chain heads. Only expire_audit_events (SECURITY DEFINER, owned by the migration user)
-- removes events, and only the node may call it.
CALL bulwark_secure_table('audit_events', 'SELECT, INSERT', false);
CALL bulwark_secure_table('audit_chain_heads', 'SELECT, INSERT, UPDATE', false);
REVOKE ALL ON FUNCTION expire_audit_events(INTEGER) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION expire_audit_events(INTEGER) TO bulwark_app;

-- BIGSERIAL columns of the journal and durable state: the node draws their next values.
DO $sequences$
BEGIN
  EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO bulwark_app', current_schema());
END
$sequences$;
