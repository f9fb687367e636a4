#!/usr/bin/env bash
# The events benchmark: what emitting events and fanning them out to webhooks costs the write
# path. Document creates through the Databases API with 0, 1 and 10 enabled webhooks that match
# every create, all pointing at a small HTTP receiver on loopback, same machine, same run.
#
#   bash bench/events.sh build/release/cwrite
#   (BENCH_ONLY=events make bench runs only this)
#
# It starts cwrite on a fresh data folder, creates the database benchmark's collection (title,
# category, score, seen) and ten webhooks on "databases.*.collections.*.documents.*.create",
# then, per round, enables 0, 1 or 10 of them (PUT /v1/webhooks/{id}) and runs wrk with
# bench/db.lua's create against cwrite, alternating the three settings between rounds so that
# noise from the machine falls on all. Deliveries are asynchronous: the create answers before
# any delivery; the webhook worker inside cwrite posts them meanwhile and after. Reported: req/s,
# p50/p99, cwrite's CPU time per create (its whole process, the deliveries' share included),
# each setting's ratio to 0 webhooks (the aim: no worse than 0.90), the deliveries still waiting
# in the queue after each run, and the deliveries the receiver got. Loopback only; every process
# and file it made is gone when it exits. About a minute with the defaults.
#
# Tunables (environment): BENCH_EVENTS_DURATION (5 s per measured run), BENCH_EVENTS_WARMUP
# (1 s), BENCH_EVENTS_ROUNDS (3), BENCH_EVENTS_RESULTS (the results file; "-" for stdout only).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

if [ $# -ne 1 ]; then
    echo "usage: bash bench/events.sh path/to/cwrite" >&2
    exit 2
fi
BIN=$1
[ -x "$BIN" ] || bench_die "$BIN is not an executable; build it first (make)"

DURATION=${BENCH_EVENTS_DURATION:-5}
WARMUP=${BENCH_EVENTS_WARMUP:-1}
ROUNDS=${BENCH_EVENTS_ROUNDS:-3}
CONNS=64
THREADS=2 # wrk threads, cwrite loops and workers alike
PROJECT=default
SETTINGS=(0 1 10) # enabled webhooks
HOOKS=10
EVENT=databases.*.collections.*.documents.*.create

PATH=$PATH:/usr/sbin:/sbin
missing=()
for tool in wrk curl pgrep awk python3; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
    bench_die "missing ${missing[*]}: run scripts/deps.sh (Debian packages wrk, curl, procps, python3)"
fi

LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
CLK_TCK=$(getconf CLK_TCK)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cwrite-bench-events.XXXXXX")
cw_pid=
wrk_pid=
rx_pid=
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$wrk_pid" ]; then
        kill -TERM "$wrk_pid" 2>/dev/null || true
        wait "$wrk_pid" 2>/dev/null || true
    fi
    bench_stop_pid "$cw_pid"
    bench_stop_pid "$rx_pid"
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -m 0700 "$tmp/private" "$tmp/wrk"
cp "$BIN" "$tmp/private/cwrite"
BIN=$tmp/private/cwrite
CW_VERSION=$("$BIN" version 2>/dev/null | head -1 || true)

# ---- the receiver -----------------------------------------------------------------------------
# Answers every POST with 204 and counts them; GET /count tells how many came.
RX_PORT=$(bench_free_port) || bench_die "no free loopback port"
python3 - "$RX_PORT" >"$tmp/rx.out" 2>&1 <<'EOF' &
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
count = 0
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        global count
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        count += 1
        self.send_response(204)
        self.end_headers()
    def do_GET(self):
        body = str(count).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
print("listening", flush=True)
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
EOF
rx_pid=$!
bench_wait_for_line "$tmp/rx.out" listening "$rx_pid" 10 || bench_die "the receiver did not start"
received() { curl -s "http://127.0.0.1:$RX_PORT/count"; }

# ---- cwrite -----------------------------------------------------------------------------------
port=$(bench_free_port) || bench_die "no free loopback port"
CWRITE_ACCESS_LOG=0 "$BIN" serve --listen "127.0.0.1:$port" --data "$tmp/private/data" \
    --threads "$THREADS" --workers "$THREADS" \
    >"$tmp/private/cwrite.out" 2>"$tmp/private/cwrite.err" &
cw_pid=$!
bench_wait_for_line "$tmp/private/cwrite.err" 'msg="listening"' "$cw_pid" 15 || {
    tail -5 "$tmp/private/cwrite.err" >&2
    bench_die "cwrite did not start"
}
KEY=$(awk '/API key:/ { print $3 }' "$tmp/private/cwrite.out")
[ -n "$KEY" ] || bench_die "cwrite printed no API key"
cw_url="http://127.0.0.1:$port"
printf 'header = "X-Appwrite-Project: %s"\nheader = "X-Appwrite-Key: %s"\n' "$PROJECT" "$KEY" \
    >"$tmp/private/curl-auth"

api() { # method path [json] -> prints "status body"
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

queued() { api GET '/v1/health/queue/webhooks?threshold=1000000000' | sed 's/.*"size":\([0-9]*\).*/\1/'; }

bench_say "creating the collection and $HOOKS webhooks…"
expect 201 POST /v1/databases '{"databaseId":"bench","name":"bench"}'
expect 201 POST /v1/databases/bench/collections '{"collectionId":"docs","name":"docs",
    "attributes":[{"key":"title","type":"string","size":64,"required":true},
                  {"key":"category","type":"string","size":16,"required":true},
                  {"key":"score","type":"integer","required":true},
                  {"key":"seen","type":"datetime","required":false}]}'
hook_body() { # n enabled
    printf '{"webhookId":"hook%s","name":"bench %s","url":"http://127.0.0.1:%s/hook","events":["%s"],"enabled":%s}' \
        "$1" "$1" "$RX_PORT" "$EVENT" "$2"
}
for i in $(seq 1 "$HOOKS"); do
    expect 201 POST /v1/webhooks "$(hook_body "$i" false)"
done
enable() { # how many of the webhooks are on
    local i
    for i in $(seq 1 "$HOOKS"); do
        expect 200 PUT "/v1/webhooks/hook$i" "$(hook_body "$i" "$([ "$i" -le "$1" ] && echo true || echo false)")"
    done
}

# ---- runs -------------------------------------------------------------------------------------
declare -A RPS P50 P99 CPU BACKLOG NON2XX
run_wrk() { # out-file seconds
    local cpu0
    cpu0=$(bench_cpu_ticks "$cw_pid")
    timeout $(($2 + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${2}s" --latency \
        -H "X-Appwrite-Project: $PROJECT" -H "X-Appwrite-Key: $KEY" -s "$here/db.lua" \
        "$cw_url" -- create 1 10 >"$1" 2>&1 &
    wrk_pid=$!
    wait "$wrk_pid" || {
        wrk_pid=
        cat "$1" >&2
        bench_die "wrk failed"
    }
    wrk_pid=
    CPU_TICKS=$(($(bench_cpu_ticks "$cw_pid") - cpu0))
    kill -0 "$cw_pid" 2>/dev/null || bench_die "cwrite died under load"
}

for round in $(seq 1 "$ROUNDS"); do
    for n in "${SETTINGS[@]}"; do
        enable "$n"
        if [ "$round" -eq 1 ]; then
            bench_say "warm-up, $n webhooks (${WARMUP} s)…"
            run_wrk "$tmp/wrk/warmup" "$WARMUP"
        fi
        bench_say "wrk create, $n webhooks (${DURATION} s, $CONNS connections, round $round/$ROUNDS)…"
        f=$tmp/wrk/$n.$round
        run_wrk "$f" "$DURATION"
        read -r rps p50 p99 reqs non2xx errs < <(bench_wrk_parse "$f")
        cpu=$(awk -v t="$CPU_TICKS" -v hz="$CLK_TCK" -v n="$reqs" 'BEGIN { printf "%.0f", (n > 0 ? t * 1e6 / hz / n : 0) }')
        backlog=$(queued)
        RPS[$n]+="$rps "
        P50[$n]+="$p50 "
        P99[$n]+="$p99 "
        CPU[$n]+="$cpu "
        BACKLOG[$n]+="$backlog "
        NON2XX[$n]=$((${NON2XX[$n]:-0} + non2xx + errs))
        bench_say "  $rps req/s, p50 $p50 ms, p99 $p99 ms, $cpu µs CPU/create, $non2xx non-2xx, $backlog deliveries waiting"
    done
done
enable 0
bench_say "letting the queue drain (at most 60 s; with the webhooks off, what is left is dropped)…"
for _ in $(seq 1 600); do
    [ "$(queued)" = 0 ] && break
    sleep 0.1
done
LEFT=$(queued)
RECEIVED=$(received)

# ---- report -----------------------------------------------------------------------------------
med() { bench_median $1; }
fmt_rps() { awk -v v="$1" 'BEGIN { printf "%.0f", v }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

report() {
    local base n r
    base=$(med "${RPS[0]}")
    echo "## Events fan-out: document creates with 0, 1 and 10 webhooks, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "- machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo);" \
        "load average $LOAD_START at the start, $(cut -d' ' -f1 /proc/loadavg) at the end"
    echo "- ${CW_VERSION:-cwrite} (--threads $THREADS --workers $THREADS, CWRITE_ACCESS_LOG=0);" \
        "$(wrk -v 2>&1 | head -1 | awk '{ print "wrk", $2 }') -t$THREADS -c$CONNS -d${DURATION}s" \
        "with bench/db.lua create; median of $ROUNDS alternating rounds"
    echo "- webhooks on \"$EVENT\", receiver: python3 on loopback answering 204; deliveries" \
        "run inside cwrite (its CPU time below includes them)"
    echo
    echo "| webhooks | req/s | vs 0 webhooks | p50 / p99 ms | CPU µs/create | deliveries waiting after the run | errors |"
    echo "|---:|---:|---:|---|---:|---|---:|"
    for n in "${SETTINGS[@]}"; do
        r=$(med "${RPS[$n]}")
        printf '| %s | %s | %s | %s / %s | %s | %s | %s |\n' "$n" "$(fmt_rps "$r")" \
            "$(ratio "$r" "$base")" "$(med "${P50[$n]}")" "$(med "${P99[$n]}")" \
            "$(med "${CPU[$n]}")" "${BACKLOG[$n]% }" "${NON2XX[$n]}"
    done
    echo
    for n in 1 10; do
        r=$(ratio "$(med "${RPS[$n]}")" "$base")
        if awk -v v="$r" 'BEGIN { exit !(v >= 0.90) }'; then
            echo "- $n webhooks: $r of the creates of 0 webhooks: **met** (aim ≥ 0.90)"
        else
            echo "- $n webhooks: $r of the creates of 0 webhooks: **missed** (aim ≥ 0.90)"
        fi
    done
    echo "- the receiver got $RECEIVED deliveries during the runs and the drain; $LEFT still queued at the end (the webhooks are turned off before the drain, so the rest is dropped)"
}

if [ "${BENCH_EVENTS_RESULTS:-}" = "-" ]; then
    report
else
    out=${BENCH_EVENTS_RESULTS:-$here/results/events-$(date -u +%Y-%m-%d).md}
    report | tee "$out"
    bench_say "written to $out"
fi
