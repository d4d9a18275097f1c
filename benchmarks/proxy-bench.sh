#!/bin/bash
# What the proxy costs a client: pgbench run direct to PostgreSQL, through pg_trickle's proxy and
# through PgBouncer (transaction pooling), one after the other for each case, with the throughput,
# the average latency, their ratios to direct, and the CPU time each process spent per transaction.
#
# Usage: benchmarks/proxy-bench.sh [options]
#   --port N            use the PostgreSQL already running on 127.0.0.1:N (user postgres, trust)
#                       instead of starting Debian's PostgreSQL 15 in a temporary directory
#   --time S            seconds per pgbench run (default 15)
#   --clients "1 8 32"  client counts
#   --modes "simple prepared"       pgbench -M query modes
#   --scripts "select tpcb"         select: pgbench -S; tpcb: the default TPC-B-like script
#   --targets "direct proxy pgbouncer"
#   --jar PATH          the proxy (default proxy-server/target/pgtrickle-proxy.jar)
#   --java-opts "..."   extra JVM options for the proxy (a JFR recording, say)
#   --warmup S          seconds of pgbench -S through each target before measuring (default 5)
#   --no-init           do not (re)initialise the pgbench tables (scale 10)
#
# Each case runs its targets back to back, so the machine's drift hits all three alike. The CPU
# columns are the user+system time each process (with its children and threads) used during the
# run, from /proc/<pid>/stat, divided by the transactions done: on a small machine pgbench,
# PostgreSQL and the proxy or PgBouncer share the same cores, and these say who took them.
#
# Everything it starts (PostgreSQL, the proxy, PgBouncer) is stopped when it exits.
set -euo pipefail

PG_BIN=/usr/lib/postgresql/15/bin
PGBOUNCER=/usr/sbin/pgbouncer
HERE=$(cd "$(dirname "$0")/.." && pwd)
JAR=$HERE/proxy-server/target/pgtrickle-proxy.jar
PORT=
DURATION=15
CLIENTS="1 8 32"
MODES="simple prepared"
SCRIPTS="select tpcb"
TARGETS="direct proxy pgbouncer"
JAVA_OPTS=
WARMUP=5
INIT=1
SCALE=10

while [ $# -gt 0 ]; do
  case $1 in
    --port) PORT=$2; shift 2 ;;
    --time) DURATION=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --modes) MODES=$2; shift 2 ;;
    --scripts) SCRIPTS=$2; shift 2 ;;
    --targets) TARGETS=$2; shift 2 ;;
    --jar) JAR=$2; shift 2 ;;
    --java-opts) JAVA_OPTS=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --no-init) INIT=0; shift ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

export PGUSER=postgres PGHOST=127.0.0.1 PGDATABASE=postgres
PATH=$PG_BIN:$PATH
TICKS=$(getconf CLK_TCK)
WORK=$(mktemp -d /tmp/proxy-bench.XXXXXX)
chmod 755 "$WORK"
PG_DATA=
PROXY_PID=
BOUNCER_PID=

cleanup() {
  set +e
  [ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null && wait "$PROXY_PID" 2>/dev/null
  [ -n "$BOUNCER_PID" ] && kill "$BOUNCER_PID" 2>/dev/null && wait "$BOUNCER_PID" 2>/dev/null
  if [ -n "$PG_DATA" ]; then
    runuser -u nobody -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_ready() { # port, what, pid of the process that should be listening
  for _ in $(seq 1 300); do
    if psql -p "$1" -Atqc 'select 1' >/dev/null 2>&1; then return 0; fi
    if [ -n "${3:-}" ] && ! kill -0 "$3" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "$2 did not accept connections on port $1" >&2
  return 1
}

# ---- PostgreSQL ----
if [ -z "$PORT" ]; then
  PORT=$(free_port)
  PG_DATA=$WORK/pg
  mkdir "$PG_DATA"
  chown nobody "$PG_DATA"
  runuser -u nobody -- "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 \
    --locale=C.UTF-8 >"$WORK/initdb.log" 2>&1
  # synchronous_commit=off: with a WAL flush per commit the TPC-B-like script measures the disk,
  # and a proxy's cost would vanish in it.
  runuser -u nobody -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w start -o \
    "-p $PORT -k $PG_DATA -c listen_addresses=127.0.0.1 -c max_connections=150 \
     -c shared_buffers=256MB -c synchronous_commit=off" >/dev/null
  SERVER="Debian PostgreSQL 15 started by this script (shared_buffers=256MB, max_connections=150,"
  SERVER+=" synchronous_commit=off, fsync on)"
else
  SERVER="the PostgreSQL already running on 127.0.0.1:$PORT"
fi
wait_ready "$PORT" PostgreSQL
PG_PID=$(psql -p "$PORT" -Atqc "select pid from pg_stat_activity where backend_type = 'checkpointer'")
PG_PID=$(sed 's/^.*) //' "/proc/$PG_PID/stat" | cut -d' ' -f2) # the postmaster: its parent

if [ "$INIT" = 1 ]; then
  pgbench -i -q -s "$SCALE" -p "$PORT" >"$WORK/init.log" 2>&1 || { cat "$WORK/init.log"; exit 1; }
  psql -p "$PORT" -qc 'vacuum analyze' >/dev/null
fi

# ---- the proxy and PgBouncer ----
PROXY_PORT=
BOUNCER_PORT=
case " $TARGETS " in *" proxy "*)
  [ -f "$JAR" ] || { echo "no proxy at $JAR: mvn -B -q package -pl proxy-server -am -DskipTests" >&2; exit 1; }
  PROXY_PORT=$(free_port)
  # shellcheck disable=SC2086
  java $JAVA_OPTS -jar "$JAR" --listen "127.0.0.1:$PROXY_PORT" \
    --upstream "postgresql://postgres@127.0.0.1:$PORT/postgres" --no-scheduler \
    >"$WORK/proxy.log" 2>&1 &
  PROXY_PID=$!
  wait_ready "$PROXY_PORT" "the proxy" "$PROXY_PID" || { cat "$WORK/proxy.log"; exit 1; }
esac
case " $TARGETS " in *" pgbouncer "*)
  BOUNCER_PORT=$(free_port)
  mkdir "$WORK/bouncer"
  echo '"postgres" ""' >"$WORK/bouncer/userlist.txt"
  cat >"$WORK/bouncer/pgbouncer.ini" <<EOF
[databases]
postgres = host=127.0.0.1 port=$PORT
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $WORK/bouncer/userlist.txt
pool_mode = transaction
; one server connection per client at 32 clients, so no client waits for a connection
default_pool_size = 32
max_client_conn = 200
log_connections = 0
log_disconnections = 0
user = nobody
EOF
  chmod -R a+rX "$WORK/bouncer"
  "$PGBOUNCER" "$WORK/bouncer/pgbouncer.ini" >"$WORK/bouncer/pgbouncer.log" 2>&1 &
  BOUNCER_PID=$!
  wait_ready "$BOUNCER_PORT" PgBouncer "$BOUNCER_PID" || { cat "$WORK/bouncer/pgbouncer.log"; exit 1; }
esac

port_of() {
  case $1 in direct) echo "$PORT" ;; proxy) echo "$PROXY_PORT" ;; pgbouncer) echo "$BOUNCER_PORT" ;; esac
}

# ---- CPU accounting ----
# utime+stime of one process (all its threads), in ticks.
cpu_of() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# PostgreSQL: the postmaster, its living children, and the children it has reaped (cutime+cstime),
# so backends that come and go within a run are counted.
cpu_pg() {
  # Parsed after the ")" that ends the command name, which may hold spaces: then field 2 is the
  # parent, 12 and 13 the process's own user and system time, 14 and 15 its reaped children's.
  cat /proc/[0-9]*/stat 2>/dev/null | awk -v pm="$PG_PID" '{
      pid = $1; line = $0; sub(/^.*\) /, "", line); split(line, f, " ");
      if (pid == pm) t += f[12] + f[13] + f[14] + f[15]; else if (f[2] == pm) t += f[12] + f[13]
    } END { print t + 0 }'
}

# ---- facts ----
echo "== proxy-bench $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/^Mem:/{print $2}') GiB, $(uname -sr)"
echo "server: $SERVER"
echo "versions: $(postgres --version | head -1); $(pgbench --version); $($PGBOUNCER --version | head -1);" \
  "$(java -version 2>&1 | head -1); proxy $(cd "$HERE" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$HERE" && git diff --quiet 2>/dev/null || echo '+changes')"
echo "proxy: $JAR ${JAVA_OPTS:+(java $JAVA_OPTS)}"
echo "pgbouncer: pool_mode=transaction, default_pool_size=32"
echo "pgbench: scale $SCALE, $DURATION s per run, -j min(clients, 2); proxy warm-up $WARMUP s per script and mode"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

run_pgbench() { # port, script, mode, clients, seconds, output file
  local script_opt=
  [ "$2" = select ] && script_opt=-S
  local jobs=$(($4 < 2 ? $4 : 2))
  # The inner shell's children are pgbench alone: its `times` is pgbench's CPU.
  bash -c 'pgbench "$@" 2>&1; s=$?; times; exit $s' _ \
    -n $script_opt -M "$3" -c "$4" -j "$jobs" -T "$5" -p "$1" >"$6" 2>&1 || true
}

# The proxy's JVM compiles its hot paths in the first seconds: each script and mode it will run
# goes through it once first. (PostgreSQL and PgBouncer need no warming beyond the shared buffers
# pgbench -i left filled.)
if [ "$WARMUP" -gt 0 ] && [ -n "$PROXY_PORT" ]; then
  for script in $SCRIPTS; do
    for mode in $MODES; do
      run_pgbench "$PROXY_PORT" "$script" "$mode" 8 "$WARMUP" "$WORK/warmup.log"
    done
  done
fi

secs() { # "1m2.345s" to seconds
  echo "$1" | awk -F'[ms]' '{printf "%.3f", $1 * 60 + $2}'
}

ROWS=()
for script in $SCRIPTS; do
  for mode in $MODES; do
    for c in $CLIENTS; do
      for t in $TARGETS; do
        out=$WORK/run-$script-$mode-$c-$t.log
        load=$(cut -d' ' -f1 /proc/loadavg)
        pg0=$(cpu_pg)
        px0=0; [ "$t" = proxy ] && px0=$(cpu_of "$PROXY_PID")
        pb0=0; [ "$t" = pgbouncer ] && pb0=$(cpu_of "$BOUNCER_PID")
        run_pgbench "$(port_of "$t")" "$script" "$mode" "$c" "$DURATION" "$out"
        sleep 0.3 # let the postmaster reap the backends
        pg1=$(cpu_pg)
        px1=0; [ "$t" = proxy ] && px1=$(cpu_of "$PROXY_PID")
        pb1=0; [ "$t" = pgbouncer ] && pb1=$(cpu_of "$BOUNCER_PID")
        tps=$(sed -n 's/^tps = \([0-9.]*\) (without.*/\1/p' "$out")
        lat=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$out")
        txs=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$out")
        failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$out")
        # `times` prints the shell's own line, then its children's: user and system.
        bench_cpu=$(tail -1 "$out" | { read -r u s; awk -v u="$(secs "$u")" -v s="$(secs "$s")" 'BEGIN{print u + s}'; })
        note=
        aborted=$(grep -c 'aborted in command' "$out" || true)
        if [ "$aborted" -gt 0 ]; then
          note="$aborted of $c clients aborted: $(grep -m1 -o 'ERROR: .*\|FATAL: .*' "$out" | sed 's/  */ /g')"
        elif grep -q 'ERROR\|FATAL' "$out"; then
          note=$(grep -m1 -o 'ERROR: .*\|FATAL: .*' "$out")
        fi
        [ -z "$tps" ] && tps=0
        [ -z "$lat" ] && lat=0
        [ -z "$txs" ] && txs=0
        ROWS+=("$script|$mode|$c|$t|$tps|$lat|$txs|${failed:-0}|$bench_cpu|$(((pg1 - pg0)))|$(((px1 - px0) + (pb1 - pb0)))|$load|$note")
        printf '  %-6s %-8s %2s clients %-9s tps %9.1f  latency %7.3f ms  load %s %s\n' \
          "$script" "$mode" "$c" "$t" "$tps" "$lat" "$load" "$note"
      done
    done
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "CPU µs/tx: user+system CPU time per transaction of pgbench, of PostgreSQL (all backends)"
echo "and of the middle process (the proxy's JVM or PgBouncer); 'sum' adds them. Ratios are to"
echo "direct in the same case."
echo
printf '| %-6s | %-8s | %3s | %-9s | %9s | %7s | %6s | %6s | %7s | %7s | %7s | %7s | %s\n' \
  script mode c target tps 'lat ms' 'tps/d' 'lat/d' pgbench postgres middle sum note
echo '|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|'
for row in "${ROWS[@]}"; do
  IFS='|' read -r script mode c t tps lat txs failed bcpu pgt midt load note <<<"$row"
  dtps=; dlat=
  for r in "${ROWS[@]}"; do
    IFS='|' read -r s2 m2 c2 t2 tps2 lat2 _ <<<"$r"
    if [ "$s2|$m2|$c2|$t2" = "$script|$mode|$c|direct" ]; then dtps=$tps2; dlat=$lat2; fi
  done
  awk -v s="$script" -v m="$mode" -v c="$c" -v t="$t" -v tps="$tps" -v lat="$lat" -v txs="$txs" \
    -v dtps="$dtps" -v dlat="$dlat" -v b="$bcpu" -v pg="$pgt" -v mid="$midt" -v hz="$TICKS" \
    -v note="$note" 'BEGIN {
      valid = note !~ /aborted/;  # a run whose clients gave up measures nothing comparable
      rt = (valid && dtps > 0 && tps > 0) ? sprintf("%.2f", tps / dtps) : "-";
      rl = (valid && dlat > 0 && lat > 0) ? sprintf("%.2f", lat / dlat) : "-";
      if (txs > 0) {
        pb = b * 1e6 / txs; pp = pg / hz * 1e6 / txs; pm = mid / hz * 1e6 / txs;
        cb = sprintf("%.0f", pb); cp = sprintf("%.0f", pp);
        cm = t == "direct" ? "-" : sprintf("%.0f", pm); cs = sprintf("%.0f", pb + pp + pm);
      } else { cb = cp = cm = cs = "-" }
      printf "| %-6s | %-8s | %3s | %-9s | %9.1f | %7.3f | %6s | %6s | %7s | %7s | %7s | %7s | %s\n",
        s, m, c, t, tps, lat, rt, rl, cb, cp, cm, cs, note
    }'
done
