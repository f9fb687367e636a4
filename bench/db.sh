#!/usr/bin/env bash
# The database benchmark: cwrite's Databases API over HTTP against the same operations done
# straight on SQLite by bench/sqlite_ceiling.c (the ceiling), same machine, same run.
#
#   bash bench/db.sh build/release/cwrite build/release/bench/sqlite_ceiling
#   (what `make bench` runs after the foundation benchmark; BENCH_ONLY=db runs only this)
#
# It starts cwrite on a fresh data folder, creates a database and a collection (title string,
# category string, score integer, seen datetime; a key index on category ASC, score DESC), loads
# 100,000 documents through the bulk route (100 a request, the route's limit) and has the ceiling
# load the same shape into its own SQLite file, timing both. Then, per operation, wrk against
# cwrite and the ceiling alternate for a few rounds and the medians are reported:
#
#   get           GET a document by ID (random among the loaded ones)
#   list          25 documents WHERE category = c ORDER BY score DESC, total counted (Appwrite
#                 counts up to 5000; each category holds about 10,000)
#   list-nototal  the same with total=false
#   update        PATCH score and seen of a random loaded document
#   create        POST one document (durable when answered)
#   mixed         80% get, 15% create, 5% update
#
# Reported: req/s (ops/s), p50/p99 latency, CPU time per request (cwrite: the server's user +
# system time from /proc; the ceiling: its whole process), cwrite's RSS, and cwrite's ratio to
# the ceiling (whose writes use group commit, as cwrite's do). Then the durability section, one
# run each: creates on cwrite with 256 connections, first with its 2 workers, then restarted with
# 16 so that group commit has writes to pool; the ceiling with one commit per write, with group
# commit over 16 threads, and with synchronous=NORMAL (what durability costs). Loopback only;
# every process and file it made is gone when it exits. About four minutes with the defaults.
#
# Tunables (environment): BENCH_DB_DURATION (5 s per measured run), BENCH_DB_WARMUP (1 s),
# BENCH_DB_ROUNDS (3), BENCH_DB_DOCS (100000), BENCH_DB_RESULTS (the results file; "-" for
# stdout only).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

if [ $# -ne 2 ]; then
    echo "usage: bash bench/db.sh path/to/cwrite path/to/sqlite_ceiling" >&2
    exit 2
fi
BIN=$1
CEILING=$2
[ -x "$BIN" ] || bench_die "$BIN is not an executable; build it first (make)"
[ -x "$CEILING" ] || bench_die "$CEILING is not an executable; build it first (make bench builds it)"

DURATION=${BENCH_DB_DURATION:-5}
WARMUP=${BENCH_DB_WARMUP:-1}
ROUNDS=${BENCH_DB_ROUNDS:-3}
DOCS=${BENCH_DB_DOCS:-100000}
CATEGORIES=10
BATCH=100 # documents per bulk request: the route's limit
CONNS=64
THREADS=2       # wrk threads, cwrite loops and workers, ceiling threads alike
HIGH_WORKERS=16 # the durability section: writers the group commit can pool
HIGH_CONNS=256
CEILING_WARMUP=0.3
PROJECT=default
OPS=(get list list-nototal update create mixed) # reads first: creates grow the table

PATH=$PATH:/usr/sbin:/sbin
missing=()
for tool in wrk curl pgrep awk; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
    bench_die "missing ${missing[*]}: run scripts/deps.sh (Debian packages wrk, curl, procps)"
fi
[ $((DOCS % BATCH)) -eq 0 ] || bench_die "BENCH_DB_DOCS must be a multiple of $BATCH"

LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
CLK_TCK=$(getconf CLK_TCK)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cwrite-bench-db.XXXXXX")
cw_pid=
wrk_pid=
ceil_pid=
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    for p in "$wrk_pid" "$ceil_pid"; do
        if [ -n "$p" ]; then
            kill -TERM "$p" 2>/dev/null || true
            wait "$p" 2>/dev/null || true
        fi
    done
    bench_stop_pid "$cw_pid"
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -m 0700 "$tmp/private" "$tmp/load" "$tmp/wrk"
# Copies, so that a rebuild in the checkout while we run changes nothing.
cp "$BIN" "$tmp/private/cwrite"
cp "$CEILING" "$tmp/sqlite_ceiling"
BIN=$tmp/private/cwrite
CEILING=$tmp/sqlite_ceiling
CW_VERSION=$("$BIN" version 2>/dev/null | head -1 || true)
SQLITE_VERSION=$("$CEILING" version 2>/dev/null || true)

# ---- cwrite -----------------------------------------------------------------------------------
KEY=
cw_url=
# Starts cwrite on the data folder with the given number of workers; on the first start it
# prints the project and a key, which later starts reuse.
start_cwrite() { # workers
    local port
    for _ in 1 2 3 4 5; do
        port=$(bench_free_port) || bench_die "no free loopback port"
        CWRITE_ACCESS_LOG=0 "$BIN" serve --listen "127.0.0.1:$port" --data "$tmp/private/data" \
            --threads "$THREADS" --workers "$1" \
            >"$tmp/private/cwrite.out" 2>"$tmp/private/cwrite.err" &
        cw_pid=$!
        if bench_wait_for_line "$tmp/private/cwrite.err" 'msg="listening"' "$cw_pid" 15; then
            break
        fi
        [ -n "$KEY" ] || KEY=$(awk '/API key:/ { print $3 }' "$tmp/private/cwrite.out")
        bench_stop_pid "$cw_pid"
        cw_pid=
        if ! grep -q 'cannot listen' "$tmp/private/cwrite.err"; then
            tail -5 "$tmp/private/cwrite.err" >&2
            bench_die "cwrite did not start"
        fi
    done
    [ -n "$cw_pid" ] || bench_die "cwrite found no free port in 5 tries"
    [ -n "$KEY" ] || KEY=$(awk '/API key:/ { print $3 }' "$tmp/private/cwrite.out")
    [ -n "$KEY" ] || bench_die "cwrite printed no API key on first start"
    cw_url="http://127.0.0.1:$port"
    # The key stays out of command lines shown by ps where we can: curl reads it from a file.
    printf 'header = "X-Appwrite-Project: %s"\nheader = "X-Appwrite-Key: %s"\n' "$PROJECT" "$KEY" \
        >"$tmp/private/curl-auth"
}

# Stops cwrite like bench_stop_pid, but notes how it ended: a crash on the way out is a bug to
# report, not a reason to lose the run.
STOP_NOTES=
stop_cwrite() { # what
    local st=0
    [ -n "$cw_pid" ] || return 0
    kill -TERM "$cw_pid" 2>/dev/null || true
    for _ in $(seq 1 300); do
        kill -0 "$cw_pid" 2>/dev/null || break
        sleep 0.05
    done
    kill -KILL "$cw_pid" 2>/dev/null || true
    wait "$cw_pid" 2>/dev/null || st=$?
    cw_pid=
    if [ "$st" -ne 0 ]; then
        bench_say "note: cwrite ($1) exited with status $st when stopped"
        STOP_NOTES+="cwrite ($1) exited with status $st$([ "$st" -gt 128 ] && echo " (signal $((st - 128)))") when stopped with SIGTERM after its runs."
    fi
}

api() { # method path [json] -> prints "status body" (body on one line)
    local out=$tmp/private/api.out code
    if [ $# -ge 3 ]; then
        code=$(curl -s -o "$out" -w '%{http_code}' -K "$tmp/private/curl-auth" -X "$1" \
            -H 'Content-Type: application/json' --data-binary "$3" "$cw_url$2")
    else
        code=$(curl -s -o "$out" -w '%{http_code}' -K "$tmp/private/curl-auth" -X "$1" "$cw_url$2")
    fi
    echo "$code $(tr -d '\n' <"$out")"
}

expect() { # status method path [json]
    local want=$1 res
    shift
    res=$(api "$@")
    [ "${res%% *}" = "$want" ] || bench_die "$1 $2 answered ${res:0:300}, not $want"
}

bench_say "starting cwrite…"
start_cwrite "$THREADS"

bench_say "creating the database and the collection…"
COLLECTION=/v1/databases/bench/collections/docs
expect 201 POST /v1/databases '{"databaseId":"bench","name":"bench"}'
expect 201 POST /v1/databases/bench/collections '{"collectionId":"docs","name":"docs",
    "attributes":[{"key":"title","type":"string","size":64,"required":true},
                  {"key":"category","type":"string","size":16,"required":true},
                  {"key":"score","type":"integer","required":true},
                  {"key":"seen","type":"datetime","required":false}],
    "indexes":[{"key":"by_category_score","type":"key","attributes":["category","score"],
                "orders":["ASC","DESC"]}]}'
res=$(api GET "$COLLECTION")
case $res in
*'"status":"processing"'* | *'"status":"failed"'*) bench_die "attributes or index not available: ${res:0:300}" ;;
esac

# ---- loading ----------------------------------------------------------------------------------
# One file per bulk request: documents d000001 … with a title, one of the categories, a score and
# a date, all random but reproducible.
bench_say "writing $DOCS documents as $((DOCS / BATCH)) request bodies…"
awk -v n="$DOCS" -v b="$BATCH" -v cats="$CATEGORIES" -v dir="$tmp/load" 'BEGIN {
    srand(42)
    for (r = 0; r < n / b; r++) {
        f = sprintf("%s/%05d.json", dir, r)
        s = "{\"documents\":["
        for (i = 0; i < b; i++) {
            d = r * b + i + 1
            s = s sprintf("%s{\"$id\":\"d%06d\",\"title\":\"Document number %d\",\"category\":\"c%d\"," \
                "\"score\":%d,\"seen\":\"2026-%02d-%02dT%02d:%02d:%02d.000+00:00\"}", i ? "," : "",
                d, d, int(rand() * cats), int(rand() * 1000000), 1 + int(rand() * 12),
                1 + int(rand() * 28), int(rand() * 24), int(rand() * 60), int(rand() * 60))
        }
        print s "]}" > f
        close(f)
    }
}'
{
    first=1
    for f in "$tmp"/load/*.json; do
        [ $first -eq 1 ] || echo next
        first=0
        echo "url = \"$cw_url$COLLECTION/documents\""
        cat "$tmp/private/curl-auth"
        echo 'header = "Content-Type: application/json"'
        echo "data-binary = \"@$f\""
        echo 'output = "/dev/null"'
        printf '%s\n' 'write-out = "%{http_code}\n"'
    done
} >"$tmp/private/load.curl"

bench_say "loading $DOCS documents into cwrite ($BATCH a request, 4 requests in flight)…"
cpu0=$(bench_cpu_ticks "$cw_pid")
t0=$(date +%s.%N)
curl -s -Z --parallel-max 4 -K "$tmp/private/load.curl" >"$tmp/load/status" 2>"$tmp/load/curl.err" ||
    bench_die "curl failed while loading: $(tail -c 300 "$tmp/load/curl.err")"
t1=$(date +%s.%N)
CW_LOAD_TICKS=$(($(bench_cpu_ticks "$cw_pid") - cpu0))
CW_LOAD_SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
bad=$(grep -vc '^201$' "$tmp/load/status" || true)
[ "$bad" -eq 0 ] || bench_die "$bad bulk requests were not answered 201: $(sort "$tmp/load/status" | uniq -c | tr '\n' ' ')"
expect 200 GET "$COLLECTION/documents/$(printf 'd%06d' "$DOCS")"
rm -f "$tmp"/load/*.json
bench_say "  cwrite: $DOCS documents in $CW_LOAD_SECS s"

bench_say "loading $DOCS documents into the ceiling's SQLite file…"
line=$("$CEILING" load "$tmp/ceiling.db" "$DOCS" "$CATEGORIES") || bench_die "the ceiling failed to load"
CEIL_LOAD_SECS=$(echo "$line" | sed -n 's/.* secs=\([0-9.]*\).*/\1/p')
bench_say "  ceiling: $DOCS documents in $CEIL_LOAD_SECS s"

sleep 0.5
CW_IDLE_KB=$(bench_status_kb "$cw_pid" VmRSS)

# ---- runs -------------------------------------------------------------------------------------
# Runs wrk against cwrite in the background, sampling cwrite's RSS every 100 ms; sets PEAK_KB
# and CPU_TICKS (cwrite's CPU time meanwhile).
run_wrk() { # out-file conns seconds op
    local out=$1 rss cpu0
    PEAK_KB=0
    cpu0=$(bench_cpu_ticks "$cw_pid")
    timeout $(($3 + 30)) wrk -t"$THREADS" -c"$2" -d"${3}s" --latency \
        -H "X-Appwrite-Project: $PROJECT" -H "X-Appwrite-Key: $KEY" -s "$here/db.lua" \
        "$cw_url" -- "$4" "$DOCS" "$CATEGORIES" >"$out" 2>&1 &
    wrk_pid=$!
    while kill -0 "$wrk_pid" 2>/dev/null; do
        rss=$(bench_status_kb "$cw_pid" VmRSS)
        [ "$rss" -gt "$PEAK_KB" ] && PEAK_KB=$rss
        sleep 0.1
    done
    wait "$wrk_pid" || {
        wrk_pid=
        cat "$out" >&2
        bench_die "wrk failed"
    }
    wrk_pid=
    CPU_TICKS=$(($(bench_cpu_ticks "$cw_pid") - cpu0))
    kill -0 "$cw_pid" 2>/dev/null || bench_die "cwrite died under load"
}

# Runs the ceiling; prints its key=value line.
run_ceiling() { # op threads seconds mode sync
    local out=$tmp/ceiling.out
    "$CEILING" run "$tmp/ceiling.db" "$DOCS" "$CATEGORIES" "$1" "$2" "$CEILING_WARMUP" "$3" "$4" "$5" \
        >"$out" 2>&1 &
    ceil_pid=$!
    wait "$ceil_pid" || {
        ceil_pid=
        cat "$out" >&2
        bench_die "the ceiling failed ($1)"
    }
    ceil_pid=
    cat "$out"
}

field() { # line key
    echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

cpu_us_per_req() { # ticks requests
    awk -v t="$1" -v n="$2" -v hz="$CLK_TCK" 'BEGIN { printf "%.1f", (n > 0 ? t * 1e6 / hz / n : 0) }'
}

# The ceiling's writes use group commit, as cwrite does.
ceiling_mode() { # op
    case $1 in create | update | mixed) echo group ;; *) echo plain ;; esac
}

declare -A RPS P50 P99 CPU NON2XX ERRS WPC
CW_PEAK_KB=0
CEIL_RSS_KB=0

record_cwrite() { # key file
    local rps p50 p99 reqs non2xx errs cpu
    read -r rps p50 p99 reqs non2xx errs < <(bench_wrk_parse "$2")
    cpu=$(cpu_us_per_req "$CPU_TICKS" "$reqs")
    bench_say "  cwrite: $rps req/s, p50 $p50 ms, p99 $p99 ms, $cpu µs CPU/request, $reqs requests, $non2xx non-2xx, $errs socket errors"
    RPS[$1.cwrite]+="$rps "
    P50[$1.cwrite]+="$p50 "
    P99[$1.cwrite]+="$p99 "
    CPU[$1.cwrite]+="$cpu "
    NON2XX[$1]=$((${NON2XX[$1]:-0} + non2xx))
    ERRS[$1]=$((${ERRS[$1]:-0} + errs))
    [ "$PEAK_KB" -gt "$CW_PEAK_KB" ] && CW_PEAK_KB=$PEAK_KB
    return 0
}

record_ceiling() { # key line
    local rss wpc
    RPS[$1.ceiling]+="$(field "$2" ops_s) "
    P50[$1.ceiling]+="$(field "$2" p50_ms) "
    P99[$1.ceiling]+="$(field "$2" p99_ms) "
    CPU[$1.ceiling]+="$(field "$2" cpu_us_op) "
    WPC[$1]+="$(field "$2" writes_per_commit) "
    rss=$(field "$2" max_rss_kb)
    [ "${rss:-0}" -gt "$CEIL_RSS_KB" ] && CEIL_RSS_KB=$rss
    wpc=$(field "$2" writes_per_commit)
    bench_say "  ceiling: $(field "$2" ops_s) ops/s, p50 $(field "$2" p50_ms) ms, p99 $(field "$2" p99_ms) ms, $(field "$2" cpu_us_op) µs CPU/op${wpc:+, $wpc writes per commit}"
    return 0
}

for op in "${OPS[@]}"; do
    bench_say "warm-up $op cwrite (${WARMUP} s)…"
    run_wrk "$tmp/wrk/warmup" "$CONNS" "$WARMUP" "$op"
    for round in $(seq 1 "$ROUNDS"); do
        order="cwrite ceiling"
        [ $((round % 2)) -eq 0 ] && order="ceiling cwrite"
        for peer in $order; do
            if [ "$peer" = cwrite ]; then
                bench_say "wrk $op cwrite (${DURATION} s, $CONNS connections, round $round/$ROUNDS)…"
                f="$tmp/wrk/$op.$round"
                run_wrk "$f" "$CONNS" "$DURATION" "$op"
                record_cwrite "$op" "$f"
            else
                bench_say "ceiling $op ($THREADS threads, ${DURATION} s, $(ceiling_mode "$op"), round $round/$ROUNDS)…"
                line=$(run_ceiling "$op" "$THREADS" "$DURATION" "$(ceiling_mode "$op")" full)
                record_ceiling "$op" "$line"
            fi
        done
    done
done

# ---- durability -------------------------------------------------------------------------------
# Group commit pools the writes that wait at the same time; cwrite's writes wait on its workers,
# so with 2 workers at most 2 share a commit whatever the connections. More connections first,
# then more workers.
declare -A DUR_RPS DUR_P50 DUR_P99 DUR_CPU DUR_NOTE
dur_cwrite() { # key conns
    local f=$tmp/wrk/durability.$1 rps p50 p99 reqs non2xx errs
    run_wrk "$f" "$2" "$DURATION" create
    read -r rps p50 p99 reqs non2xx errs < <(bench_wrk_parse "$f")
    DUR_RPS[$1]=$rps
    DUR_P50[$1]=$p50
    DUR_P99[$1]=$p99
    DUR_CPU[$1]=$(cpu_us_per_req "$CPU_TICKS" "$reqs")
    NON2XX[durability]=$((${NON2XX[durability]:-0} + non2xx))
    ERRS[durability]=$((${ERRS[durability]:-0} + errs))
    bench_say "  cwrite: $rps req/s, p50 $p50 ms, p99 $p99 ms, ${DUR_CPU[$1]} µs CPU/request, $non2xx non-2xx"
}
dur_ceiling() { # key threads mode sync
    local line
    line=$(run_ceiling create "$2" "$DURATION" "$3" "$4")
    DUR_RPS[$1]=$(field "$line" ops_s)
    DUR_P50[$1]=$(field "$line" p50_ms)
    DUR_P99[$1]=$(field "$line" p99_ms)
    DUR_CPU[$1]=$(field "$line" cpu_us_op)
    DUR_NOTE[$1]=$(field "$line" writes_per_commit)
    bench_say "  ceiling: ${DUR_RPS[$1]} ops/s, p50 ${DUR_P50[$1]} ms, p99 ${DUR_P99[$1]} ms${DUR_NOTE[$1]:+, ${DUR_NOTE[$1]} writes per commit}"
}

bench_say "durability: create on cwrite, $THREADS workers, $HIGH_CONNS connections (${DURATION} s)…"
dur_cwrite cw-low "$HIGH_CONNS"
CW_HWM_KB=$(bench_status_kb "$cw_pid" VmHWM)
bench_say "durability: restarting cwrite with $HIGH_WORKERS workers…"
stop_cwrite "$THREADS workers"
start_cwrite "$HIGH_WORKERS"
run_wrk "$tmp/wrk/warmup" "$HIGH_CONNS" "$WARMUP" create
bench_say "durability: create on cwrite, $HIGH_WORKERS workers, $HIGH_CONNS connections (${DURATION} s)…"
dur_cwrite cw-high "$HIGH_CONNS"
CW_HIGH_HWM_KB=$(bench_status_kb "$cw_pid" VmHWM)
stop_cwrite "$HIGH_WORKERS workers"
bench_say "durability: ceiling create, $THREADS threads, one commit per write…"
dur_ceiling ceil-plain "$THREADS" plain full
bench_say "durability: ceiling create, $HIGH_WORKERS threads, group commit…"
dur_ceiling ceil-group-high "$HIGH_WORKERS" group full
bench_say "durability: ceiling create, $THREADS threads, one commit per write, synchronous=NORMAL…"
dur_ceiling ceil-normal "$THREADS" plain normal

# ---- report -----------------------------------------------------------------------------------
fmt_rps() { awk -v v="$1" 'BEGIN { printf "%.0f", v }'; }
fmt_ms() { awk -v v="$1" 'BEGIN { printf (v < 1 ? "%.3f ms" : "%.2f ms"), v }'; }
fmt_list() { printf '%s\n' "$@" | awk '{ printf "%s%.0f", (NR > 1 ? ", " : ""), $1 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
# shellcheck disable=SC2086 # the lists are words on purpose
med() { bench_median $1; }

describe() { # op -> the request
    case $1 in
    get) echo "get by ID" ;;
    list) echo "list 25, filter + order, total" ;;
    list-nototal) echo "list 25, filter + order, total=false" ;;
    update) echo "update (PATCH 2 attributes)" ;;
    create) echo "create (durable)" ;;
    mixed) echo "mixed 80/15/5 get/create/update" ;;
    esac
}

aim() { # op threshold label
    local v
    v=$(med "${RPS[$1.cwrite]}")
    if awk -v v="$v" -v t="$2" 'BEGIN { exit !(v >= t) }'; then
        echo "- $3 ≥ $2 req/s: **met** ($(fmt_rps "$v"))"
    else
        echo "- $3 ≥ $2 req/s: **missed** ($(fmt_rps "$v"); the ceiling does $(fmt_rps "$(med "${RPS[$1.ceiling]}")") ops/s)"
    fi
}

dur_row() { # key label setting
    printf '| %s | %s | %s | %s / %s | %s | %s |\n' "$2" "$3" "$(fmt_rps "${DUR_RPS[$1]}")" \
        "$(fmt_ms "${DUR_P50[$1]}")" "$(fmt_ms "${DUR_P99[$1]}")" "${DUR_CPU[$1]}" "${DUR_NOTE[$1]:-–}"
}

report() {
    echo "## cwrite's Databases API vs SQLite straight, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "- machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)," \
        "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM;" \
        "load average $LOAD_START at the start, $(cut -d' ' -f1 /proc/loadavg) at the end"
    echo "- ${CW_VERSION:-cwrite} (--threads $THREADS --workers $THREADS, CWRITE_ACCESS_LOG=0);" \
        "the ceiling: bench/sqlite_ceiling.c on SQLite ${SQLITE_VERSION:-?}, $THREADS threads;" \
        "$(wrk -v 2>&1 | head -1 | awk '{ print "wrk", $2 }')"
    echo "- $DOCS documents (title, category of $CATEGORIES values, score, seen; key index on" \
        "category ASC, score DESC); WAL, synchronous=FULL on both sides"
    echo "- wrk -t$THREADS -c$CONNS -d${DURATION}s --latency with bench/db.lua, ${WARMUP} s warm-up;" \
        "the ceiling ${DURATION} s after ${CEILING_WARMUP} s; median of $ROUNDS alternating rounds"
    echo
    echo "| operation | cwrite req/s | ceiling ops/s | cwrite / ceiling | cwrite p50 / p99 | ceiling p50 / p99 | CPU µs/op cwrite / ceiling | non-2xx |"
    echo "|---|---:|---:|---:|---|---|---|---:|"
    local op rc rl
    for op in "${OPS[@]}"; do
        rc=$(med "${RPS[$op.cwrite]}")
        rl=$(med "${RPS[$op.ceiling]}")
        printf '| %s | %s | %s | %s | %s / %s | %s / %s | %s / %s | %s |\n' "$(describe "$op")" \
            "$(fmt_rps "$rc")" "$(fmt_rps "$rl")" "$(ratio "$rc" "$rl")" \
            "$(fmt_ms "$(med "${P50[$op.cwrite]}")")" "$(fmt_ms "$(med "${P99[$op.cwrite]}")")" \
            "$(fmt_ms "$(med "${P50[$op.ceiling]}")")" "$(fmt_ms "$(med "${P99[$op.ceiling]}")")" \
            "$(med "${CPU[$op.cwrite]}")" "$(med "${CPU[$op.ceiling]}")" "${NON2XX[$op]:-0}"
    done
    echo
    echo "Each round's req/s (cwrite; ceiling), in the order run:"
    echo
    for op in "${OPS[@]}"; do
        # shellcheck disable=SC2086
        echo "- $op: $(fmt_list ${RPS[$op.cwrite]}); $(fmt_list ${RPS[$op.ceiling]})"
    done
    echo
    echo "Aims (cwrite, this machine, load generator included):"
    echo
    aim get 20000 "get by ID"
    aim create 5000 "create, durable"
    if awk -v v="${DUR_RPS[cw-high]}" 'BEGIN { exit !(v >= 5000) }'; then
        echo "  (with --workers $HIGH_WORKERS and $HIGH_CONNS connections: $(fmt_rps "${DUR_RPS[cw-high]}") req/s, met; see durability below)"
    else
        echo "  (with --workers $HIGH_WORKERS and $HIGH_CONNS connections: $(fmt_rps "${DUR_RPS[cw-high]}") req/s, still missed; see durability below)"
    fi
    aim list 5000 "filtered list (total counted)"
    aim list-nototal 5000 "filtered list (total=false)"
    echo
    echo "| loading $DOCS documents | time | documents/s |"
    echo "|---|---:|---:|"
    echo "| cwrite, bulk route, $BATCH a request, 4 in flight | $CW_LOAD_SECS s | $(awk -v n="$DOCS" -v s="$CW_LOAD_SECS" 'BEGIN { printf "%.0f", n / s }') |"
    echo "| ceiling, one thread, $BATCH a transaction | $CEIL_LOAD_SECS s | $(awk -v n="$DOCS" -v s="$CEIL_LOAD_SECS" 'BEGIN { printf "%.0f", n / s }') |"
    echo
    echo "cwrite's CPU time for the load: $(cpu_us_per_req "$CW_LOAD_TICKS" "$DOCS") µs per document."
    echo
    echo "| memory | |"
    echo "|---|---:|"
    echo "| cwrite RSS after loading | $(bench_mb "$CW_IDLE_KB") |"
    echo "| cwrite peak RSS during the runs (sampled every 100 ms) | $(bench_mb "$CW_PEAK_KB") |"
    echo "| cwrite VmHWM after the runs | $(bench_mb "$CW_HWM_KB") |"
    echo "| cwrite VmHWM with $HIGH_WORKERS workers, $HIGH_CONNS connections | $(bench_mb "$CW_HIGH_HWM_KB") |"
    echo "| ceiling, largest max RSS of a run | $(bench_mb "$CEIL_RSS_KB") |"
    echo
    echo "Durability: creates, one run of ${DURATION} s each (the third row: the medians above), WAL on both sides."
    echo
    echo "| create | setting | req/s | p50 / p99 | CPU µs/op | writes per commit |"
    echo "|---|---|---:|---|---:|---:|"
    dur_row cw-low "cwrite, $THREADS workers, $HIGH_CONNS connections" "FULL, group commit"
    dur_row cw-high "cwrite, $HIGH_WORKERS workers, $HIGH_CONNS connections" "FULL, group commit"
    dur_row ceil-plain "ceiling, $THREADS threads" "FULL, one commit per write"
    printf '| %s | %s | %s | %s / %s | %s | %s |\n' "ceiling, $THREADS threads (the create row above)" \
        "FULL, group commit" "$(fmt_rps "$(med "${RPS[create.ceiling]}")")" \
        "$(fmt_ms "$(med "${P50[create.ceiling]}")")" "$(fmt_ms "$(med "${P99[create.ceiling]}")")" \
        "$(med "${CPU[create.ceiling]}")" "$(med "${WPC[create]:-}")"
    dur_row ceil-group-high "ceiling, $HIGH_WORKERS threads" "FULL, group commit"
    dur_row ceil-normal "ceiling, $THREADS threads" "NORMAL (not durable), one commit per write"
    echo
    local k total_errs=0
    for k in "${!ERRS[@]}"; do total_errs=$((total_errs + ERRS[$k])); done
    [ "$total_errs" -eq 0 ] || echo "wrk reported $total_errs socket errors in all (see the progress lines)."
    for k in "${!NON2XX[@]}"; do
        [ "${NON2XX[$k]}" -eq 0 ] || echo "**cwrite answered ${NON2XX[$k]} requests of $k with a status other than 2xx: those numbers are not comparable.**"
    done
    [ -z "$STOP_NOTES" ] || echo "$STOP_NOTES"
    if awk -v l="$LOAD_START" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
        echo "The machine was busy when the run started (load $LOAD_START on $(nproc) CPUs): req/s is noisy; CPU µs per request much less so."
    fi
    return 0
}

results=${BENCH_DB_RESULTS:-$here/results/db-$(date -u +%Y-%m-%d).md}
if [ "$results" = - ]; then
    report
else
    mkdir -p "$(dirname "$results")"
    report | tee "$results"
    bench_say "results written to ${results#"$PWD"/}"
fi
for k in "${!NON2XX[@]}"; do
    [ "${NON2XX[$k]}" -eq 0 ] || bench_die "some requests of $k were not answered 2xx (see the report)"
done
