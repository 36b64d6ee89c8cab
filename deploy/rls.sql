-- Row-level security for the console's role: isolation enforced by the database too.
--
-- Optional, run by the platform's database administrator on a contract database,
-- after deploy/grants.sql and the console's migrations (README, "PostgreSQL"):
--
--     psql -v ON_ERROR_STOP=1 -d mall -f deploy/rls.sql    # as an administrator
--
-- The console never runs it (it runs no DDL on the contract's tables). Plain SQL, no
-- psql variables, one transaction (an error changes nothing). Idempotent: run it again
-- after a platform upgrade or a change of this file; each run drops and re-creates the
-- two policies below on every table, so the last run's definitions are the ones in force.
-- To take it out again, per table t: DROP POLICY mallboard_app_scope ON t;
-- DROP POLICY mallboard_others ON t; ALTER TABLE t DISABLE ROW LEVEL SECURITY;
--
-- What the console sets (queries/core/rls.py), at the start of every transaction it opens,
-- with set_config(…, true) so that the values end with the transaction:
--     mallboard.scope      'staff' for operators and finance (and the console's own
--                          internal reads: the session check, the login), 'vendor' for a
--                          shop's login, '' for neither;
--     mallboard.vendor_id  the shop's id for a vendor, '' otherwise.
-- Then, for the role mallboard_app only:
--   * staff scope: every row of every table;
--   * a vendor's scope: in each vendor-owned table only the rows the contract lets that
--     shop see (below); other shops' rows do not exist for it, even for a query whose
--     own vendor filter was forgotten;
--   * neither: no row of any contract table (reads come back empty, writes fail).
-- RLS here is defence in depth against a forgotten filter, not against someone who can
-- run SQL as mallboard_app: such a session can set mallboard.scope itself.
--
-- Why two policies per table. With RLS enabled, a role that no policy applies to sees
-- no row at all (except the table's owner, superusers and BYPASSRLS roles). The
-- platform's own non-owner roles (its services, reporting users) must keep seeing
-- everything, so one PERMISSIVE policy `mallboard_others` lets every role (TO PUBLIC)
-- see and write every row, exactly as without RLS. It applies to mallboard_app as well
-- (policies of one kind are OR'ed), so mallboard_app's limit is a RESTRICTIVE policy
-- `mallboard_app_scope` TO mallboard_app: restrictive policies are AND'ed with the
-- permissive ones, so mallboard_app sees (true AND its scope) and every other role just
-- true. PostgreSQL itself decides which roles a policy applies to (mallboard_app and the
-- roles that inherit its privileges), so there is no role name to compare in the
-- expressions. The platform's roles pay nothing: their only policy is `true`.
--
-- Cost. Each setting is read in a sub-select, `(SELECT current_setting(…))`: PostgreSQL
-- computes it once per query (an InitPlan, handed to parallel workers too) rather than
-- once per row, and the staff test comes first, so staff pay one boolean per row. A shop
-- pays its vendor test per row read. Tables owned through their order (order_items,
-- payments, refunds) and coupons look the order (the promotion) up with EXISTS: one
-- primary-key probe per row read, or one hashed pass over the shop's orders, as the
-- planner prefers. Such a sub-select makes plans over those tables serial, for staff
-- too (a SubPlan is parallel-restricted, even where the staff test means it never
-- runs): the price of the check. A function instead keeps plans parallel but costs a
-- shop 4× more per row (measured: 12 µs against 3 µs). docs/performance.md, "RLS
-- cost", has the numbers.
--
-- What a vendor's scope sees (shared/commerce-schema.md):
--   orders, products, live_sessions, settlements, audit_log, supplier_applications,
--   vendors ........ rows with vendor_id = the shop (vendors: its own row only);
--   order_items, payments, refunds ... those of the shop's orders;
--   promotions ..... its own and every platform promotion (vendor_id null). The contract's
--                    vendor list of promotions holds the platform promotions its orders
--                    used; the console's Promotions page also lists the platform's
--                    others (docs/edits.md: "a platform promotion (which they can see)"),
--                    and a platform promotion is the platform's, never another shop's;
--   coupons ........ those of its own promotions and those used on its orders (a platform
--                    coupon on its order counts in its results);
--   categories, members, notes, note_tags, note_products, note_views ... every row (the
--                    platform's reference data and the mall's community; a shop's member
--                    figures come from its own orders, members carry no name or contact;
--                    notes are public). Still none without a scope.
-- The console's own tables (schema mallboard) are not touched here: they are the
-- console's, owned by mallboard_app; policies on them (with FORCE, since the owner would
-- bypass them) belong to its migrations.

BEGIN;

-- The role the policies name. deploy/grants.sql creates it with its privileges; this
-- creates a bare one if this script runs first (the same pattern, safe to run at once).
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
END
$$;

-- The policies. In each rule, {shop} stands for the vendor's scope,
--     (SELECT nullif(current_setting('mallboard.vendor_id', true), '')::bigint)
-- (null without one), and every rule is OR'ed with the staff scope,
--     (SELECT current_setting('mallboard.scope', true) = 'staff').
-- `sees` limits reading, updating and deleting; `writes` the rows a shop may insert or
-- update into (null: the same as `sees`; false: staff only).
DO $$
DECLARE
    shop constant text :=
        '(SELECT nullif(current_setting(''mallboard.vendor_id'', true), '''')::bigint)';
    staff constant text := '(SELECT current_setting(''mallboard.scope'', true) = ''staff'')';
    of_its_orders constant text :=
        'EXISTS (SELECT FROM public.orders AS o '
        'WHERE o.order_id = {table}.order_id AND o.vendor_id = {shop})';
    rule record;
    sees text;
    writes text;
    foreign_policies text;
BEGIN
    -- Refuse to merge into row-level security of the platform's own: a permissive `true`
    -- policy for every role would open what the platform's policies close. (Our own two
    -- policies from an earlier run are expected.)
    SELECT string_agg(format('%s on %s', p.policyname, p.tablename), ', ')
    INTO foreign_policies
    FROM pg_catalog.pg_policies AS p
    WHERE p.schemaname = 'public'
      AND p.tablename IN (
          'categories', 'supplier_applications', 'vendors', 'products', 'members',
          'live_sessions', 'promotions', 'orders', 'order_items', 'payments', 'refunds',
          'coupons', 'notes', 'note_tags', 'note_products', 'note_views', 'settlements',
          'audit_log')
      AND p.policyname NOT IN ('mallboard_others', 'mallboard_app_scope');
    IF foreign_policies IS NOT NULL THEN
        RAISE EXCEPTION 'contract tables carry row-level security policies of their own: %',
            foreign_policies
            USING HINT = 'deploy/rls.sql would widen them: merge its policies by hand.';
    END IF;

    FOR rule IN
        SELECT * FROM (VALUES
            -- vendor-owned, by their own vendor_id
            ('orders', 'vendor_id = {shop}', NULL),
            ('products', 'vendor_id = {shop}', NULL),
            ('live_sessions', 'vendor_id = {shop}', NULL),
            ('settlements', 'vendor_id = {shop}', NULL),
            ('audit_log', 'vendor_id = {shop}', NULL),
            ('vendors', 'vendor_id = {shop}', NULL),
            ('supplier_applications', 'vendor_id = {shop}', NULL),
            -- owned through their order
            ('order_items', of_its_orders, NULL),
            ('payments', of_its_orders, NULL),
            ('refunds', of_its_orders, NULL),
            -- its own and the platform's; it writes only its own
            ('promotions',
             'vendor_id = {shop} OR (vendor_id IS NULL AND {shop} IS NOT NULL)',
             'vendor_id = {shop}'),
            -- of its own promotions, or used on its orders; the console writes none
            ('coupons',
             'EXISTS (SELECT FROM public.promotions AS p '
             'WHERE p.promotion_id = coupons.promotion_id AND p.vendor_id = {shop}) '
             -- (an unused coupon has no order to look up: most of a big campaign's)
             'OR (order_id IS NOT NULL AND ' || of_its_orders || ')',
             'false'),
            -- the platform's reference data and the mall's community: any scope
            ('categories', '{shop} IS NOT NULL', NULL),
            ('members', '{shop} IS NOT NULL', NULL),
            ('notes', '{shop} IS NOT NULL', NULL),
            ('note_tags', '{shop} IS NOT NULL', NULL),
            ('note_products', '{shop} IS NOT NULL', NULL),
            ('note_views', '{shop} IS NOT NULL', NULL)
        ) AS rules (table_name, sees, writes)
    LOOP
        sees := replace(replace(rule.sees, '{table}', rule.table_name), '{shop}', shop);
        writes := coalesce(replace(rule.writes, '{shop}', shop), sees);
        EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', rule.table_name);
        EXECUTE format('DROP POLICY IF EXISTS mallboard_others ON public.%I', rule.table_name);
        EXECUTE format(
            'CREATE POLICY mallboard_others ON public.%I AS PERMISSIVE FOR ALL TO PUBLIC '
            'USING (true) WITH CHECK (true)',
            rule.table_name);
        EXECUTE format('DROP POLICY IF EXISTS mallboard_app_scope ON public.%I', rule.table_name);
        EXECUTE format(
            'CREATE POLICY mallboard_app_scope ON public.%I AS RESTRICTIVE FOR ALL '
            'TO mallboard_app USING (%s OR (%s)) WITH CHECK (%s OR (%s))',
            rule.table_name, staff, sees, staff, writes);
    END LOOP;
END
$$;

COMMIT;
