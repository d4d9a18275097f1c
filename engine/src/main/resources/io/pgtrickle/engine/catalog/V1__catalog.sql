-- Catalog version 1: stream tables, their sources, refresh history, monitoring view,
-- and stubs for the write API that explain how to reach it.
--
-- Runs inside one transaction under an advisory lock (see CatalogMigrator), so two engines
-- starting at once apply it exactly once.

CREATE SCHEMA IF NOT EXISTS pgtrickle;
CREATE SCHEMA IF NOT EXISTS pgtrickle_changes;
GRANT USAGE ON SCHEMA pgtrickle TO PUBLIC;

CREATE TABLE pgtrickle.pgt_stream_tables (
    pgt_id                    BIGSERIAL PRIMARY KEY,
    pgt_relid                 OID NOT NULL UNIQUE,
    pgt_name                  TEXT NOT NULL,
    pgt_schema                TEXT NOT NULL,
    defining_query            TEXT NOT NULL,
    original_query            TEXT NOT NULL,
    schedule                  TEXT,
    refresh_mode              TEXT NOT NULL DEFAULT 'AUTO'
        CHECK (refresh_mode IN ('AUTO', 'FULL', 'DIFFERENTIAL', 'IMMEDIATE')),
    effective_refresh_mode    TEXT
        CHECK (effective_refresh_mode IN ('FULL', 'DIFFERENTIAL', 'IMMEDIATE')),
    refresh_mode_reason       TEXT,
    status                    TEXT NOT NULL DEFAULT 'INITIALIZING'
        CHECK (status IN ('INITIALIZING', 'ACTIVE', 'SUSPENDED', 'ERROR')),
    refresh_tier              TEXT NOT NULL DEFAULT 'hot'
        CHECK (refresh_tier IN ('hot', 'warm', 'cold', 'frozen')),
    is_populated              BOOLEAN NOT NULL DEFAULT FALSE,
    data_timestamp            TIMESTAMPTZ,
    frontier                  JSONB,
    last_refresh_at           TIMESTAMPTZ,
    consecutive_errors        INT NOT NULL DEFAULT 0,
    last_error_message        TEXT,
    last_error_at             TIMESTAMPTZ,
    needs_reinit              BOOLEAN NOT NULL DEFAULT FALSE,
    last_full_ms              DOUBLE PRECISION,
    diamond_consistency       TEXT NOT NULL DEFAULT 'atomic'
        CHECK (diamond_consistency IN ('none', 'atomic')),
    diamond_schedule_policy   TEXT NOT NULL DEFAULT 'fastest'
        CHECK (diamond_schedule_policy IN ('fastest', 'slowest')),
    requested_cdc_mode        TEXT
        CHECK (requested_cdc_mode IN ('auto', 'trigger', 'wal')),
    is_append_only            BOOLEAN NOT NULL DEFAULT FALSE,
    pooler_compatibility_mode BOOLEAN NOT NULL DEFAULT FALSE,
    has_keyless_source        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at                TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at                TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (pgt_schema, pgt_name)
);
CREATE INDEX pgt_stream_tables_status_idx ON pgtrickle.pgt_stream_tables (status);

CREATE TABLE pgtrickle.pgt_dependencies (
    pgt_id        BIGINT NOT NULL REFERENCES pgtrickle.pgt_stream_tables (pgt_id) ON DELETE CASCADE,
    source_relid  OID NOT NULL,
    source_type   TEXT NOT NULL
        CHECK (source_type IN ('TABLE', 'STREAM_TABLE', 'VIEW', 'MATVIEW', 'FOREIGN_TABLE')),
    columns_used  TEXT[],
    cdc_mode      TEXT NOT NULL DEFAULT 'TRIGGER'
        CHECK (cdc_mode IN ('TRIGGER', 'TRANSITIONING', 'WAL')),
    PRIMARY KEY (pgt_id, source_relid)
);
CREATE INDEX pgt_dependencies_source_idx ON pgtrickle.pgt_dependencies (source_relid);

CREATE TABLE pgtrickle.pgt_refresh_history (
    refresh_id          BIGSERIAL PRIMARY KEY,
    pgt_id              BIGINT NOT NULL REFERENCES pgtrickle.pgt_stream_tables (pgt_id) ON DELETE CASCADE,
    data_timestamp      TIMESTAMPTZ,
    start_time          TIMESTAMPTZ NOT NULL,
    end_time            TIMESTAMPTZ,
    action              TEXT NOT NULL
        CHECK (action IN ('NO_DATA', 'FULL', 'DIFFERENTIAL', 'REINITIALIZE', 'SKIP')),
    rows_inserted       BIGINT NOT NULL DEFAULT 0,
    rows_deleted        BIGINT NOT NULL DEFAULT 0,
    delta_row_count     BIGINT NOT NULL DEFAULT 0,
    merge_strategy_used TEXT,
    was_full_fallback   BOOLEAN NOT NULL DEFAULT FALSE,
    reason              TEXT,
    error_message       TEXT,
    status              TEXT NOT NULL
        CHECK (status IN ('RUNNING', 'COMPLETED', 'FAILED', 'SKIPPED')),
    initiated_by        TEXT
        CHECK (initiated_by IN ('SCHEDULER', 'MANUAL', 'INITIAL'))
);
CREATE INDEX pgt_refresh_history_pgt_idx ON pgtrickle.pgt_refresh_history (pgt_id, start_time);

-- Who may change a stream table's catalog rows: whoever may act as the owner of its storage
-- table, or anyone when that table is gone (so an orphaned entry can be dropped). Everyone may
-- read the catalog. The catalog's owner (the role that installed it) bypasses these policies.
CREATE FUNCTION pgtrickle._may_modify(relid oid) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$
        SELECT coalesce((SELECT pg_has_role(current_user, c.relowner, 'USAGE')
                         FROM pg_catalog.pg_class c WHERE c.oid = relid), true)
    $$;

CREATE FUNCTION pgtrickle._may_modify_st(id bigint) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$
        SELECT coalesce((SELECT pgtrickle._may_modify(s.pgt_relid)
                         FROM pgtrickle.pgt_stream_tables s WHERE s.pgt_id = id), false)
    $$;

ALTER TABLE pgtrickle.pgt_stream_tables ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON pgtrickle.pgt_stream_tables FOR SELECT USING (true);
CREATE POLICY owner_insert ON pgtrickle.pgt_stream_tables FOR INSERT
    WITH CHECK (pgtrickle._may_modify(pgt_relid));
CREATE POLICY owner_update ON pgtrickle.pgt_stream_tables FOR UPDATE
    USING (pgtrickle._may_modify(pgt_relid)) WITH CHECK (pgtrickle._may_modify(pgt_relid));
CREATE POLICY owner_delete ON pgtrickle.pgt_stream_tables FOR DELETE
    USING (pgtrickle._may_modify(pgt_relid));

ALTER TABLE pgtrickle.pgt_dependencies ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON pgtrickle.pgt_dependencies FOR SELECT USING (true);
CREATE POLICY owner_all ON pgtrickle.pgt_dependencies FOR ALL
    USING (pgtrickle._may_modify_st(pgt_id)) WITH CHECK (pgtrickle._may_modify_st(pgt_id));

ALTER TABLE pgtrickle.pgt_refresh_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON pgtrickle.pgt_refresh_history FOR SELECT USING (true);
CREATE POLICY owner_all ON pgtrickle.pgt_refresh_history FOR ALL
    USING (pgtrickle._may_modify_st(pgt_id)) WITH CHECK (pgtrickle._may_modify_st(pgt_id));

GRANT SELECT, INSERT, UPDATE, DELETE ON pgtrickle.pgt_stream_tables,
    pgtrickle.pgt_dependencies, pgtrickle.pgt_refresh_history TO PUBLIC;
GRANT USAGE ON SEQUENCE pgtrickle.pgt_stream_tables_pgt_id_seq,
    pgtrickle.pgt_refresh_history_refresh_id_seq TO PUBLIC;

-- Status overview with staleness. An interval schedule ('30s', '1m30s', ...) is PostgreSQL
-- interval syntax; cron and 'calculated' schedules have no fixed period, so stale is NULL.
CREATE VIEW pgtrickle.stream_tables_info AS
SELECT s.*,
       now() - s.last_refresh_at AS staleness,
       CASE
           WHEN s.schedule ~ '^([0-9]+[smhdw])+$'
               THEN coalesce(now() - s.last_refresh_at > s.schedule::interval, true)
       END AS stale
FROM pgtrickle.pgt_stream_tables s;
GRANT SELECT ON pgtrickle.stream_tables_info TO PUBLIC;

-- The write API is carried out by the pg_trickle driver and proxy, which recognise these calls
-- before they reach the server. A call that does reach the server came from a client that
-- bypassed them; say so instead of failing with "function does not exist".
CREATE FUNCTION pgtrickle._bypassed(fn text) RETURNS void
    LANGUAGE plpgsql
    AS $$
    BEGIN
        RAISE EXCEPTION 'pgtrickle.% must be called through the pg_trickle proxy or JDBC driver', fn
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'Connect through the pg_trickle proxy (default port 6432) or use a '
                      || 'jdbc:pgtrickle:postgresql:// URL; this connection goes straight to PostgreSQL.';
    END
    $$;

CREATE FUNCTION pgtrickle.create_stream_table(
    name text, query text, schedule text DEFAULT 'calculated', refresh_mode text DEFAULT 'AUTO',
    initialize boolean DEFAULT true, diamond_consistency text DEFAULT NULL,
    diamond_schedule_policy text DEFAULT NULL, cdc_mode text DEFAULT NULL,
    append_only boolean DEFAULT false, pooler_compatibility_mode boolean DEFAULT false)
    RETURNS void LANGUAGE sql AS $$ SELECT pgtrickle._bypassed('create_stream_table') $$;

CREATE FUNCTION pgtrickle.create_stream_table_if_not_exists(
    name text, query text, schedule text DEFAULT 'calculated', refresh_mode text DEFAULT 'AUTO',
    initialize boolean DEFAULT true, diamond_consistency text DEFAULT NULL,
    diamond_schedule_policy text DEFAULT NULL, cdc_mode text DEFAULT NULL,
    append_only boolean DEFAULT false, pooler_compatibility_mode boolean DEFAULT false)
    RETURNS void LANGUAGE sql AS $$ SELECT pgtrickle._bypassed('create_stream_table_if_not_exists') $$;

CREATE FUNCTION pgtrickle.create_or_replace_stream_table(
    name text, query text, schedule text DEFAULT 'calculated', refresh_mode text DEFAULT 'AUTO',
    initialize boolean DEFAULT true, diamond_consistency text DEFAULT NULL,
    diamond_schedule_policy text DEFAULT NULL, cdc_mode text DEFAULT NULL,
    append_only boolean DEFAULT false, pooler_compatibility_mode boolean DEFAULT false)
    RETURNS void LANGUAGE sql AS $$ SELECT pgtrickle._bypassed('create_or_replace_stream_table') $$;

CREATE FUNCTION pgtrickle.alter_stream_table(
    name text, query text DEFAULT NULL, schedule text DEFAULT NULL, refresh_mode text DEFAULT NULL,
    status text DEFAULT NULL, diamond_consistency text DEFAULT NULL,
    diamond_schedule_policy text DEFAULT NULL, cdc_mode text DEFAULT NULL,
    append_only boolean DEFAULT NULL, pooler_compatibility_mode boolean DEFAULT NULL,
    tier text DEFAULT NULL)
    RETURNS void LANGUAGE sql AS $$ SELECT pgtrickle._bypassed('alter_stream_table') $$;

CREATE FUNCTION pgtrickle.drop_stream_table(name text)
    RETURNS void LANGUAGE sql AS $$ SELECT pgtrickle._bypassed('drop_stream_table') $$;

CREATE FUNCTION pgtrickle.refresh_stream_table(name text)
    RETURNS void LANGUAGE sql AS $$ SELECT pgtrickle._bypassed('refresh_stream_table') $$;

CREATE FUNCTION pgtrickle.resume_stream_table(name text)
    RETURNS void LANGUAGE sql AS $$ SELECT pgtrickle._bypassed('resume_stream_table') $$;

-- Raises an error the engine found before sending anything, inside the caller's transaction, so
-- that the transaction is aborted exactly as it would be had a server function raised it.
CREATE FUNCTION pgtrickle._raise(code text, message text, detail text, hint text)
    RETURNS void
    LANGUAGE plpgsql
    AS $$
    BEGIN
        IF detail IS NULL AND hint IS NULL THEN
            RAISE EXCEPTION USING ERRCODE = code, MESSAGE = message;
        ELSIF detail IS NULL THEN
            RAISE EXCEPTION USING ERRCODE = code, MESSAGE = message, HINT = hint;
        ELSIF hint IS NULL THEN
            RAISE EXCEPTION USING ERRCODE = code, MESSAGE = message, DETAIL = detail;
        ELSE
            RAISE EXCEPTION USING ERRCODE = code, MESSAGE = message, DETAIL = detail, HINT = hint;
        END IF;
    END
    $$;
