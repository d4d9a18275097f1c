-- A frontier's own transaction is judged by change id alone.
--
-- A snapshot taken by a transaction does not list that transaction among the running ones, so
-- pg_visible_in_snapshot() called on its own xid with its own snapshot says "visible". A refresh
-- that ran inside the writing transaction (a manual refresh after writes, or IMMEDIATE maintenance)
-- records such a snapshot; with V2's definition every later change of that transaction then counted
-- as consumed, both for the rest of the transaction and after it committed: the changes were lost.
-- Rows of the frontier's own transaction are behind it exactly up to the change id it consumed.
CREATE OR REPLACE FUNCTION pgtrickle.behind_frontier(xid xid8, change_id bigint, snap pg_snapshot,
                                                     own_xid xid8, own_change_id bigint)
    RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT CASE WHEN xid = own_xid THEN change_id <= own_change_id
                    ELSE pg_visible_in_snapshot(xid, snap) END
    $$;
