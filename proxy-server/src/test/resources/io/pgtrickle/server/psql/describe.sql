-- Meta-commands: psql sends its own catalog queries, compared with a direct run.
CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL DEFAULT 'unnamed', parent int REFERENCES items);
COMMENT ON TABLE items IS 'things for psql';
COMMENT ON COLUMN items.name IS 'what it is called';
CREATE INDEX items_name_idx ON items (name);
CREATE VIEW item_names AS SELECT name FROM items;
CREATE SEQUENCE ticket_seq;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE FUNCTION twice(x int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT 2 * x $$;
\d
\d items
\d+ items
\dt
\dt+ items
\dv
\di
\ds
\df
\dT
\dn psql_cmp
\dp items
\sf twice
\sv item_names
\dx plpgsql
