-- Ordinary queries, DDL and DML; compared line for line with a direct run.
SELECT 1 AS one, 'two' AS two, NULL::int AS nothing, 1.5::numeric AS num,
       DATE '2024-01-02' AS day, 'grüße ✓' AS unicode;
CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(8,2), tags text[], meta jsonb);
INSERT INTO items VALUES
    (1, 'apple', 0.5, '{fruit,red}', '{"origin": "NZ"}'),
    (2, 'bread', 2.25, NULL, NULL),
    (3, 'cheese', 7, '{dairy}', '{"aged": true}');
UPDATE items SET price = price * 2 WHERE id = 1 RETURNING id, name, price;
DELETE FROM items WHERE id = 2 RETURNING *;
INSERT INTO items SELECT g, 'item ' || g, g / 10.0, NULL, jsonb_build_object('n', g)
    FROM generate_series(10, 2009) g;
SELECT count(*), sum(price), min(name), max(name) FROM items;
SELECT id, name, price, tags, meta FROM items WHERE id % 250 = 0 OR id < 10 ORDER BY id;
CREATE VIEW expensive AS SELECT id, name FROM items WHERE price > 100;
SELECT count(*) FROM expensive;
ALTER TABLE items ADD COLUMN stock int NOT NULL DEFAULT 0;
CREATE FUNCTION twice(x int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT 2 * x $$;
SELECT twice(21);
DO $$BEGIN RAISE NOTICE 'hello from %', 'plpgsql'; END$$;
SELECT 42 AS answer \gset
SELECT :answer + 1 AS next;
SELECT format('SELECT %s AS generated', g) FROM generate_series(1, 3) g \gexec
PREPARE by_id(int) AS SELECT name FROM items WHERE id = $1;
EXECUTE by_id(3);
DEALLOCATE by_id;
SELECT id, name, price FROM items ORDER BY id LIMIT 3 \gdesc
SELECT g, md5(g::text) FROM generate_series(1, 3000) g;
\echo rows: :ROW_COUNT
-- FETCH_COUNT makes psql read through a cursor, in a transaction of its own.
\set FETCH_COUNT 700
SELECT id, name FROM items ORDER BY id;
\unset FETCH_COUNT
TRUNCATE items;
DROP VIEW expensive;
SELECT count(*) FROM items;
