-- The database role the console runs as: mallboard_app, with least privilege.
--
-- Run by the platform's database administrator on a contract database (the one the
-- console's DATABASE_URL names), AFTER the contract's tables exist and BEFORE the
-- console's migrations:
--
--     psql -v ON_ERROR_STOP=1 -d mall -f deploy/grants.sql    # as an administrator
--     psql -d mall -c "ALTER ROLE mallboard_app PASSWORD '…'"  # once, the DBA's choice
--     DATABASE_URL=postgresql://mallboard_app:…@host/mall python -m dashboard.migrate
--
-- Plain SQL, no psql variables, one transaction (an error changes nothing). Idempotent:
-- run it again after a platform upgrade, on a server where the role exists, or on a
-- database the console was already migrated on by another role; every run ends with
-- exactly the privileges below (earlier ones on the contract's tables are revoked first).
-- The role is cluster-wide; run the script in every database the console uses.
--
-- What the role may do (shared/commerce-schema.md, "What the dashboard writes"):
--   * read every contract table;
--   * write only the columns the console's writes set (queries/**): products' price,
--     stock and status; promotions (create, edit, publish, cancel); supplier
--     applications' decision and the vendors row an approval creates; vendors.status;
--     settlements (issue, adjust, confirm, mark paid, and DELETE to discard a draft);
--     audit_log: INSERT only, never UPDATE or DELETE;
--   * nothing else in schema public: no CREATE, no other table;
--   * everything in its own schema `mallboard`, which it owns (its migrations create
--     its tables there).
-- Nothing here lets it bypass row-level security (deploy/rls.sql, optional, runs after).

BEGIN;

-- The login role. No password here: the administrator sets it (ALTER ROLE … PASSWORD).
-- Two sessions creating it at once (parallel test workers share one server): the loser
-- gets duplicate_object or a unique_violation on pg_authid and carries on.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'mallboard_app') THEN
        BEGIN
            CREATE ROLE mallboard_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE
                NOREPLICATION NOBYPASSRLS;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
    -- A role of that name made by hand with more power is brought down to a plain login.
    -- (Only when needed: ALTER ROLE of one row by two sessions at once fails.)
    IF EXISTS (
        SELECT FROM pg_catalog.pg_roles
        WHERE rolname = 'mallboard_app'
          AND (rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls
               OR NOT rolcanlogin)
    ) THEN
        ALTER ROLE mallboard_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE
            NOREPLICATION NOBYPASSRLS;
    END IF;
END
$$;

-- Connecting to this database (whatever its name).
DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO mallboard_app', current_database());
END
$$;

-- The contract's schema: look up names, never create anything in it.
GRANT USAGE ON SCHEMA public TO mallboard_app;
REVOKE CREATE ON SCHEMA public FROM mallboard_app;

-- Start from nothing in public, so a rerun also takes back what an older script gave.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM mallboard_app;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM mallboard_app;

-- Reading: every contract table (tables or views of those names), and only those.
GRANT SELECT ON
    public.categories,
    public.supplier_applications,
    public.vendors,
    public.products,
    public.members,
    public.live_sessions,
    public.promotions,
    public.orders,
    public.order_items,
    public.payments,
    public.refunds,
    public.coupons,
    public.notes,
    public.note_tags,
    public.note_products,
    public.note_views,
    public.settlements,
    public.audit_log
TO mallboard_app;

-- Products: vendors change price, stock and on sale / off shelf; operators ban and lift
-- a ban (queries/catalog/product_edits.py). Never the shop, category or name.
GRANT UPDATE (price_cents, stock, status, updated_at, version)
    ON public.products TO mallboard_app;

-- Promotions: create a draft, edit its terms, publish, cancel
-- (queries/marketing/promotion_edits.py). Who owns and funds it is fixed at creation.
GRANT INSERT (vendor_id, campaign, name, kind, threshold_cents, percent_off,
              amount_off_cents, funded_by, budget_cents, starts_at, ends_at, status,
              created_at, updated_at, version)
    ON public.promotions TO mallboard_app;
GRANT UPDATE (campaign, name, kind, threshold_cents, percent_off, amount_off_cents,
              budget_cents, starts_at, ends_at, status, updated_at, version)
    ON public.promotions TO mallboard_app;

-- Supplier onboarding: the decision on an application and, on approval, the new shop
-- (queries/merchants/onboarding.py). The applicant's own fields stay the platform's.
GRANT UPDATE (status, reviewed_by, reviewed_at, review_note, vendor_id)
    ON public.supplier_applications TO mallboard_app;
GRANT INSERT (name, status, region, joined_at, application_id, contact_email)
    ON public.vendors TO mallboard_app;

-- Shops: suspend, reactivate, close (queries/merchants/vendors.py). UPDATE on a column
-- also lets the statement issue lock the vendor rows (SELECT … FOR UPDATE).
GRANT UPDATE (status) ON public.vendors TO mallboard_app;

-- Settlements: issue drafts, adjust a draft, confirm, mark paid, discard a draft (the
-- row is deleted; its audit row keeps the totals) (queries/finance/actions.py).
GRANT INSERT (vendor_id, period_start, period_end, gross_cents, platform_subsidy_cents,
              commission_cents, payment_fee_cents, refund_cents, commission_refund_cents,
              adjustment_cents, net_cents, status, created_at, version)
    ON public.settlements TO mallboard_app;
GRANT UPDATE (adjustment_cents, adjustment_note, net_cents, status, confirmed_at, paid_at,
              payment_reference, version)
    ON public.settlements TO mallboard_app;
GRANT DELETE ON public.settlements TO mallboard_app;

-- The audit trail: appended to, never changed or emptied (queries/audit.py).
GRANT INSERT (at, actor, role, action, entity, entity_id, vendor_id, reason, "before",
              "after")
    ON public.audit_log TO mallboard_app;

-- New keys for the rows it inserts: the identity (or serial) sequences behind them.
-- USAGE allows nextval/currval, not setval.
DO $$
DECLARE
    key record;
    sequence_name text;
BEGIN
    FOR key IN
        SELECT * FROM (VALUES
            ('public.promotions', 'promotion_id'),
            ('public.vendors', 'vendor_id'),
            ('public.settlements', 'settlement_id'),
            ('public.audit_log', 'audit_id')
        ) AS keys (table_name, column_name)
    LOOP
        sequence_name := pg_catalog.pg_get_serial_sequence(key.table_name, key.column_name);
        IF sequence_name IS NOT NULL THEN
            EXECUTE format('GRANT USAGE ON SEQUENCE %s TO mallboard_app', sequence_name);
        END IF;
    END LOOP;
END
$$;

-- Its own schema, owned by it: its migrations (python -m dashboard.migrate) create and
-- change its tables there, and only there — the cache generations every app process
-- reads and raises (migration 0004) included, so several processes need nothing more.
-- A read replica (READ_DATABASE_URL) is a copy of this database: the role and every
-- grant here come with it. The WAL-position functions the app reads there and on the
-- primary (pg_current_wal_lsn, pg_last_wal_replay_lsn, pg_is_in_recovery,
-- pg_last_xact_replay_timestamp, pg_wal_lsn_diff) are PUBLIC by default: nothing to grant.
CREATE SCHEMA IF NOT EXISTS mallboard AUTHORIZATION mallboard_app;
ALTER SCHEMA mallboard OWNER TO mallboard_app;

-- A database migrated earlier by another role: hand the schema's tables (their indexes
-- and identity sequences follow), views and stand-alone sequences to mallboard_app.
DO $$
DECLARE
    item record;
BEGIN
    FOR item IN
        SELECT c.relname, c.relkind
        FROM pg_catalog.pg_class AS c
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = 'mallboard'
          AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          AND c.relowner <> (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = 'mallboard_app')
          -- an identity or serial sequence moves with its table
          AND NOT (c.relkind = 'S' AND EXISTS (
              SELECT FROM pg_catalog.pg_depend AS d
              WHERE d.classid = 'pg_catalog.pg_class'::regclass
                AND d.objid = c.oid
                AND d.deptype IN ('a', 'i')
          ))
        ORDER BY c.relkind <> 'S', c.relname
    LOOP
        EXECUTE format(
            'ALTER %s mallboard.%I OWNER TO mallboard_app',
            CASE item.relkind
                WHEN 'v' THEN 'VIEW'
                WHEN 'm' THEN 'MATERIALIZED VIEW'
                WHEN 'S' THEN 'SEQUENCE'
                WHEN 'f' THEN 'FOREIGN TABLE'
                ELSE 'TABLE'
            END,
            item.relname
        );
    END LOOP;
END
$$;

-- Tables this administrator creates there later (e.g. the platform building the rollups
-- the console reads) are the console's to use as well.
ALTER DEFAULT PRIVILEGES IN SCHEMA mallboard GRANT ALL ON TABLES TO mallboard_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA mallboard GRANT ALL ON SEQUENCES TO mallboard_app;

-- A database older than PostgreSQL 15's defaults may still let every role (PUBLIC)
-- create tables in public; that is the platform's to close, so say it.
DO $$
BEGIN
    IF pg_catalog.has_schema_privilege('mallboard_app', 'public', 'CREATE') THEN
        RAISE WARNING 'every role may create tables in schema public here, so may mallboard_app: consider REVOKE CREATE ON SCHEMA public FROM PUBLIC';
    END IF;
END
$$;

COMMIT;
