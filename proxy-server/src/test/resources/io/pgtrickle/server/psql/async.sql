-- Notifications, and large objects, which psql moves with fast-path function calls.
LISTEN ch;
NOTIFY ch, 'payload';
SELECT pg_notify('ch', 'second');
UNLISTEN ch;
\set QUIET on
\lo_import blob.bin
\set QUIET off
SELECT length(lo_get(:LASTOID)) AS len, md5(lo_get(:LASTOID)) AS md5;
\lo_export :LASTOID blob.out
\set QUIET on
\lo_unlink :LASTOID
\set QUIET off
