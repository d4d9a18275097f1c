-- Failing statements: the server's error fields reach psql unchanged.
SELECT 1/0;
\echo :LAST_ERROR_SQLSTATE :LAST_ERROR_MESSAGE
SELECT * FROM missing_table;
CREATE TABLE items (id int PRIMARY KEY, qty int CHECK (qty >= 0));
INSERT INTO items VALUES (1, 1);
INSERT INTO items VALUES (1, 2);
INSERT INTO items VALUES (2, -1);
SELECT broken syntax here;
SELECT 'unterminated
    literal' || ;
DO $$BEGIN
  RAISE EXCEPTION 'custom failure %', 7 USING DETAIL = 'some detail', HINT = 'some hint';
END$$;
\echo :LAST_ERROR_SQLSTATE :LAST_ERROR_MESSAGE
SELECT 'still running' AS after_errors;
