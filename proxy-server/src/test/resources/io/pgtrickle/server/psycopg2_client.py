"""psycopg2 against a PostgreSQL server or the pg_trickle proxy, for ProxyPsycopg2IT.

Usage: python3 psycopg2_client.py SECTION PREFIX

Connects with libpq's PG* environment variables. Prints one observation a line,
"key<TAB>value as JSON", so that two runs (through the proxy and directly) can
be compared line by line; values never contain the object names, which differ
between runs by PREFIX.

Sections:
  common  ordinary work, the same through the proxy as directly
  api     pg_trickle API calls, only through the proxy
"""

import datetime
import decimal
import hashlib
import io
import json
import select
import sys

import psycopg2
import psycopg2.extras


def plain(value):
    """A JSON-friendly form that keeps what matters for comparing two runs."""
    if isinstance(value, (bytes, memoryview)):
        return "\\x" + bytes(value).hex()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, datetime.timedelta)):
        return str(value)
    return value


def out(key, value):
    print(key + "\t" + json.dumps(plain(value), ensure_ascii=False, sort_keys=True), flush=True)


def connect():
    return psycopg2.connect("")


def error(e):
    """An error's SQLSTATE, primary message and hint."""
    return {"pgcode": e.pgcode, "message": e.diag.message_primary, "hint": e.diag.message_hint}


def common(prefix):
    conn = connect()
    cur = conn.cursor()

    # Client-side interpolation of many types.
    cur.execute(
        "SELECT %s::int4, %s::int8, %s::numeric, %s::text, %s::bytea, %s::timestamptz,"
        " %s::int4[], %s::json, %s::text AS nothing, %s::bool, %s::float8",
        (
            -7,
            2**62,
            decimal.Decimal("-12345678901234567890.000000001"),
            "ä€𝄞 'quoted' \\ back\nslash",
            psycopg2.Binary(b"\x00\xff\\'"),
            datetime.datetime(2024, 2, 29, 23, 59, 59, 123456, tzinfo=datetime.timezone.utc),
            [1, None, 3],
            psycopg2.extras.Json({"k": [1, "ü", None]}),
            None,
            True,
            -0.25,
        ),
    )
    out("params.description", [(d.name, d.type_code) for d in cur.description])
    out("params.row", cur.fetchone())

    # Types decoded from the server's text.
    cur.execute(
        "SELECT g, CASE WHEN g <> 2 THEN 'grüße, 日本語, 🐘 #' || g END,"
        " CASE WHEN g <> 3 THEN decode('00ff5c27' || lpad(to_hex(g), 2, '0'), 'hex') END,"
        " timestamptz '2024-02-29 23:59:59.123456+01' + g * interval '1 day',"
        " ARRAY[g, NULL], json_build_object('g', g, 'none', NULL), interval '1 day 2 hours' * g,"
        " 12345678901234567890.123456789 * g"
        " FROM generate_series(1, 3) AS g ORDER BY g"
    )
    out("types.rows", cur.fetchall())
    conn.commit()

    # DML: row counts, executemany, RETURNING, command tags.
    table = prefix + "_dml"
    cur.execute("CREATE TABLE " + table + " (id serial PRIMARY KEY, label text, n int)")
    cur.executemany(
        "INSERT INTO " + table + " (label, n) VALUES (%s, %s)", [("a", 1), ("b", 2), ("c", 3)]
    )
    out("dml.executemany_rowcount", cur.rowcount)
    cur.execute("UPDATE " + table + " SET n = n + 10 WHERE n >= %s", (2,))
    out("dml.update", [cur.rowcount, cur.statusmessage])
    cur.execute("INSERT INTO " + table + " (label, n) VALUES ('d', 4) RETURNING id, label, n * 2")
    out("dml.returning", [cur.fetchall(), cur.statusmessage])
    cur.execute("DELETE FROM " + table + " WHERE label = 'a'")
    out("dml.delete", [cur.rowcount, cur.statusmessage])
    conn.commit()

    # Server-side parameters through PREPARE/EXECUTE, psycopg2 itself only interpolating.
    cur.execute("PREPARE add_one(int, text) AS SELECT $1 + 1, $2 || '!'")
    cur.execute("EXECUTE add_one(%s, %s)", (41, "grüße"))
    out("prepare.execute", cur.fetchall())
    cur.execute("DEALLOCATE add_one")
    conn.commit()

    # A transaction rolled back.
    cur.execute("INSERT INTO " + table + " (label, n) VALUES ('rolled back', 99)")
    conn.rollback()
    cur.execute("SELECT count(*) FROM " + table + " WHERE n = 99")
    out("rollback.count", cur.fetchone())
    conn.commit()

    # An error, then the transaction it aborted.
    cur.execute("SELECT 1")
    try:
        cur.execute("SELECT 1 / 0")
        out("error.raised", False)
    except psycopg2.Error as e:
        out("error.division", error(e))
    try:
        cur.execute("SELECT 1")
        out("error.aborted_raised", False)
    except psycopg2.Error as e:
        out("error.aborted", error(e))
    conn.rollback()
    try:
        cur.execute("SELECT lower(1)")
    except psycopg2.Error as e:
        out("error.with_hint", error(e))
    conn.rollback()

    # COPY both ways through copy_expert.
    copy_table = prefix + "_copy"
    cur.execute("CREATE TABLE " + copy_table + " (id int PRIMARY KEY, label text, half numeric)")
    rows = 20000
    text = "".join(
        "%d\t%s\t%s\n" % (i, "\\N" if i % 10 == 0 else "zeile %d ü€ \\\\ tab\\t" % i, i * 0.5)
        for i in range(1, rows + 1)
    )
    cur.copy_expert("COPY " + copy_table + " FROM STDIN", io.StringIO(text))
    out("copy.in_rowcount", cur.rowcount)
    copied = io.StringIO()
    cur.copy_expert("COPY (SELECT * FROM " + copy_table + " ORDER BY id) TO STDOUT", copied)
    out("copy.out_same_as_in", copied.getvalue() == text)
    out("copy.out_md5", hashlib.md5(copied.getvalue().encode("utf-8")).hexdigest())
    conn.commit()

    # A server-side (named) cursor, fetched in batches.
    named = conn.cursor(name=prefix + "_cursor")
    named.itersize = 1000
    named.execute("SELECT i, md5(i::text) FROM generate_series(1, 100000) AS i")
    count = 0
    total = 0
    digest = hashlib.md5()
    for i, m in named:
        count += 1
        total += i
        digest.update(m.encode("ascii"))
    named.close()
    conn.commit()
    out("cursor.summary", [count, total, digest.hexdigest()])

    # LISTEN/NOTIFY between two connections.
    listener = connect()
    listener.autocommit = True
    listener.cursor().execute("LISTEN " + prefix + "_events")
    cur.execute("NOTIFY " + prefix + "_events, 'hello ü'")
    conn.commit()
    payloads = []
    if select.select([listener], [], [], 10) != ([], [], []):
        listener.poll()
        payloads = [n.payload for n in listener.notifies]
    out("notify.payloads", payloads)
    listener.close()
    conn.close()


def api(prefix):
    conn = connect()
    conn.autocommit = True
    cur = conn.cursor()
    src = prefix + "_src"
    diff = prefix + "_diff"
    full = prefix + "_full"
    dollar = prefix + "_dollar"
    cur.execute("CREATE TABLE " + src + " (id int PRIMARY KEY, grp int NOT NULL, v int)")
    cur.execute("INSERT INTO " + src + " SELECT g, mod(g, 4), g FROM generate_series(1, 100) g")

    # Positional parameters, interpolated by psycopg2 into literals.
    cur.execute(
        "SELECT pgtrickle.create_stream_table(%s, %s, refresh_mode => %s)",
        (diff, "SELECT grp, sum(v) AS total, count(*) AS n FROM " + src + " GROUP BY grp",
         "DIFFERENTIAL"),
    )
    out("create.description", [(d.name, d.type_code) for d in cur.description])
    out("create.result", [cur.fetchall(), cur.rowcount, cur.statusmessage])

    # Named arguments with named psycopg2 parameters.
    cur.execute(
        "SELECT pgtrickle.create_stream_table(name => %(name)s, query => %(query)s,"
        " refresh_mode => 'FULL') AS made",
        {"name": full, "query": "SELECT id, v * 2 AS twice FROM " + src + " WHERE v > 50"},
    )
    out("create_named.result", [[d.name for d in cur.description], cur.fetchall()])

    # A dollar-quoted query, no parameters, so psycopg2 sends the text as it is.
    cur.execute(
        "SELECT pgtrickle.create_stream_table('" + dollar + "',"
        " $q$SELECT id, v FROM " + src + " WHERE v % 3 = 0$q$, refresh_mode => 'DIFFERENTIAL')"
    )
    out("create_dollar.result", cur.fetchall())

    cur.execute("INSERT INTO " + src + " SELECT g, mod(g, 4), g FROM generate_series(101, 120) g")
    cur.execute("UPDATE " + src + " SET v = v + 1 WHERE mod(id, 5) = 0")
    cur.execute("DELETE FROM " + src + " WHERE mod(id, 7) = 0")
    for name in (diff, full, dollar):
        cur.execute("SELECT pgtrickle.refresh_stream_table(%s) AS done", (name,))
        out("refresh." + name[len(prefix) + 1:], [cur.description[0].name, cur.fetchall()])
    cur.execute(
        "SELECT s.pgt_name, h.action FROM pgtrickle.pgt_refresh_history h"
        " JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) WHERE h.initiated_by = 'MANUAL'"
        " AND s.pgt_name = ANY(%s) ORDER BY h.refresh_id",
        ([diff, full, dollar],),
    )
    out("refresh.actions", [[n[len(prefix) + 1:], a] for n, a in cur.fetchall()])

    cur.execute("SELECT pgtrickle.alter_stream_table(%s, refresh_mode => %s)", (full, "DIFFERENTIAL"))
    out("alter.result", cur.fetchall())
    cur.execute("SELECT refresh_mode FROM pgtrickle.pgt_stream_tables WHERE pgt_name = %s", (full,))
    out("alter.refresh_mode", cur.fetchone())

    # Transactions: psycopg2's implicit BEGIN, then rollback or commit.
    conn.autocommit = False
    cur.execute("SELECT count(*) FROM pgtrickle.pgt_stream_tables")
    before = cur.fetchone()[0]
    cur.execute(
        "SELECT pgtrickle.create_stream_table(%s, $$SELECT id FROM " + src + "$$)",
        (prefix + "_rolled_back",),
    )
    cur.execute("SELECT count(*) FROM pgtrickle.pgt_stream_tables")
    inside = cur.fetchone()[0]
    conn.rollback()
    cur.execute("SELECT count(*) FROM pgtrickle.pgt_stream_tables")
    after = cur.fetchone()[0]
    cur.execute("SELECT to_regclass(%s)", (prefix + "_rolled_back",))
    out("rollback.catalog", [inside - before, after - before, cur.fetchone()[0]])
    conn.rollback()

    cur.execute(
        "SELECT pgtrickle.create_stream_table(%s, $$SELECT id FROM " + src + "$$,"
        " refresh_mode => 'DIFFERENTIAL')",
        (prefix + "_committed",),
    )
    conn.commit()

    # API errors: SQLSTATE, message and hint, and the transaction they abort.
    try:
        cur.execute("SELECT pgtrickle.refresh_stream_table(%s)", ("no_such_st",))
        out("error.missing_raised", False)
    except psycopg2.Error as e:
        out("error.missing", [e.pgcode, "no_such_st" in e.diag.message_primary])
    try:
        cur.execute("SELECT 1")
        out("error.aborted_raised", False)
    except psycopg2.Error as e:
        out("error.aborted", e.pgcode)
    conn.rollback()
    try:
        cur.execute(
            "SELECT pgtrickle.create_stream_table(%s, $$SELECT 1 AS one$$, bogus => 1)",
            (prefix + "_bogus",),
        )
        out("error.bogus_raised", False)
    except psycopg2.Error as e:
        out("error.bogus", [e.pgcode, "bogus" in e.diag.message_primary,
                            "refresh_mode" in (e.diag.message_hint or "")])
    conn.rollback()
    # PREPARE would hide the call from the proxy until EXECUTE: refused up front.
    try:
        cur.execute("PREPARE refresh_later(text) AS SELECT pgtrickle.refresh_stream_table($1)")
        out("error.prepare_raised", False)
    except psycopg2.Error as e:
        out("error.prepare", error(e))
    conn.rollback()
    cur.execute("SELECT 42")
    out("after_errors", cur.fetchone())
    conn.commit()

    conn.autocommit = True
    cur.execute("SELECT pgtrickle.drop_stream_table(%s)", (dollar,))
    out("drop.result", [cur.description[0].name, cur.fetchall()])
    cur.execute("SELECT to_regclass(%s)", (dollar,))
    out("drop.regclass", cur.fetchone())
    conn.close()


if __name__ == "__main__":
    {"common": common, "api": api}[sys.argv[1]](sys.argv[2])
