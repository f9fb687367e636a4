#!/usr/bin/env bash
# The accounts benchmark: what signing in, a session and document permissions cost in cwrite,
# each against a peer measured on the same machine in the same run.
#
#   bash bench/accounts.sh build/release/cwrite build/release/bench/argon2_ceiling
#   (what `make bench` runs after the database benchmark; BENCH_ONLY=accounts runs only this)
#
# It starts cwrite on a fresh data folder (with _APP_OPTIONS_ABUSE=disabled, so that no abuse
# limit turns the load away), creates a pool of users u0001 … with passwords through the Users
# API, one more user, "reader", and signs the reader in by email as a browser does, keeping the
# a_session_default cookie it is given. Then a database and a collection with document security
# on and no collection-level permission (the shape of bench/db.sh: title, category, score, seen,
# a key index on category ASC, score DESC), loaded through the bulk route with the API key:
# odd documents readable by read("user:reader"), even ones by one of the pool's users each, so the
# reader may see half of the collection. Per operation, wrk against cwrite and the peer alternate
# for a few rounds and the medians are reported:
#
#   signin        POST /v1/account/sessions/email, JSON body, X-Appwrite-Project only, the pool's
#                 users round-robin (cwrite keeps 10 sessions a user and trims the oldest).
#                 Peer: bench/argon2_ceiling.c, argon2id with cwrite's parameters for new
#                 passwords verifying a password on as many threads as cwrite has workers (a
#                 sign-in checks one hash: one argon2 computation).
#   account       GET /v1/account with the reader's session cookie. There is no outside peer: it
#                 runs against GET /v1/health/version (no session, no database) on the same
#                 server, so the difference is what resolving a session and its user costs.
#   get           GET a document by ID (random among the reader's)       } as the reader, by
#   list          25 documents WHERE category = c ORDER BY score DESC,   } cookie, against the
#                 total counted                                          } same request with the
#   list-nototal  the same with total=false                              } API key (no checks)
#
# Reported: req/s (ops/s), p50/p99 latency, CPU time per request (cwrite: the server's user +
# system time from /proc; the argon2 ceiling: its whole process), cwrite's RSS, the ceiling's,
# and cwrite's ratio to each peer. Loopback only; every process and file it made is gone when it
# exits. About three minutes with the defaults.
#
# Tunables (environment): BENCH_ACC_DURATION (5 s per measured run), BENCH_ACC_WARMUP (1 s),
# BENCH_ACC_ROUNDS (3), BENCH_ACC_DOCS (20000), BENCH_ACC_USERS (50, the sign-in pool),
# BENCH_ACC_RESULTS (the results file; "-" for stdout only).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

if [ $# -ne 2 ]; then
    echo "usage: bash bench/accounts.sh path/to/cwrite path/to/argon2_ceiling" >&2
    exit 2
fi
BIN=$1
CEILING=$2
[ -x "$BIN" ] || bench_die "$BIN is not an executable; build it first (make)"
[ -x "$CEILING" ] || bench_die "$CEILING is not an executable; build it first (make bench builds it)"

DURATION=${BENCH_ACC_DURATION:-5}
WARMUP=${BENCH_ACC_WARMUP:-1}
ROUNDS=${BENCH_ACC_ROUNDS:-3}
DOCS=${BENCH_ACC_DOCS:-20000}
USERS=${BENCH_ACC_USERS:-50}
CATEGORIES=10
BATCH=100 # documents per bulk request: the route's limit
CONNS=64
# A sign-in takes tens of milliseconds of one worker: 16 connections keep both workers busy
# without queueing seconds of requests; the timeout leaves room for a busy machine.
SIGNIN_CONNS=16
SIGNIN_TIMEOUT=10s
THREADS=2 # wrk threads, cwrite loops and workers, ceiling threads alike
CEILING_WARMUP=0.3
PROJECT=default
OPS=(signin account get list list-nototal)

PATH=$PATH:/usr/sbin:/sbin
missing=()
for tool in wrk curl pgrep awk; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
    bench_die "missing ${missing[*]}: run scripts/deps.sh (Debian packages wrk, curl, procps)"
fi
[ $((DOCS % BATCH)) -eq 0 ] || bench_die "BENCH_ACC_DOCS must be a multiple of $BATCH"
if [ "$USERS" -lt 1 ] || [ "$USERS" -gt 9999 ]; then
    bench_die "BENCH_ACC_USERS must be 1 to 9999"
fi

LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
CLK_TCK=$(getconf CLK_TCK)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cwrite-bench-acc.XXXXXX")
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
cp "$CEILING" "$tmp/argon2_ceiling"
BIN=$tmp/private/cwrite
CEILING=$tmp/argon2_ceiling
CW_VERSION=$("$BIN" version 2>/dev/null | head -1 || true)
ARGON2_PARAMS=$("$CEILING" params) || bench_die "the argon2 ceiling does not run"

# ---- cwrite -----------------------------------------------------------------------------------
bench_say "starting cwrite…"
KEY=
cw_port=
for _ in 1 2 3 4 5; do
    cw_port=$(bench_free_port) || bench_die "no free loopback port"
    _APP_OPTIONS_ABUSE=disabled CWRITE_ACCESS_LOG=0 "$BIN" serve --listen "127.0.0.1:$cw_port" \
        --data "$tmp/private/data" --threads "$THREADS" --workers "$THREADS" \
        >>"$tmp/private/cwrite.out" 2>"$tmp/private/cwrite.err" &
    cw_pid=$!
    if bench_wait_for_line "$tmp/private/cwrite.err" 'msg="listening"' "$cw_pid" 15; then
        break
    fi
    # Bootstrapping the data folder happens before listening, so the key is printed even when
    # the port was taken in the meantime.
    bench_stop_pid "$cw_pid"
    cw_pid=
    if ! grep -q 'cannot listen' "$tmp/private/cwrite.err"; then
        tail -5 "$tmp/private/cwrite.err" >&2
        bench_die "cwrite did not start"
    fi
done
[ -n "$cw_pid" ] || bench_die "cwrite found no free port in 5 tries"
KEY=$(awk '/API key:/ { print $3; exit }' "$tmp/private/cwrite.out")
[ -n "$KEY" ] || bench_die "cwrite printed no API key on first start"
grep -q "Project ID: $PROJECT" "$tmp/private/cwrite.out" ||
    bench_die "cwrite did not make the project \"$PROJECT\" on first start"
cw_url="http://127.0.0.1:$cw_port"
# The key stays out of command lines shown by ps where we can: curl reads it from a file.
printf 'header = "X-Appwrite-Project: %s"\nheader = "X-Appwrite-Key: %s"\n' "$PROJECT" "$KEY" \
    >"$tmp/private/curl-auth"

api() { # method path [json] -> prints "status body" (body on one line); with the key
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

# ---- users ------------------------------------------------------------------------------------
# u0001 … with passwords bench-password-0001 …, hashed by cwrite (argon2, so a few a second per
# worker), and the reader.
bench_say "creating $USERS users and the reader…"
{
    for i in $(seq 0 "$USERS"); do
        if [ "$i" -eq 0 ]; then
            uid=reader
        else
            uid=$(printf 'u%04d' "$i")
        fi
        [ "$i" -eq 0 ] || echo next
        echo "url = \"$cw_url/v1/users\""
        cat "$tmp/private/curl-auth"
        echo 'header = "Content-Type: application/json"'
        printf 'data-binary = "{\\"userId\\":\\"%s\\",\\"email\\":\\"%s@bench.test\\",\\"password\\":\\"bench-password-%s\\"}"\n' \
            "$uid" "$uid" "${uid#u}"
        echo 'output = "/dev/null"'
        printf '%s\n' 'write-out = "%{http_code}\n"'
    done
} >"$tmp/private/users.curl"
curl -s -Z --parallel-max 4 -K "$tmp/private/users.curl" >"$tmp/load/users.status" 2>"$tmp/load/curl.err" ||
    bench_die "curl failed while creating users: $(tail -c 300 "$tmp/load/curl.err")"
bad=$(grep -vc '^201$' "$tmp/load/users.status" || true)
[ "$bad" -eq 0 ] || bench_die "$bad user creations were not answered 201: $(sort "$tmp/load/users.status" | uniq -c | tr '\n' ' ')"

# The reader signs in as a browser would and keeps the cookie it is given.
signin_json='{"email":"reader@bench.test","password":"bench-password-reader"}'
code=$(curl -s -D "$tmp/private/signin.headers" -o "$tmp/private/signin.out" -w '%{http_code}' \
    -H "X-Appwrite-Project: $PROJECT" -H 'Content-Type: application/json' \
    --data-binary "$signin_json" "$cw_url/v1/account/sessions/email")
[ "$code" = 201 ] || bench_die "the reader's sign-in answered $code: $(head -c 300 "$tmp/private/signin.out")"
COOKIE=$(tr -d '\r' <"$tmp/private/signin.headers" |
    sed -n "s/^[Ss]et-[Cc]ookie: \(a_session_${PROJECT}=[^;]*\);.*/\1/p" | head -1)
[ -n "$COOKIE" ] || bench_die "the reader's sign-in set no a_session_$PROJECT cookie"

# The request headers of each kind of credentials, one per line, in private/.
printf 'X-Appwrite-Project: %s\n' "$PROJECT" >"$tmp/private/headers.project"
printf 'X-Appwrite-Project: %s\nX-Appwrite-Key: %s\n' "$PROJECT" "$KEY" >"$tmp/private/headers.key"
printf 'X-Appwrite-Project: %s\nCookie: %s\n' "$PROJECT" "$COOKIE" >"$tmp/private/headers.session"

header_args() { # credentials -> sets HARGS
    HARGS=()
    local line
    while IFS= read -r line; do
        HARGS+=(-H "$line")
    done <"$tmp/private/headers.$1"
}

as() { # credentials path -> prints the status
    header_args "$1"
    curl -s -o "$tmp/private/as.out" -w '%{http_code}' "${HARGS[@]}" "$cw_url$2"
}

code=$(as session /v1/account)
[ "$code" = 200 ] || bench_die "GET /v1/account with the reader's cookie answered $code: $(head -c 300 "$tmp/private/as.out")"
grep -q '"[$]id":"reader"' "$tmp/private/as.out" || bench_die "GET /v1/account did not answer the reader"

# ---- documents --------------------------------------------------------------------------------
bench_say "creating the database and the collection (document security on)…"
COLLECTION=/v1/databases/bench/collections/docs
expect 201 POST /v1/databases '{"databaseId":"bench","name":"bench"}'
expect 201 POST /v1/databases/bench/collections '{"collectionId":"docs","name":"docs",
    "documentSecurity":true,"permissions":[],
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

# Documents d000001 … as in bench/db.sh, with permissions: odd ones the reader's, even ones a
# pool user's each.
bench_say "writing $DOCS documents as $((DOCS / BATCH)) request bodies…"
awk -v n="$DOCS" -v b="$BATCH" -v cats="$CATEGORIES" -v users="$USERS" -v dir="$tmp/load" 'BEGIN {
    srand(42)
    for (r = 0; r < n / b; r++) {
        f = sprintf("%s/%05d.json", dir, r)
        s = "{\"documents\":["
        for (i = 0; i < b; i++) {
            d = r * b + i + 1
            owner = d % 2 ? "reader" : sprintf("u%04d", (d / 2) % users + 1)
            s = s sprintf("%s{\"$id\":\"d%06d\",\"$permissions\":[\"read(\\\"user:%s\\\")\"]," \
                "\"title\":\"Document number %d\",\"category\":\"c%d\",\"score\":%d," \
                "\"seen\":\"2026-%02d-%02dT%02d:%02d:%02d.000+00:00\"}", i ? "," : "",
                d, owner, d, int(rand() * cats), int(rand() * 1000000), 1 + int(rand() * 12),
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
t0=$(date +%s.%N)
curl -s -Z --parallel-max 4 -K "$tmp/private/load.curl" >"$tmp/load/status" 2>"$tmp/load/curl.err" ||
    bench_die "curl failed while loading: $(tail -c 300 "$tmp/load/curl.err")"
t1=$(date +%s.%N)
CW_LOAD_SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
bad=$(grep -vc '^201$' "$tmp/load/status" || true)
[ "$bad" -eq 0 ] || bench_die "$bad bulk requests were not answered 201: $(sort "$tmp/load/status" | uniq -c | tr '\n' ' ')"
rm -f "$tmp"/load/*.json
bench_say "  cwrite: $DOCS documents in $CW_LOAD_SECS s"

# Permissions are on: the reader reads its own documents and not the others'.
code=$(as session "$COLLECTION/documents/d000001")
[ "$code" = 200 ] || bench_die "the reader cannot read its own document d000001 ($code): $(head -c 300 "$tmp/private/as.out")"
code=$(as session "$COLLECTION/documents/d000002")
[ "$code" = 404 ] || bench_die "the reader got d000002, which it may not read ($code)"
code=$(as key "$COLLECTION/documents/d000002")
[ "$code" = 200 ] || bench_die "the key cannot read d000002 ($code)"

# What each side's list sees: the reader about half of a category.
list_total() { # credentials -> the total of one category's list
    header_args "$1"
    curl -s "${HARGS[@]}" -G "$cw_url$COLLECTION/documents" \
        --data-urlencode 'queries[]={"method":"equal","attribute":"category","values":["c0"]}' \
        --data-urlencode 'queries[]={"method":"limit","values":[1]}' |
        sed -n 's/^{"total":\([0-9]*\).*/\1/p'
}
TOTAL_SESSION=$(list_total session)
TOTAL_KEY=$(list_total key)
if [ -z "$TOTAL_SESSION" ] || [ -z "$TOTAL_KEY" ] || [ "$TOTAL_SESSION" -ge "$TOTAL_KEY" ]; then
    bench_die "the lists do not show permissions at work (reader ${TOTAL_SESSION:-?}, key ${TOTAL_KEY:-?} in category c0)"
fi
bench_say "  category c0: the reader sees $TOTAL_SESSION documents, the key $TOTAL_KEY"

sleep 0.5
CW_IDLE_KB=$(bench_status_kb "$cw_pid" VmRSS)

# ---- runs -------------------------------------------------------------------------------------
# Waits (up to 15 s) until cwrite uses next to no CPU. A closed connection does not take back
# the sign-ins it queued: the workers still verify them, which would count against the next run.
wait_idle() {
    local t0 t1
    for _ in $(seq 1 75); do
        t0=$(bench_cpu_ticks "$cw_pid")
        sleep 0.2
        t1=$(bench_cpu_ticks "$cw_pid")
        [ $((t1 - t0)) -le 1 ] && return 0
    done
    bench_say "note: cwrite stayed busy between runs"
}

# Runs wrk against cwrite in the background, sampling cwrite's RSS every 100 ms; sets PEAK_KB
# and CPU_TICKS (cwrite's CPU time meanwhile). With an operation, through bench/accounts.lua;
# without, a plain GET of the path.
run_wrk() { # out-file conns seconds credentials path [op]
    local out=$1 rss cpu0 extra=()
    header_args "$4"
    if [ $# -ge 6 ]; then
        case $6 in
        signin) extra=(--timeout "$SIGNIN_TIMEOUT" -s "$here/accounts.lua" "$cw_url" -- signin "$USERS") ;;
        *) extra=(-s "$here/accounts.lua" "$cw_url" -- "$6" "$DOCS" "$CATEGORIES") ;;
        esac
    else
        extra=("$cw_url$5")
    fi
    wait_idle
    PEAK_KB=0
    cpu0=$(bench_cpu_ticks "$cw_pid")
    timeout $(($3 + 30)) wrk -t"$THREADS" -c"$2" -d"${3}s" --latency "${HARGS[@]}" "${extra[@]}" \
        >"$out" 2>&1 &
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

# Runs the argon2 ceiling; prints its key=value line.
run_ceiling() { # seconds
    local out=$tmp/ceiling.out
    "$CEILING" run "$THREADS" "$CEILING_WARMUP" "$1" verify >"$out" 2>&1 &
    ceil_pid=$!
    wait "$ceil_pid" || {
        ceil_pid=
        cat "$out" >&2
        bench_die "the argon2 ceiling failed"
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

# The measured request of an operation on each side: credentials, path, wrk operation, and
# connections. The peer of signin is the ceiling, not a request.
side() { # op side -> sets S_CREDS S_PATH S_OP S_CONNS
    S_PATH=
    S_OP=
    S_CONNS=$CONNS
    case $1.$2 in
    signin.cwrite) S_CREDS=project S_OP=signin S_CONNS=$SIGNIN_CONNS ;;
    account.cwrite) S_CREDS=session S_PATH=/v1/account ;;
    account.peer) S_CREDS=project S_PATH=/v1/health/version ;;
    *.cwrite) S_CREDS=session S_OP=$1 ;;
    *.peer) S_CREDS=key S_OP=$1 ;;
    esac
}

wrk_side() { # op side out-file seconds
    side "$1" "$2"
    if [ -n "$S_OP" ]; then
        run_wrk "$3" "$S_CONNS" "$4" "$S_CREDS" "" "$S_OP"
    else
        run_wrk "$3" "$S_CONNS" "$4" "$S_CREDS" "$S_PATH"
    fi
}

declare -A RPS P50 P99 CPU NON2XX ERRS
CW_PEAK_KB=0
CEIL_RSS_KB=0

record_wrk() { # key side file
    local rps p50 p99 reqs non2xx errs cpu
    read -r rps p50 p99 reqs non2xx errs < <(bench_wrk_parse "$3")
    cpu=$(cpu_us_per_req "$CPU_TICKS" "$reqs")
    bench_say "  $2: $rps req/s, p50 $p50 ms, p99 $p99 ms, $cpu µs CPU/request, $reqs requests, $non2xx non-2xx, $errs socket errors"
    RPS[$1.$2]+="$rps "
    P50[$1.$2]+="$p50 "
    P99[$1.$2]+="$p99 "
    CPU[$1.$2]+="$cpu "
    NON2XX[$1.$2]=$((${NON2XX[$1.$2]:-0} + non2xx))
    ERRS[$1]=$((${ERRS[$1]:-0} + errs))
    [ "$PEAK_KB" -gt "$CW_PEAK_KB" ] && CW_PEAK_KB=$PEAK_KB
    return 0
}

record_ceiling() { # key line
    local rss
    RPS[$1.peer]+="$(field "$2" ops_s) "
    P50[$1.peer]+="$(field "$2" p50_ms) "
    P99[$1.peer]+="$(field "$2" p99_ms) "
    CPU[$1.peer]+="$(field "$2" cpu_us_op) "
    rss=$(field "$2" max_rss_kb)
    [ "${rss:-0}" -gt "$CEIL_RSS_KB" ] && CEIL_RSS_KB=$rss
    bench_say "  ceiling: $(field "$2" ops_s) ops/s, p50 $(field "$2" p50_ms) ms, p99 $(field "$2" p99_ms) ms, $(field "$2" cpu_us_op) µs CPU/op"
    return 0
}

describe() { # op side -> what was measured
    case $1.$2 in
    signin.cwrite) echo "POST /v1/account/sessions/email" ;;
    signin.peer) echo "argon2id verify alone" ;;
    account.cwrite) echo "GET /v1/account (session cookie)" ;;
    account.peer) echo "GET /v1/health/version (no session)" ;;
    get.cwrite) echo "get by ID as the reader" ;;
    list.cwrite) echo "list 25, filter + order, total, as the reader" ;;
    list-nototal.cwrite) echo "list 25, filter + order, total=false, as the reader" ;;
    *.peer) echo "the same with the API key" ;;
    esac
}

for op in "${OPS[@]}"; do
    for s in cwrite peer; do
        [ "$op.$s" = signin.peer ] && continue
        bench_say "warm-up $op $s (${WARMUP} s)…"
        wrk_side "$op" "$s" "$tmp/wrk/warmup" "$WARMUP"
    done
    for round in $(seq 1 "$ROUNDS"); do
        # Alternate which side goes first, so that a slow spell of the machine hits both.
        order="cwrite peer"
        [ $((round % 2)) -eq 0 ] && order="peer cwrite"
        for s in $order; do
            if [ "$op.$s" = signin.peer ]; then
                bench_say "ceiling argon2 verify ($THREADS threads, ${DURATION} s, round $round/$ROUNDS)…"
                record_ceiling "$op" "$(run_ceiling "$DURATION")"
            else
                side "$op" "$s"
                bench_say "wrk $(describe "$op" "$s") (${DURATION} s, $S_CONNS connections, round $round/$ROUNDS)…"
                f="$tmp/wrk/$op.$s.$round"
                wrk_side "$op" "$s" "$f" "$DURATION"
                record_wrk "$op" "$s" "$f"
            fi
        done
    done
done
CW_HWM_KB=$(bench_status_kb "$cw_pid" VmHWM)
SESSIONS_LEFT=$(api GET "/v1/users/u0001/sessions" | sed -n 's/^200 {"total":\([0-9]*\).*/\1/p')

# ---- report -----------------------------------------------------------------------------------
fmt_rps() { awk -v v="$1" 'BEGIN { printf (v < 1000 ? "%.1f" : "%.0f"), v }'; }
fmt_ms() { awk -v v="$1" 'BEGIN { printf (v < 1 ? "%.3f ms" : "%.2f ms"), v }'; }
fmt_list() { printf '%s\n' "$@" | awk '{ printf "%s%s", (NR > 1 ? ", " : ""), ($1 < 1000 ? sprintf("%.1f", $1) : sprintf("%.0f", $1)) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
# shellcheck disable=SC2086 # the lists are words on purpose
med() { bench_median $1; }
diff_us() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a - b }'; }

title() { # op
    case $1 in
    signin) echo "sign-in by email and password" ;;
    account) echo "GET /v1/account with a session" ;;
    get) echo "get by ID" ;;
    list) echo "list 25, filter + order, total" ;;
    list-nototal) echo "list 25, filter + order, total=false" ;;
    esac
}

report() {
    echo "## cwrite's accounts: sign-in, sessions and document permissions, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "- machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)," \
        "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM;" \
        "load average $LOAD_START at the start, $(cut -d' ' -f1 /proc/loadavg) at the end"
    echo "- ${CW_VERSION:-cwrite} (--threads $THREADS --workers $THREADS, CWRITE_ACCESS_LOG=0," \
        "_APP_OPTIONS_ABUSE=disabled); the argon2 ceiling: bench/argon2_ceiling.c, $ARGON2_PARAMS" \
        "(cwrite's parameters for new passwords), verify, $THREADS threads;" \
        "$(wrk -v 2>&1 | head -1 | awk '{ print "wrk", $2 }')"
    echo "- sign-in: $USERS users round-robin, wrk -t$THREADS -c$SIGNIN_CONNS --timeout $SIGNIN_TIMEOUT;" \
        "the rest wrk -t$THREADS -c$CONNS; -d${DURATION}s --latency, ${WARMUP} s warm-up;" \
        "the ceiling ${DURATION} s after ${CEILING_WARMUP} s; median of $ROUNDS alternating rounds"
    echo "- documents: $DOCS (the shape of bench/db.sh), document security on, no collection" \
        "permission; the reader may read half (category c0: the reader sees $TOTAL_SESSION, the key $TOTAL_KEY)"
    echo
    echo "| cwrite | req/s | peer | req/s | cwrite / peer | cwrite p50 / p99 | peer p50 / p99 | CPU µs/req cwrite / peer | non-2xx cwrite / peer |"
    echo "|---|---:|---|---:|---:|---|---|---|---|"
    local op rc rp
    for op in "${OPS[@]}"; do
        rc=$(med "${RPS[$op.cwrite]}")
        rp=$(med "${RPS[$op.peer]}")
        printf '| %s | %s | %s | %s | %s | %s / %s | %s / %s | %s / %s | %s / %s |\n' \
            "$(describe "$op" cwrite)" "$(fmt_rps "$rc")" "$(describe "$op" peer)" \
            "$(fmt_rps "$rp")" "$(ratio "$rc" "$rp")" \
            "$(fmt_ms "$(med "${P50[$op.cwrite]}")")" "$(fmt_ms "$(med "${P99[$op.cwrite]}")")" \
            "$(fmt_ms "$(med "${P50[$op.peer]}")")" "$(fmt_ms "$(med "${P99[$op.peer]}")")" \
            "$(med "${CPU[$op.cwrite]}")" "$(med "${CPU[$op.peer]}")" \
            "${NON2XX[$op.cwrite]:-0}" "$([ "$op" = signin ] && echo – || echo "${NON2XX[$op.peer]:-0}")"
    done
    echo
    echo "Each round's req/s (cwrite; peer), in the order run:"
    echo
    for op in "${OPS[@]}"; do
        # shellcheck disable=SC2086
        echo "- $op: $(fmt_list ${RPS[$op.cwrite]}); $(fmt_list ${RPS[$op.peer]})"
    done
    echo
    local cs cp
    cs=$(med "${CPU[signin.cwrite]}")
    cp=$(med "${CPU[signin.peer]}")
    echo "- **Sign-in**: argon2 is the work a sign-in must do; the ratio is the share of argon2's" \
        "rate cwrite keeps with HTTP, the user lookup and the session written (durably) around it." \
        "CPU beyond the hash: $(diff_us "$cs" "$cp") µs per sign-in ($cs against $cp). The" \
        "latencies are not alike: cwrite's include queueing with $SIGNIN_CONNS requests in flight" \
        "on $THREADS workers, the ceiling's are one verification's time." \
        "Sessions of u0001 at the end: ${SESSIONS_LEFT:-?} (the project's limit is 10 a user)."
    cs=$(med "${CPU[account.cwrite]}")
    cp=$(med "${CPU[account.peer]}")
    echo "- **Session**: GET /v1/account has no outside peer; against GET /v1/health/version on the" \
        "same server (same HTTP path, no session, no database) it shows what resolving the" \
        "session cookie and reading the user costs: $(diff_us "$cs" "$cp") µs of CPU per request" \
        "($cs against $cp)."
    echo "- **Permissions**: the same reads as the signed-in reader (cookie; the reader's roles" \
        "checked against each document's read permissions) and with the API key (no check) on the" \
        "same data; the ratio is what document security costs. The reader's lists see half the" \
        "documents of the key's, so its totals count fewer."
    for op in get list list-nototal; do
        cs=$(med "${CPU[$op.cwrite]}")
        cp=$(med "${CPU[$op.peer]}")
        echo "  $(title "$op"): $(ratio "$(med "${RPS[$op.cwrite]}")" "$(med "${RPS[$op.peer]}")")×" \
            "the key's rate, $(diff_us "$cs" "$cp") µs of CPU more per request."
    done
    echo
    echo "| memory | |"
    echo "|---|---:|"
    echo "| cwrite RSS after creating $((USERS + 1)) users and loading $DOCS documents | $(bench_mb "$CW_IDLE_KB") |"
    echo "| cwrite peak RSS during the runs (sampled every 100 ms) | $(bench_mb "$CW_PEAK_KB") |"
    echo "| cwrite VmHWM after the runs | $(bench_mb "$CW_HWM_KB") |"
    echo "| argon2 ceiling, largest max RSS of a run | $(bench_mb "$CEIL_RSS_KB") |"
    echo
    echo "Loading the $DOCS documents through the bulk route ($BATCH a request, 4 in flight) took $CW_LOAD_SECS s."
    echo
    local k total_errs=0
    for k in "${!ERRS[@]}"; do total_errs=$((total_errs + ERRS[$k])); done
    [ "$total_errs" -eq 0 ] || echo "wrk reported $total_errs socket errors in all (see the progress lines)."
    for k in "${!NON2XX[@]}"; do
        [ "${NON2XX[$k]}" -eq 0 ] || echo "**cwrite answered ${NON2XX[$k]} requests of $k with a status other than 2xx: those numbers are not comparable.**"
    done
    if awk -v l="$LOAD_START" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
        echo "The machine was busy when the run started (load $LOAD_START on $(nproc) CPUs): req/s is noisy; CPU µs per request much less so."
    fi
    return 0
}

results=${BENCH_ACC_RESULTS:-$here/results/accounts-$(date -u +%Y-%m-%d).md}
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
