#!/usr/bin/env bash
# The events benchmark: what emitting events and fanning them out to webhooks costs the write
# path, and how fast the deliveries then go out. Document creates through the Databases API with
# 0, 1 and 10 enabled webhooks that match every create, all pointing at a small HTTP receiver on
# loopback, same machine, same run.
#
#   bash bench/events.sh build/release/cwrite
#   (BENCH_ONLY=events make bench runs only this)
#
# As Appwrite scales out (API nodes that only enqueue, worker nodes that deliver), it measures
# the two sides apart:
#
#   1. API node: `cwrite serve --consumers none` on a fresh data folder with the database
#      benchmark's collection and ten webhooks on "databases.*.collections.*.documents.*.create".
#      Per round it enables 0, 1 or 10 of them and runs wrk with bench/db.lua's create,
#      alternating the settings (and which comes first) between rounds so that noise from the
#      machine falls on all. The deliveries pile up durably in the queue. Reported: req/s,
#      p50/p99, the server's CPU time per create, each setting's ratio to 0 webhooks (the aim:
#      no worse than 0.90).
#   2. Worker node: all ten webhooks on, then `cwrite worker` on the same data folder drains the
#      queue to the receiver. Reported: deliveries/s, the worker's CPU time per delivery, and
#      whether every delivery the creates made arrived (the jobs each run added times its
#      webhooks, against the distinct webhook + document pairs the receiver counted; it also
#      counts all it got, duplicates included).
#   3. All in one, for reference: `cwrite serve` with its consumers on (the default), a fresh
#      data folder, the same rounds; its CPU time includes the deliveries made meanwhile. Not the
#      aim: on a small machine the deliveries share the cores with the requests.
#
# Loopback only; every process and file it made is gone when it exits. About three minutes with
# the defaults (the drain depends on the machine).
#
# Tunables (environment): BENCH_EVENTS_DURATION (5 s per measured run), BENCH_EVENTS_WARMUP
# (1 s), BENCH_EVENTS_ROUNDS (3), BENCH_EVENTS_DRAIN_MAX (600 s at most for the drain),
# BENCH_EVENTS_ALLINONE (1; 0 skips part 3), BENCH_EVENTS_RESULTS (the results file; "-" for
# stdout only).
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
DRAIN_MAX=${BENCH_EVENTS_DRAIN_MAX:-600}
ALLINONE=${BENCH_EVENTS_ALLINONE:-1}
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
wk_pid=
wrk_pid=
rx_pid=
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$wrk_pid" ]; then
        kill -TERM "$wrk_pid" 2>/dev/null || true
        wait "$wrk_pid" 2>/dev/null || true
    fi
    bench_stop_pid "$wk_pid"
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
# A bare HTTP/1.1 server on asyncio (keep-alive, one core), so that the receiver is not what
# limits the drain: answers every POST with 204 and counts them, all and distinct (webhook ID
# and document ID); GET / answers "distinct all".
RX_PORT=$(bench_free_port) || bench_die "no free loopback port"
python3 - "$RX_PORT" >"$tmp/rx.out" 2>&1 <<'EOF' &
import asyncio, re, sys
total = 0
seen = set()
doc_id = re.compile(rb'"\$id":"([^"]*)"')
class Receiver(asyncio.Protocol):
    def connection_made(self, transport):
        self.t = transport
        self.buf = b""
    def data_received(self, data):
        global total
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            lines = self.buf[:end].split(b"\r\n")
            length, hook = 0, b""
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"x-appwrite-webhook-id":
                    hook = value.strip()
            if len(self.buf) < end + 4 + length:
                return
            body = self.buf[end + 4:end + 4 + length]
            self.buf = self.buf[end + 4 + length:]
            if lines[0].startswith(b"POST"):
                total += 1
                m = doc_id.search(body)
                seen.add(hash(hook + b"/" + (m.group(1) if m else b"")))
                self.t.write(b"HTTP/1.1 204 No Content\r\n\r\n")
            else:
                out = b"%d %d" % (len(seen), total)
                self.t.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(out), out))
                self.t.close()
                return
async def main():
    server = await asyncio.get_running_loop().create_server(Receiver, "127.0.0.1", int(sys.argv[1]))
    print("listening", flush=True)
    await server.serve_forever()
asyncio.run(main())
EOF
rx_pid=$!
bench_wait_for_line "$tmp/rx.out" listening "$rx_pid" 10 || bench_die "the receiver did not start"
received() { curl -s "http://127.0.0.1:$RX_PORT/" && echo; } # "distinct all"

# ---- cwrite -----------------------------------------------------------------------------------
start_cwrite() { # data-folder consumers
    port=$(bench_free_port) || bench_die "no free loopback port"
    CWRITE_ACCESS_LOG=0 CWRITE_CONSUMERS=$2 "$BIN" serve --listen "127.0.0.1:$port" --data "$1" \
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
}

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

hook_body() { # n enabled
    printf '{"webhookId":"hook%s","name":"bench %s","url":"http://127.0.0.1:%s/hook","events":["%s"],"enabled":%s}' \
        "$1" "$1" "$RX_PORT" "$EVENT" "$2"
}
enable() { # how many of the webhooks are on
    local i
    for i in $(seq 1 "$HOOKS"); do
        expect 200 PUT "/v1/webhooks/hook$i" "$(hook_body "$i" "$([ "$i" -le "$1" ] && echo true || echo false)")"
    done
}

prepare() {
    bench_say "creating the collection and $HOOKS webhooks…"
    expect 201 POST /v1/databases '{"databaseId":"bench","name":"bench"}'
    expect 201 POST /v1/databases/bench/collections '{"collectionId":"docs","name":"docs",
        "attributes":[{"key":"title","type":"string","size":64,"required":true},
                      {"key":"category","type":"string","size":16,"required":true},
                      {"key":"score","type":"integer","required":true},
                      {"key":"seen","type":"datetime","required":false}]}'
    local i
    for i in $(seq 1 "$HOOKS"); do
        expect 201 POST /v1/webhooks "$(hook_body "$i" false)"
    done
}

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

# Runs the rounds against the cwrite started; results under the prefix (api, aio). Each round
# starts with another setting, so that none is always the one after a quiet spell. EXPECTED
# counts the deliveries the creates made: the jobs each run added (the queue's size before and
# after, the requests still in flight when wrk stopped included) times its enabled webhooks;
# meaningful with consumers off.
declare -A RPS P50 P99 CPU BACKLOG NON2XX
EXPECTED=0
measure() { # out-file seconds webhooks
    local before after
    before=$(queued)
    run_wrk "$1" "$2"
    sleep 0.2 # the events thread writes what it gathered within 10 ms
    after=$(queued)
    EXPECTED=$((EXPECTED + (after - before) * $3))
    JOBS_AFTER=$after
}
rounds() { # prefix
    local round i n f rps p50 p99 reqs non2xx errs cpu key
    for round in $(seq 1 "$ROUNDS"); do
        for i in 0 1 2; do
            n=${SETTINGS[$(((i + round - 1) % 3))]}
            key=$1.$n
            enable "$n"
            if [ "$round" -eq 1 ]; then
                bench_say "[$1] warm-up, $n webhooks (${WARMUP} s)…"
                measure "$tmp/wrk/warmup" "$WARMUP" "$n"
            fi
            bench_say "[$1] wrk create, $n webhooks (${DURATION} s, $CONNS connections, round $round/$ROUNDS)…"
            f=$tmp/wrk/$key.$round
            measure "$f" "$DURATION" "$n"
            read -r rps p50 p99 reqs non2xx errs < <(bench_wrk_parse "$f")
            cpu=$(awk -v t="$CPU_TICKS" -v hz="$CLK_TCK" -v n="$reqs" 'BEGIN { printf "%.0f", (n > 0 ? t * 1e6 / hz / n : 0) }')
            RPS[$key]+="$rps "
            P50[$key]+="$p50 "
            P99[$key]+="$p99 "
            CPU[$key]+="$cpu "
            BACKLOG[$key]+="$JOBS_AFTER "
            NON2XX[$key]=$((${NON2XX[$key]:-0} + non2xx + errs))
            bench_say "  $rps req/s, p50 $p50 ms, p99 $p99 ms, $cpu µs CPU/create, $non2xx non-2xx, $JOBS_AFTER jobs queued"
        done
    done
}

# ---- 1. the API node: consumers off -----------------------------------------------------------
start_cwrite "$tmp/private/data" none
prepare
rounds api
API_EXPECTED=$EXPECTED
API_JOBS=$(queued)

# ---- 2. the worker node drains ----------------------------------------------------------------
# Every webhook on, so each job's webhooks (those its event matched) all take their delivery.
enable "$HOOKS"
read -r rx_distinct0 rx_total0 < <(received)
bench_say "draining $API_JOBS jobs ($API_EXPECTED deliveries) with cwrite worker (at most $DRAIN_MAX s)…"
"$BIN" worker --data "$tmp/private/data" --queue-poll-ms 100 \
    >"$tmp/private/worker.out" 2>"$tmp/private/worker.err" &
wk_pid=$!
drain_start=$(date +%s.%N)
last=-1
stall_since=$SECONDS
deadline=$((SECONDS + DRAIN_MAX))
while [ $SECONDS -lt $deadline ]; do
    read -r distinct total < <(received)
    got=$((distinct - rx_distinct0))
    [ "$got" -ge "$API_EXPECTED" ] && break
    if [ "$got" != "$last" ]; then
        last=$got
        stall_since=$SECONDS
    elif [ $((SECONDS - stall_since)) -ge 30 ]; then
        bench_say "  no delivery for 30 s: stopping the drain"
        break
    fi
    kill -0 "$wk_pid" 2>/dev/null || bench_die "cwrite worker died"
    sleep 0.2
done
drain_end=$(date +%s.%N)
WORKER_TICKS=$(bench_cpu_ticks "$wk_pid")
read -r distinct total < <(received)
DRAIN_DISTINCT=$((distinct - rx_distinct0))
DRAIN_TOTAL=$((total - rx_total0))
DRAIN_S=$(awk -v a="$drain_start" -v b="$drain_end" 'BEGIN { printf "%.1f", b - a }')
DRAIN_RATE=$(awk -v n="$DRAIN_DISTINCT" -v s="$DRAIN_S" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
WORKER_CPU=$(awk -v t="$WORKER_TICKS" -v hz="$CLK_TCK" -v n="$DRAIN_TOTAL" 'BEGIN { printf "%.0f", (n > 0 ? t * 1e6 / hz / n : 0) }')
sleep 1
API_LEFT=$(queued)
bench_say "  $DRAIN_DISTINCT of $API_EXPECTED deliveries in $DRAIN_S s ($DRAIN_RATE/s), $WORKER_CPU µs worker CPU/delivery, $API_LEFT jobs left"
bench_stop_pid "$wk_pid"
wk_pid=
bench_stop_pid "$cw_pid"
cw_pid=

# ---- 3. all in one: serve with its consumers ----------------------------------------------------
if [ "$ALLINONE" != 0 ]; then
    start_cwrite "$tmp/private/data-aio" all
    prepare
    rounds aio
    bench_stop_pid "$cw_pid"
    cw_pid=
fi

# ---- report -----------------------------------------------------------------------------------
med() { bench_median $1; }
fmt_rps() { awk -v v="$1" 'BEGIN { printf "%.0f", v }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

table() { # prefix
    local base n r key
    base=$(med "${RPS[$1.0]}")
    echo "| webhooks | req/s | vs 0 webhooks | p50 / p99 ms | CPU µs/create | jobs in the queue after each run | errors |"
    echo "|---:|---:|---:|---|---:|---|---:|"
    for n in "${SETTINGS[@]}"; do
        key=$1.$n
        r=$(med "${RPS[$key]}")
        printf '| %s | %s | %s | %s / %s | %s | %s | %s |\n' "$n" "$(fmt_rps "$r")" \
            "$(ratio "$r" "$base")" "$(med "${P50[$key]}")" "$(med "${P99[$key]}")" \
            "$(med "${CPU[$key]}")" "${BACKLOG[$key]% }" "${NON2XX[$key]}"
    done
}

report() {
    local base n r
    echo "## Events fan-out: document creates with 0, 1 and 10 webhooks, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "- machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo);" \
        "load average $LOAD_START at the start, $(cut -d' ' -f1 /proc/loadavg) at the end"
    echo "- ${CW_VERSION:-cwrite} (--threads $THREADS --workers $THREADS, CWRITE_ACCESS_LOG=0);" \
        "$(wrk -v 2>&1 | head -1 | awk '{ print "wrk", $2 }') -t$THREADS -c$CONNS -d${DURATION}s" \
        "with bench/db.lua create; median of $ROUNDS alternating rounds"
    echo "- webhooks on \"$EVENT\"; receiver: python3 asyncio on loopback answering 204"
    echo
    echo "### API node: \`cwrite serve --consumers none\` (deliveries wait in the queue)"
    echo
    table api
    echo
    base=$(med "${RPS[api.0]}")
    for n in 1 10; do
        r=$(ratio "$(med "${RPS[api.$n]}")" "$base")
        if awk -v v="$r" 'BEGIN { exit !(v >= 0.90) }'; then
            echo "- $n webhooks: $r of the creates of 0 webhooks: **met** (aim ≥ 0.90)"
        else
            echo "- $n webhooks: $r of the creates of 0 webhooks: **missed** (aim ≥ 0.90)"
        fi
    done
    echo
    echo "### Worker node: \`cwrite worker\` on the same data drains the queue"
    echo
    echo "| jobs | deliveries expected | arrived (distinct) | arrived (all) | seconds | deliveries/s | worker CPU µs/delivery | jobs left |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
    echo "| $API_JOBS | $API_EXPECTED | $DRAIN_DISTINCT | $DRAIN_TOTAL | $DRAIN_S | $DRAIN_RATE | $WORKER_CPU | $API_LEFT |"
    echo
    if [ "$DRAIN_DISTINCT" -ge "$API_EXPECTED" ] && [ "$API_LEFT" = 0 ]; then
        echo "- every delivery arrived"
    else
        echo "- **not every delivery arrived** ($DRAIN_DISTINCT of $API_EXPECTED; $API_LEFT jobs left)"
    fi
    if [ "$ALLINONE" != 0 ]; then
        echo
        echo "### All in one, for reference: \`cwrite serve\` with its consumers (not the aim)"
        echo
        echo "Deliveries run in the same process during the runs; its CPU time per create includes them."
        echo
        table aio
    fi
}

if [ "${BENCH_EVENTS_RESULTS:-}" = "-" ]; then
    report
else
    out=${BENCH_EVENTS_RESULTS:-$here/results/events-$(date -u +%Y-%m-%d).md}
    report | tee "$out"
    bench_say "written to $out"
fi
