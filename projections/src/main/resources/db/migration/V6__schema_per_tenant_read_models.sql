-- Schema-per-tenant read models (docs/adr/0022-schema-per-tenant-read-models.md, docs/tenancy.md).
--
-- The four read models become LIST-partitioned by tenant_id. Every tenant's rows live in the default
-- partition <table>_shared (phase 1: shared tables, row-level security), until the migration login
-- moves a tenant into a schema of its own (phase 2a):
--
--   SELECT bulwark_move_tenant_to_schema('acme');   -- tenant_acme.accounts, .transfers, ...
--   SELECT bulwark_move_tenant_to_shared('acme');   -- and back
--
-- Each call is one transaction: it creates (or drops) the schema, moves the tenant's rows and
-- attaches (or detaches) its tables as the tenant's partitions. The node keeps reading and writing
-- `accounts`, `transfers`, ...: PostgreSQL routes each row to its tenant's partition, so the node
-- neither knows nor cares which tenants have a schema, and nodes cannot disagree about it.
-- BULWARK_TENANT_SCHEMAS makes the node call bulwark_move_tenant_to_schema at startup (as the
-- migration login) for each listed tenant that has no schema yet.
--
-- A later migration that changes a read model changes the partitioned table, and PostgreSQL
-- applies it to every partition, tenant schemas included.

-- 1. The read models become partitioned tables with a default partition. PostgreSQL cannot turn a
-- table into a partitioned one, so each table is renamed to <table>_shared (its indexes too), a
-- partitioned table takes the old name with the same columns, constraints, comments and index
-- names, and the old table is attached as its default partition. Attaching matches the existing
-- indexes and, with no other partition yet, scans nothing: cheap on a large table.
DO $partition$
DECLARE
  base CONSTANT text := current_schema();
  t text;
  shared text;
  idx record;
  definitions text[];
  comments text[];
  names text[];
  i int;
BEGIN
  FOREACH t IN ARRAY ARRAY['accounts', 'transfers', 'ledger_entries', 'tenant_daily_volume'] LOOP
    shared := t || '_shared';
    definitions := ARRAY[]::text[];
    comments := ARRAY[]::text[];
    names := ARRAY[]::text[];
    -- The indexes as they are defined now (on `t`): recreated on the partitioned table below.
    FOR idx IN
      SELECT ic.relname AS name, c.conname AS constraint_name,
             pg_get_constraintdef(c.oid) AS constraint_def, pg_get_indexdef(i.indexrelid) AS index_def,
             obj_description(i.indexrelid, 'pg_class') AS comment
      FROM pg_index i
      JOIN pg_class ic ON ic.oid = i.indexrelid
      LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
      WHERE i.indrelid = format('%I.%I', base, t)::regclass
      ORDER BY ic.relname
    LOOP
      names := names || idx.name::text;
      comments := comments || idx.comment;
      IF idx.constraint_name IS NOT NULL THEN
        definitions := definitions
          || format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s', base, t, idx.constraint_name, idx.constraint_def);
        EXECUTE format('ALTER TABLE %I.%I RENAME CONSTRAINT %I TO %I', base, t, idx.constraint_name,
                       shared || substr(idx.constraint_name, length(t) + 1));
      ELSE
        definitions := definitions || idx.index_def;
        EXECUTE format('ALTER INDEX %I.%I RENAME TO %I', base, idx.name,
                       shared || substr(idx.name, length(t) + 1));
      END IF;
    END LOOP;
    EXECUTE format('ALTER TABLE %I.%I RENAME TO %I', base, t, shared);
    EXECUTE format('CREATE TABLE %I.%I (LIKE %I.%I INCLUDING ALL EXCLUDING INDEXES)'
                   ' PARTITION BY LIST (tenant_id)', base, t, base, shared);
    EXECUTE format('COMMENT ON TABLE %I.%I IS %L', base, t,
                   obj_description(format('%I.%I', base, shared)::regclass, 'pg_class'));
    FOR i IN 1 .. coalesce(array_length(definitions, 1), 0) LOOP
      EXECUTE definitions[i];
      IF comments[i] IS NOT NULL THEN
        EXECUTE format('COMMENT ON INDEX %I.%I IS %L', base, names[i], comments[i]);
      END IF;
    END LOOP;
    EXECUTE format('ALTER TABLE %I.%I ATTACH PARTITION %I.%I DEFAULT', base, t, base, shared);
    EXECUTE format('COMMENT ON TABLE %I.%I IS %L', base, shared,
                   'The rows of ' || t || ' of every tenant without a schema of its own (the default'
                   ' partition; read and write them through ' || t || ').');
  END LOOP;
END
$partition$;

-- The node reads and writes the partitioned tables; analysts read them (their tenant's rows, by
-- row-level security on the partitioned table). Through a partitioned table PostgreSQL checks
-- privileges and policies of that table only, so the default partitions need no analyst grant;
-- they keep the node's policy for a direct access.
CALL bulwark_secure_table('accounts', 'SELECT, INSERT, UPDATE, DELETE', true);
CALL bulwark_secure_table('transfers', 'SELECT, INSERT, UPDATE, DELETE', true);
CALL bulwark_secure_table('ledger_entries', 'SELECT, INSERT, UPDATE, DELETE', true);
CALL bulwark_secure_table('tenant_daily_volume', 'SELECT, INSERT, UPDATE, DELETE', true);
CALL bulwark_secure_table('accounts_shared', 'SELECT, INSERT, UPDATE, DELETE', false);
CALL bulwark_secure_table('transfers_shared', 'SELECT, INSERT, UPDATE, DELETE', false);
CALL bulwark_secure_table('ledger_entries_shared', 'SELECT, INSERT, UPDATE, DELETE', false);
CALL bulwark_secure_table('tenant_daily_volume_shared', 'SELECT, INSERT, UPDATE, DELETE', false);

-- 2. Which tenants have a schema: written only by the two move functions, in the same transaction
-- as the move, so it cannot disagree with the partitions. Migration login only, like
-- analyst_tenants.
CREATE TABLE tenant_schemas (
  tenant_id   VARCHAR(64) COLLATE "C" PRIMARY KEY,
  schema_name NAME NOT NULL UNIQUE,
  moved_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

COMMENT ON TABLE tenant_schemas IS 'Tenants whose read-model rows live in a schema of their own (phase 2a, docs/tenancy.md).';
COMMENT ON COLUMN tenant_schemas.tenant_id IS 'The tenant.';
COMMENT ON COLUMN tenant_schemas.schema_name IS 'Its schema, bulwark_tenant_schema_name(tenant_id): partitions of accounts, transfers, ledger_entries and tenant_daily_volume.';
COMMENT ON COLUMN tenant_schemas.moved_at IS 'When the tenant''s rows moved there.';

REVOKE ALL ON tenant_schemas FROM PUBLIC;
ALTER TABLE tenant_schemas ENABLE ROW LEVEL SECURITY;

-- 3. A tenant's schema name. Tenant ids are ^[a-z0-9][a-z0-9_.-]{0,63}$ (io.bulwark.domain.Ids),
-- checked here too. An id of [a-z0-9_] of at most 56 characters gives tenant_<id>, which needs no
-- quoting; any other ('.', '-', or longer) gives tenant_<id with '.' and '-' as '_', cut to 42>_<12
-- hex digits of md5(id)>: at most 62 bytes (PostgreSQL cuts identifiers at 63), and 'a.b', 'a-b'
-- and 'a_b' stay apart. tenant_schemas.schema_name is UNIQUE, so a collision is refused, never
-- shared.
CREATE FUNCTION bulwark_tenant_schema_name(tenant VARCHAR) RETURNS NAME
LANGUAGE plpgsql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $function$
BEGIN
  IF tenant !~ '^[a-z0-9][a-z0-9_.-]{0,63}$' THEN
    RAISE EXCEPTION 'Not a valid tenant id: %', quote_literal(tenant)
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Tenant ids match ^[a-z0-9][a-z0-9_.-]{0,63}$.';
  END IF;
  IF tenant ~ '^[a-z0-9_]{1,56}$' THEN
    RETURN 'tenant_' || tenant;
  END IF;
  RETURN 'tenant_' || left(translate(tenant, '.-', '__'), 42) || '_' || left(md5(tenant), 12);
END
$function$;

COMMENT ON FUNCTION bulwark_tenant_schema_name(VARCHAR) IS 'The schema a tenant''s read models move to (phase 2a); refuses an invalid tenant id.';
REVOKE ALL ON FUNCTION bulwark_tenant_schema_name(VARCHAR) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION bulwark_tenant_schema_name(VARCHAR) TO bulwark_app, bulwark_analyst;

-- 4. Moving a tenant. Both functions belong to the migration login (they create and drop schemas
-- and attach partitions, which takes ownership of the tables and CREATE on the database). Each
-- takes an EXCLUSIVE lock on the four read models first: reads go on, writes (the projection)
-- wait until the move commits and then land in the new place. Both are idempotent and return the
-- number of rows moved. The tenant id is bound as a value ($1, %L) and every identifier is quoted
-- (%I): nothing of it is ever spliced into SQL unquoted.
DO $functions$
BEGIN
  EXECUTE format($sql$
    CREATE FUNCTION %1$I.bulwark_move_tenant_to_schema(tenant VARCHAR) RETURNS BIGINT
    LANGUAGE plpgsql
    SET search_path = pg_catalog, %1$I, pg_temp
    SET client_min_messages = warning
    AS $body$
    DECLARE
      base CONSTANT text := %1$L;
      s name := bulwark_tenant_schema_name(tenant);
      t text;
      cols text;
      n bigint;
      moved bigint := 0;
      analyst regrole;
      ix record;
    BEGIN
      IF EXISTS (SELECT 1 FROM tenant_schemas WHERE tenant_id = tenant) THEN
        RETURN 0;
      END IF;
      LOCK TABLE accounts, transfers, ledger_entries, tenant_daily_volume IN EXCLUSIVE MODE;
      -- Again under the lock: a concurrent move of the same tenant has committed meanwhile.
      IF EXISTS (SELECT 1 FROM tenant_schemas WHERE tenant_id = tenant) THEN
        RETURN 0;
      END IF;
      IF EXISTS (SELECT 1 FROM tenant_schemas WHERE schema_name = s) THEN
        RAISE EXCEPTION 'The schema %% belongs to another tenant', s;
      END IF;
      -- Fails if a schema of that name exists: never adopt a schema this function did not make.
      EXECUTE format('CREATE SCHEMA %%I', s);
      EXECUTE format('COMMENT ON SCHEMA %%I IS %%L', s,
                     'Read models of the tenant ' || tenant || ' (docs/tenancy.md).');
      EXECUTE format('REVOKE ALL ON SCHEMA %%I FROM PUBLIC', s);
      EXECUTE format('GRANT USAGE ON SCHEMA %%I TO bulwark_app', s);
      FOREACH t IN ARRAY ARRAY['accounts', 'transfers', 'ledger_entries', 'tenant_daily_volume'] LOOP
        -- Same columns, defaults, constraints, indexes and comments as the shared table.
        EXECUTE format('CREATE TABLE %%I.%%I (LIKE %%I.%%I INCLUDING ALL)', s, t, base, t);
        EXECUTE format('COMMENT ON TABLE %%I.%%I IS %%L', s, t,
                       obj_description(format('%%I.%%I', base, t)::regclass, 'pg_class'));
        SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols
        FROM pg_attribute
        WHERE attrelid = format('%%I.%%I', base, t)::regclass AND attnum > 0 AND NOT attisdropped;
        -- One statement: exactly the rows deleted are the rows inserted.
        EXECUTE format('WITH moved AS (DELETE FROM %%I.%%I WHERE tenant_id = $1 RETURNING %%s)'
                       ' INSERT INTO %%I.%%I (%%s) SELECT %%s FROM moved',
                       base, t, cols, s, t, cols, cols) USING tenant;
        GET DIAGNOSTICS n = ROW_COUNT;
        moved := moved + n;
        EXECUTE format('ALTER TABLE %%I.%%I ATTACH PARTITION %%I.%%I FOR VALUES IN (%%L)',
                       base, t, s, t, tenant);
        -- The partition's indexes by the names of the shared table's, which they are attached to.
        FOR ix IN
          SELECT child.relname AS child_name, parent.relname AS parent_name
          FROM pg_inherits inh
          JOIN pg_class child ON child.oid = inh.inhrelid
          JOIN pg_class parent ON parent.oid = inh.inhparent
          JOIN pg_index pi ON pi.indexrelid = inh.inhrelid
          WHERE pi.indrelid = format('%%I.%%I', s, t)::regclass AND child.relname <> parent.relname
        LOOP
          EXECUTE format('ALTER INDEX %%I.%%I RENAME TO %%I', s, ix.child_name, ix.parent_name);
        END LOOP;
        CALL bulwark_secure_table(format('%%I.%%I', s, t)::regclass, 'SELECT, INSERT, UPDATE, DELETE', true);
      END LOOP;
      -- The tenant's analysts may enter the schema; nobody else (trigger on analyst_tenants).
      FOR analyst IN
        SELECT a.analyst FROM analyst_tenants a JOIN pg_roles r ON r.oid = a.analyst
        WHERE a.tenant_id = tenant
      LOOP
        EXECUTE format('GRANT USAGE ON SCHEMA %%I TO %%s', s, analyst);
      END LOOP;
      INSERT INTO tenant_schemas (tenant_id, schema_name) VALUES (tenant, s);
      RETURN moved;
    END
    $body$$sql$, current_schema());

  EXECUTE format($sql$
    CREATE FUNCTION %1$I.bulwark_move_tenant_to_shared(tenant VARCHAR) RETURNS BIGINT
    LANGUAGE plpgsql
    SET search_path = pg_catalog, %1$I, pg_temp
    SET client_min_messages = warning
    AS $body$
    DECLARE
      base CONSTANT text := %1$L;
      s name;
      t text;
      cols text;
      n bigint;
      moved bigint := 0;
    BEGIN
      PERFORM bulwark_tenant_schema_name(tenant); -- refuses an invalid id
      IF NOT EXISTS (SELECT 1 FROM tenant_schemas WHERE tenant_id = tenant) THEN
        RETURN 0;
      END IF;
      LOCK TABLE accounts, transfers, ledger_entries, tenant_daily_volume IN EXCLUSIVE MODE;
      SELECT schema_name INTO s FROM tenant_schemas WHERE tenant_id = tenant;
      IF s IS NULL THEN
        RETURN 0;
      END IF;
      FOREACH t IN ARRAY ARRAY['accounts', 'transfers', 'ledger_entries', 'tenant_daily_volume'] LOOP
        EXECUTE format('ALTER TABLE %%I.%%I DETACH PARTITION %%I.%%I', base, t, s, t);
        SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols
        FROM pg_attribute
        WHERE attrelid = format('%%I.%%I', base, t)::regclass AND attnum > 0 AND NOT attisdropped;
        -- Detached, the tenant has no partition: its rows go to the default one.
        EXECUTE format('INSERT INTO %%I.%%I (%%s) SELECT %%s FROM %%I.%%I', base, t, cols, cols, s, t);
        GET DIAGNOSTICS n = ROW_COUNT;
        moved := moved + n;
        EXECUTE format('DROP TABLE %%I.%%I', s, t);
      END LOOP;
      -- RESTRICT: anything else someone put into the schema stops the move (and rolls it back).
      EXECUTE format('DROP SCHEMA %%I RESTRICT', s);
      DELETE FROM tenant_schemas WHERE tenant_id = tenant;
      RETURN moved;
    END
    $body$$sql$, current_schema());
END
$functions$;

COMMENT ON FUNCTION bulwark_move_tenant_to_schema(VARCHAR) IS 'Moves a tenant''s read-model rows into its own schema, in one transaction; returns the rows moved (0 if already there).';
COMMENT ON FUNCTION bulwark_move_tenant_to_shared(VARCHAR) IS 'Moves a tenant''s read-model rows back into the shared tables and drops its schema, in one transaction; returns the rows moved.';
REVOKE ALL ON FUNCTION bulwark_move_tenant_to_schema(VARCHAR) FROM PUBLIC;
REVOKE ALL ON FUNCTION bulwark_move_tenant_to_shared(VARCHAR) FROM PUBLIC;

-- 5. An analyst may enter the schema of the tenant analyst_tenants maps the login to, and no other.
-- Kept in step with the mapping by a trigger, so docs/analysts.md's INSERT, UPDATE and DELETE stay
-- the whole procedure, and DROP ROLE after the DELETE still works. SECURITY DEFINER: the schema's
-- owner grants, whoever edits the mapping.
DO $trigger$
BEGIN
  EXECUTE format($sql$
    CREATE FUNCTION %1$I.analyst_schema_usage() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $body$
    DECLARE
      s name;
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT schema_name INTO s FROM %1$I.tenant_schemas WHERE tenant_id = OLD.tenant_id;
        IF s IS NOT NULL AND EXISTS (SELECT 1 FROM pg_roles WHERE oid = OLD.analyst) THEN
          EXECUTE format('REVOKE USAGE ON SCHEMA %%I FROM %%s', s, OLD.analyst);
        END IF;
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT schema_name INTO s FROM %1$I.tenant_schemas WHERE tenant_id = NEW.tenant_id;
        IF s IS NOT NULL AND EXISTS (SELECT 1 FROM pg_roles WHERE oid = NEW.analyst) THEN
          EXECUTE format('GRANT USAGE ON SCHEMA %%I TO %%s', s, NEW.analyst);
        END IF;
      END IF;
      RETURN NULL;
    END
    $body$$sql$, current_schema());
END
$trigger$;

REVOKE ALL ON FUNCTION analyst_schema_usage() FROM PUBLIC;
CREATE TRIGGER analyst_schema_usage AFTER INSERT OR UPDATE OR DELETE ON analyst_tenants
  FOR EACH ROW EXECUTE FUNCTION analyst_schema_usage();
