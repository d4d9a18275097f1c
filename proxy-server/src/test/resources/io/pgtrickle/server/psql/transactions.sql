-- Transaction blocks, savepoints and psql's own transaction handling.
CREATE TABLE items (id int PRIMARY KEY, name text);
BEGIN;
INSERT INTO items VALUES (1, 'rolled back');
SELECT count(*) FROM items;
ROLLBACK;
SELECT count(*) FROM items;
BEGIN;
INSERT INTO items VALUES (2, 'lost with the error');
SELECT broken syntax here;
SELECT 'ignored while aborted';
COMMIT;
SELECT count(*) FROM items;
BEGIN;
SAVEPOINT s1;
INSERT INTO items VALUES (3, 'kept');
SAVEPOINT s2;
INSERT INTO items VALUES (3, 'duplicate');
ROLLBACK TO SAVEPOINT s2;
RELEASE SAVEPOINT s1;
COMMIT;
\set ON_ERROR_ROLLBACK on
BEGIN;
INSERT INTO items VALUES (4, 'kept despite the error after it');
INSERT INTO items VALUES (4, 'duplicate');
COMMIT;
\set ON_ERROR_ROLLBACK off
\set AUTOCOMMIT off
INSERT INTO items VALUES (5, 'implicitly in a transaction, rolled back');
ROLLBACK;
INSERT INTO items VALUES (6, 'implicitly in a transaction, committed');
COMMIT;
\set AUTOCOMMIT on
SELECT id, name FROM items ORDER BY id;
