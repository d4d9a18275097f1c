-- Catalog version 4: the fixed catalog statements of a refresh, as functions.
--
-- The engine sends only unnamed statements, so that it is safe behind a transaction-pooling
-- PgBouncer, and PostgreSQL therefore parses and plans each of them on every refresh. For the small
-- catalog statements every refresh runs, that planning cost more than running them. The static SQL
-- inside a PL/pgSQL function is planned once per backend and kept (and re-planned after DDL on what
-- it reads), whichever client the backend serves. Both run with the caller's rights, so row-level
-- security and privileges apply exactly as they did to the statements they replace.

-- Finds a stream table by the name of its storage table (resolved as PostgreSQL resolves table
-- names), locks its catalog row, and then takes its refresh lock (see Refresher): one round trip.
-- No row when the name is not a stream table's storage, or when row-level security hides the row
-- from FOR UPDATE; the caller then looks again to say which.
CREATE FUNCTION pgtrickle._lock_for_refresh(storage text, lock_class int)
    RETURNS SETOF pgtrickle.pgt_stream_tables
    LANGUAGE plpgsql
    AS $$
    DECLARE
        st pgtrickle.pgt_stream_tables;
    BEGIN
        SELECT * INTO st FROM pgtrickle.pgt_stream_tables s
            WHERE s.pgt_relid = to_regclass(storage)::oid FOR UPDATE OF s;
        IF FOUND THEN
            -- The same key as Refresher.lock: the id's low 32 bits.
            PERFORM pg_advisory_xact_lock(lock_class, st.pgt_id::bit(32)::int);
            RETURN NEXT st;
        END IF;
    END
    $$;

-- Records a completed refresh: the history row, and the stream table's own bookkeeping (data
-- timestamp, last refresh, error streak, status) in the same call (see RefreshHistory).
CREATE FUNCTION pgtrickle._refresh_completed(p_pgt_id bigint, p_start timestamptz, p_action text,
                                             p_inserted bigint, p_deleted bigint,
                                             p_initiated_by text, p_reason text)
    RETURNS void
    LANGUAGE plpgsql
    AS $$
    BEGIN
        UPDATE pgtrickle.pgt_stream_tables SET
            data_timestamp = p_start, last_refresh_at = clock_timestamp(),
            is_populated = true, consecutive_errors = 0,
            status = CASE WHEN status IN ('INITIALIZING', 'ERROR') THEN 'ACTIVE' ELSE status END,
            last_full_ms = CASE WHEN p_action = 'FULL'
                THEN extract(epoch FROM clock_timestamp() - p_start) * 1000
                ELSE last_full_ms END,
            updated_at = now()
            WHERE pgt_id = p_pgt_id;
        IF FOUND THEN
            INSERT INTO pgtrickle.pgt_refresh_history (pgt_id, data_timestamp, start_time,
                end_time, action, rows_inserted, rows_deleted, status, initiated_by, reason)
                VALUES (p_pgt_id, p_start, p_start, clock_timestamp(), p_action, p_inserted,
                        p_deleted, 'COMPLETED', p_initiated_by, p_reason);
        END IF;
    END
    $$;
