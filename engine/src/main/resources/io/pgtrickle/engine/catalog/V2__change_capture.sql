-- Catalog version 2: change capture and incremental refresh.
--
-- Each source of a DIFFERENTIAL stream table gets a change buffer, pgtrickle_changes.changes_<oid>,
-- filled by statement-level triggers (see ChangeBuffers). A consumer's position in a buffer is a
-- frontier kept on its dependency row: the snapshot of the refresh statement that last consumed it,
-- plus that transaction's own id and the last of its own changes it saw (a transaction's own
-- writes are not "visible" in its snapshot, yet it reads them).

GRANT USAGE, CREATE ON SCHEMA pgtrickle_changes TO PUBLIC;

ALTER TABLE pgtrickle.pgt_dependencies
    ADD COLUMN consumed_snapshot  pg_snapshot,
    ADD COLUMN consumed_xid       xid8,
    ADD COLUMN consumed_change_id bigint NOT NULL DEFAULT 0;

-- Whether a buffer row written by transaction xid as change change_id lies behind a frontier.
CREATE FUNCTION pgtrickle.behind_frontier(xid xid8, change_id bigint, snap pg_snapshot,
                                          own_xid xid8, own_change_id bigint)
    RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT pg_visible_in_snapshot(xid, snap) OR (xid = own_xid AND change_id <= own_change_id)
    $$;

-- The identity of a stream-table row: a hash of its text form. The settings that shape the text
-- of dates, intervals, floats and byte strings are fixed here, so every session computes the same
-- key for the same row, which makes the function immutable in fact and usable in an index.
CREATE FUNCTION pgtrickle.row_key(r anyelement)
    RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET datestyle = 'ISO, MDY'
    SET intervalstyle = 'postgres'
    SET timezone = 'UTC'
    SET extra_float_digits = '1'
    SET bytea_output = 'hex'
    AS $$ SELECT md5($1::text)::uuid $$;
