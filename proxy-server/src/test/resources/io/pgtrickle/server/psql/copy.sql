-- \copy to and from files, and COPY with data inline in the script.
CREATE TABLE items (id int PRIMARY KEY, name text);
\copy items FROM 'in.tsv'
COPY items FROM STDIN;
100001	inline one
100002	\N
\.
-- CSV from a file: inline, a psql before 18 would send the end marker to a server 18 as data.
\copy items FROM 'in.csv' WITH (FORMAT csv, HEADER)
COPY items FROM STDIN;
100005	fine
not-a-number	broken
\.
SELECT count(*), count(name), sum(id) FROM items;
COPY (SELECT * FROM items WHERE id > 100000 ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER);
\copy (SELECT * FROM items ORDER BY id) TO 'out.tsv'
\copy items TO 'out.bin' WITH (FORMAT binary)
TRUNCATE items;
\copy items FROM 'out.bin' WITH (FORMAT binary)
SELECT count(*), count(name), sum(id) FROM items;
