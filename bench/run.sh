#!/usr/bin/env bash
# The foundation benchmark: cwrite against nginx serving the same bytes, same machine, same run;
# then the database benchmark (bench/db.sh: cwrite's Databases API against SQLite straight) and
# the accounts benchmark (bench/accounts.sh: sign-in against argon2 alone, a session's cost,
# document permissions against the API key).
#
#   bash bench/run.sh build/release/cwrite [build/release/bench/sqlite_ceiling
#                                           [build/release/bench/argon2_ceiling]]
#                                               (what `make bench` runs)
#   BENCH_ONLY=foundation, db, accounts or events runs one of them (events: bench/events.sh,
#   document creates with 0, 1 and 10 webhooks).
#
# For each endpoint it fetches cwrite's answer with curl, has nginx serve the very same body,
# status, content type and extra headers from static files, and runs wrk on both, alternating
# servers between rounds so that noise from the machine falls on both. Besides req/s and latency it
# reports each server's CPU time per request (from /proc/<pid>/stat), which a busy machine disturbs
# far less than req/s. It samples cwrite's idle RSS and both servers' peak RSS under 256
# connections, prints a markdown table on stdout and writes it to
# bench/results/foundation-<date>.md. Loopback only; every server and temporary folder it made is
# gone when it exits. About two and a half minutes with the defaults.
#
# Tunables (environment): BENCH_DURATION (10 s per measured run), BENCH_WARMUP (2 s),
# BENCH_ROUNDS (3), BENCH_PEAK_DURATION (5 s at 256 connections), BENCH_RESULTS (the results
# file; "-" for stdout only).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

if [ $# -lt 1 ] || [ $# -gt 3 ]; then
    echo "usage: bash bench/run.sh path/to/cwrite [path/to/sqlite_ceiling [path/to/argon2_ceiling]]" >&2
    exit 2
fi
BIN=$1
CEILING=${2:-$(dirname "$BIN")/bench/sqlite_ceiling}
ARGON2_CEILING=${3:-$(dirname "$BIN")/bench/argon2_ceiling}
[ -x "$BIN" ] || bench_die "$BIN is not an executable; build it first (make)"
ONLY=${BENCH_ONLY:-}
case $ONLY in
"" | foundation) ;;
db) exec bash "$here/db.sh" "$BIN" "$CEILING" ;;
accounts) exec bash "$here/accounts.sh" "$BIN" "$ARGON2_CEILING" ;;
events) exec bash "$here/events.sh" "$BIN" ;;
*) bench_die "BENCH_ONLY is foundation, db, accounts or events, not \"$ONLY\"" ;;
esac

DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-2}
ROUNDS=${BENCH_ROUNDS:-3}
PEAK_DURATION=${BENCH_PEAK_DURATION:-5}
CONNS=64
PEAK_CONNS=256
THREADS=2 # wrk threads, cwrite loops and workers, nginx workers alike
PROJECT=default

# Tools. nginx lives in /usr/sbin, which is not on every user's PATH.
PATH=$PATH:/usr/sbin:/sbin
missing=()
for tool in wrk nginx curl pgrep awk; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
    bench_die "missing ${missing[*]}: run scripts/deps.sh (Debian packages wrk, nginx-light, curl, procps)"
fi

LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
CLK_TCK=$(getconf CLK_TCK)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cwrite-bench.XXXXXX")
cw_pid=
ng_pid=
wrk_pid=
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$wrk_pid" ]; then
        kill -TERM "$wrk_pid" 2>/dev/null || true
        wait "$wrk_pid" 2>/dev/null || true
    fi
    bench_stop_pid "$ng_pid"
    bench_stop_pid "$cw_pid"
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# nginx's workers run as nobody when we are root: they must read www/, while the key cwrite
# prints stays in private/.
chmod 0755 "$tmp"
mkdir -m 0700 "$tmp/private"
mkdir -m 0755 "$tmp/www" "$tmp/nginx" "$tmp/wrk"
# A copy, so that a rebuild in the checkout while we run does not change or remove the binary.
cp "$BIN" "$tmp/private/cwrite"
BIN=$tmp/private/cwrite
CW_VERSION=$("$BIN" version 2>/dev/null | head -1 || true)

# ---- cwrite -----------------------------------------------------------------------------------
bench_say "starting cwrite…"
KEY=
cw_port=
for attempt in 1 2 3 4 5; do
    cw_port=$(bench_free_port) || bench_die "no free loopback port"
    CWRITE_ACCESS_LOG=0 "$BIN" serve --listen "127.0.0.1:$cw_port" --data "$tmp/private/data" \
        --threads "$THREADS" --workers "$THREADS" \
        >"$tmp/private/cwrite.$attempt.out" 2>"$tmp/private/cwrite.err" &
    cw_pid=$!
    if bench_wait_for_line "$tmp/private/cwrite.err" 'msg="listening"' "$cw_pid" 15; then
        break
    fi
    # Bootstrapping the data folder happens before listening, so the key is printed even when
    # the port was taken in the meantime.
    [ -n "$KEY" ] || KEY=$(awk '/API key:/ { print $3 }' "$tmp/private/cwrite.$attempt.out")
    bench_stop_pid "$cw_pid"
    cw_pid=
    if ! grep -q 'cannot listen' "$tmp/private/cwrite.err"; then
        tail -5 "$tmp/private/cwrite.err" >&2
        bench_die "cwrite did not start"
    fi
done
[ -n "$cw_pid" ] || bench_die "cwrite found no free port in 5 tries"
[ -n "$KEY" ] || KEY=$(awk '/API key:/ { print $3 }' "$tmp/private/cwrite.$attempt.out")
grep -q "Project ID: $PROJECT" "$tmp/private/cwrite.$attempt.out" ||
    bench_die "cwrite did not make the project \"$PROJECT\" on first start"
[ -n "$KEY" ] || bench_die "cwrite printed no API key on first start"
cw_url="http://127.0.0.1:$cw_port"

# name | path | credentials ("project": only X-Appwrite-Project; "key": project and API key).
# /v1/health/version needs scope "public", which a key does not carry: it gets no key.
ENDPOINTS=(
    "health/version|/v1/health/version|project"
    "locale/continents|/v1/locale/continents|key"
)

# The request headers of each kind of credentials, one per line; the file with the key stays in
# private/.
headers_for() { # credentials -> file
    local f="$tmp/private/headers.$1"
    if [ ! -f "$f" ]; then
        echo "X-Appwrite-Project: $PROJECT" >"$f"
        [ "$1" = key ] && echo "X-Appwrite-Key: $KEY" >>"$f"
    fi
    echo "$f"
}

header_args() { # credentials -> sets HARGS
    HARGS=()
    local line
    while IFS= read -r line; do
        HARGS+=(-H "$line")
    done <"$(headers_for "$1")"
}

# ---- cwrite's answers, written for nginx ------------------------------------------------------
bench_say "fetching cwrite's responses…"
declare -A STATUS CTYPE CW_SIZE NG_SIZE
ng_locations=
for ep in "${ENDPOINTS[@]}"; do
    IFS='|' read -r name path creds <<<"$ep"
    header_args "$creds"
    mkdir -p "$tmp/www$(dirname "$path")"
    body="$tmp/www$path"
    hdr="$tmp/nginx/$(echo "$name" | tr / _).headers"
    read -r code hsize bsize ctype < <(curl -s -D "$hdr" -o "$body" \
        -w '%{http_code} %{size_header} %{size_download} %{content_type}\n' "${HARGS[@]}" "$cw_url$path")
    STATUS[$name]=$code
    CTYPE[$name]=$ctype
    CW_SIZE[$name]="$hsize + $bsize"
    if [ "$code" = 404 ] && [ "$name" = locale/continents ]; then
        bench_say "note: $path answers 404 (the Locale service is not there yet); benchmarking the 404"
    elif [ "$code" != 200 ]; then
        bench_die "$path answered $code, not 200: $(head -c 300 "$body")"
    fi
    # Every header cwrite sends beyond those nginx makes itself, so the two answers match.
    adds=
    while IFS= read -r line; do
        line=${line%$'\r'}
        case $line in HTTP/* | "") continue ;; esac
        hname=$(echo "${line%%:*}" | tr '[:upper:]' '[:lower:]')
        hvalue=${line#*:}
        hvalue=${hvalue# }
        case $hname in date | connection | content-length | server | content-type | transfer-encoding | keep-alive) continue ;; esac
        # shellcheck disable=SC1003
        case $hvalue in *'"'* | *'$'* | *'\'*) bench_die "header $hname has a character nginx config cannot quote" ;; esac
        adds+="            add_header $hname \"$hvalue\" always;"$'\n'
    done <"$hdr"
    if [ "$code" = 200 ]; then
        ng_locations+="        location = $path {"$'\n'"$adds        }"$'\n'
    else
        # Same status and body: nginx answers with the saved body through an internal location.
        ng_locations+="        location = $path {"$'\n'"            error_page $code /__status$path;"$'\n'"            return $code;"$'\n'"        }"$'\n'
        ng_locations+="        location = /__status$path {"$'\n'"            internal;"$'\n'"            alias $body;"$'\n'"$adds        }"$'\n'
    fi
done

# A few requests, then cwrite's idle memory.
for ep in "${ENDPOINTS[@]}"; do
    IFS='|' read -r name path creds <<<"$ep"
    header_args "$creds"
    for _ in $(seq 1 10); do curl -s -o /dev/null "${HARGS[@]}" "$cw_url$path"; done
done
sleep 0.5
CW_IDLE_KB=$(bench_status_kb "$cw_pid" VmRSS)

# ---- nginx ------------------------------------------------------------------------------------
bench_say "starting nginx…"
chmod -R a+rX "$tmp/www"
for attempt in 1 2 3 4 5; do
    ng_port=$(bench_free_port) || bench_die "no free loopback port"
    cat >"$tmp/nginx/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes $THREADS;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events {
    worker_connections 4096;
}
http {
    access_log off;
    types {}
    default_type "application/json; charset=UTF-8";
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    etag off;
    server_tokens off;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    open_file_cache max=64 inactive=60s;
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    server {
        listen 127.0.0.1:$ng_port;
        root $tmp/www;
$ng_locations        location / {
            return 404;
        }
    }
}
EOF
    nginx -p "$tmp/nginx" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf" 2>>"$tmp/nginx/stderr.log" &
    ng_pid=$!
    if bench_wait_http "http://127.0.0.1:$ng_port/" "$ng_pid" 10; then
        break
    fi
    bench_stop_pid "$ng_pid"
    ng_pid=
    if ! grep -q 'Address already in use' "$tmp/nginx/error.log" "$tmp/nginx/stderr.log"; then
        tail -5 "$tmp/nginx/error.log" "$tmp/nginx/stderr.log" >&2
        bench_die "nginx did not start"
    fi
done
[ -n "$ng_pid" ] || bench_die "nginx found no free port in 5 tries"
ng_url="http://127.0.0.1:$ng_port"

for ep in "${ENDPOINTS[@]}"; do
    IFS='|' read -r name path creds <<<"$ep"
    header_args "$creds"
    read -r code hsize bsize ctype < <(curl -s -o "$tmp/nginx/check" \
        -w '%{http_code} %{size_header} %{size_download} %{content_type}\n' "${HARGS[@]}" "$ng_url$path")
    [ "$code" = "${STATUS[$name]}" ] || bench_die "nginx answered $code for $path, cwrite ${STATUS[$name]}"
    [ "$ctype" = "${CTYPE[$name]}" ] || bench_die "nginx's content type for $path is \"$ctype\", cwrite's \"${CTYPE[$name]}\""
    cmp -s "$tmp/nginx/check" "$tmp/www$path" || bench_die "nginx's body for $path differs from cwrite's"
    NG_SIZE[$name]="$hsize + $bsize"
done
sleep 0.5
NG_IDLE_KB=$(bench_tree_kb "$ng_pid" VmRSS)

# ---- wrk --------------------------------------------------------------------------------------
# Runs wrk in the background and samples the server's RSS (its whole process tree) every 100 ms;
# sets PEAK_KB to the largest sample and CPU_TICKS to the CPU time the server used meanwhile.
run_wrk() { # out-file server-pid conns seconds url credentials
    local out=$1 pid=$2 conns=$3 secs=$4 url=$5 rss cpu0
    header_args "$6"
    PEAK_KB=0
    cpu0=$(bench_cpu_ticks "$pid")
    timeout $((secs + 30)) wrk -t"$THREADS" -c"$conns" -d"${secs}s" --latency "${HARGS[@]}" "$url" >"$out" 2>&1 &
    wrk_pid=$!
    while kill -0 "$wrk_pid" 2>/dev/null; do
        rss=$(bench_tree_kb "$pid" VmRSS)
        [ "$rss" -gt "$PEAK_KB" ] && PEAK_KB=$rss
        sleep 0.1
    done
    wait "$wrk_pid" || {
        wrk_pid=
        cat "$out" >&2
        bench_die "wrk failed"
    }
    wrk_pid=
    CPU_TICKS=$(($(bench_cpu_ticks "$pid") - cpu0))
    kill -0 "$pid" 2>/dev/null || bench_die "a server died under load"
}

cpu_us_per_req() { # ticks requests
    awk -v t="$1" -v n="$2" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", (n > 0 ? t * 1e6 / hz / n : 0) }'
}

declare -A URL PID RPS P50 P99 CPU NON2XX ERRS PEAK
URL[cwrite]=$cw_url
URL[nginx]=$ng_url
PID[cwrite]=$cw_pid
PID[nginx]=$ng_pid

for ep in "${ENDPOINTS[@]}"; do
    IFS='|' read -r name path creds <<<"$ep"
    for srv in cwrite nginx; do
        bench_say "warm-up $name $srv (${WARMUP} s)…"
        run_wrk "$tmp/wrk/warmup" "${PID[$srv]}" "$CONNS" "$WARMUP" "${URL[$srv]}$path" "$creds"
    done
    for round in $(seq 1 "$ROUNDS"); do
        # Alternate which server goes first, so that a slow spell of the machine hits both.
        order="cwrite nginx"
        [ $((round % 2)) -eq 0 ] && order="nginx cwrite"
        for srv in $order; do
            bench_say "wrk $name $srv (${DURATION} s, $CONNS connections, round $round/$ROUNDS)…"
            f="$tmp/wrk/$(echo "$name" | tr / _).$srv.$round"
            run_wrk "$f" "${PID[$srv]}" "$CONNS" "$DURATION" "${URL[$srv]}$path" "$creds"
            read -r rps p50 p99 reqs non2xx errs < <(bench_wrk_parse "$f")
            cpu=$(cpu_us_per_req "$CPU_TICKS" "$reqs")
            bench_say "  $srv: $rps req/s, p50 $p50 ms, p99 $p99 ms, $cpu µs CPU/request, $reqs requests, $non2xx non-2xx, $errs socket errors"
            RPS[$name.$srv]+="$rps "
            CPU[$name.$srv]+="$cpu "
            P50[$name.$srv]+="$p50 "
            P99[$name.$srv]+="$p99 "
            NON2XX[$name.$srv]=$((${NON2XX[$name.$srv]:-0} + non2xx))
            ERRS[$name.$srv]=$((${ERRS[$name.$srv]:-0} + errs))
        done
    done
    for srv in cwrite nginx; do
        bench_say "wrk $name $srv (${PEAK_DURATION} s, $PEAK_CONNS connections, peak RSS)…"
        f="$tmp/wrk/$(echo "$name" | tr / _).$srv.peak"
        run_wrk "$f" "${PID[$srv]}" "$PEAK_CONNS" "$PEAK_DURATION" "${URL[$srv]}$path" "$creds"
        read -r rps p50 p99 reqs non2xx errs < <(bench_wrk_parse "$f")
        bench_say "  $srv: $rps req/s, p99 $p99 ms, peak RSS $(bench_mb "$PEAK_KB")"
        PEAK[$name.$srv]=$PEAK_KB
        NON2XX[$name.$srv]=$((${NON2XX[$name.$srv]:-0} + non2xx))
        ERRS[$name.$srv]=$((${ERRS[$name.$srv]:-0} + errs))
    done
done
CW_HWM_KB=$(bench_status_kb "$cw_pid" VmHWM)
NG_HWM_KB=$(bench_tree_kb "$ng_pid" VmHWM)

# ---- report -----------------------------------------------------------------------------------
fmt_rps() { awk -v v="$1" 'BEGIN { printf "%.0f", v }'; }
fmt_ms() { awk -v v="$1" 'BEGIN { printf "%.2f ms", v }'; }
fmt_list() { # numbers -> "1, 2, 3" rounded
    printf '%s\n' "$@" | awk '{ printf "%s%.0f", (NR > 1 ? ", " : ""), $1 }'
}

report() {
    local name path creds rc rn
    echo "## cwrite vs nginx, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "- machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)," \
        "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM;" \
        "load average $LOAD_START at the start, $(cut -d' ' -f1 /proc/loadavg) at the end"
    echo "- ${CW_VERSION:-cwrite} (--threads $THREADS --workers $THREADS," \
        "CWRITE_ACCESS_LOG=0); $(nginx -v 2>&1 | sed 's/^nginx version: //') ($THREADS workers, access_log off," \
        "static files); $(wrk -v 2>&1 | head -1 | awk '{ print "wrk", $2 }')"
    echo "- wrk -t$THREADS -c$CONNS -d${DURATION}s --latency, ${WARMUP} s warm-up, median of $ROUNDS alternating" \
        "rounds; peak RSS sampled every 100 ms during wrk -t$THREADS -c$PEAK_CONNS -d${PEAK_DURATION}s"
    echo
    echo "| endpoint | status | cwrite req/s | nginx req/s | cwrite/nginx | cwrite p50 / p99 | nginx p50 / p99 | CPU µs/req cwrite / nginx | non-2xx cwrite / nginx |"
    echo "|---|---|---:|---:|---:|---|---|---|---|"
    for ep in "${ENDPOINTS[@]}"; do
        IFS='|' read -r name path creds <<<"$ep"
        # shellcheck disable=SC2086
        rc=$(bench_median ${RPS[$name.cwrite]})
        # shellcheck disable=SC2086
        rn=$(bench_median ${RPS[$name.nginx]})
        local note=
        [ "${STATUS[$name]}" != 200 ] && note=" (both)"
        # shellcheck disable=SC2086
        printf '| GET %s | %s | %s | %s | %s× | %s / %s | %s / %s | %s / %s | %s / %s%s |\n' "$path" "${STATUS[$name]}" \
            "$(fmt_rps "$rc")" "$(fmt_rps "$rn")" "$(awk -v a="$rc" -v b="$rn" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')" \
            "$(fmt_ms "$(bench_median ${P50[$name.cwrite]})")" "$(fmt_ms "$(bench_median ${P99[$name.cwrite]})")" \
            "$(fmt_ms "$(bench_median ${P50[$name.nginx]})")" "$(fmt_ms "$(bench_median ${P99[$name.nginx]})")" \
            "$(bench_median ${CPU[$name.cwrite]})" "$(bench_median ${CPU[$name.nginx]})" \
            "${NON2XX[$name.cwrite]}" "${NON2XX[$name.nginx]}" "$note"
    done
    echo
    echo "Each round's req/s, in the order run:"
    echo
    for ep in "${ENDPOINTS[@]}"; do
        IFS='|' read -r name path creds <<<"$ep"
        # shellcheck disable=SC2086
        echo "- GET $path: cwrite $(fmt_list ${RPS[$name.cwrite]}); nginx $(fmt_list ${RPS[$name.nginx]})"
    done
    echo
    echo "| memory | cwrite | nginx (master + workers) |"
    echo "|---|---:|---:|"
    echo "| idle RSS (after start and a few requests) | $(bench_mb "$CW_IDLE_KB") | $(bench_mb "$NG_IDLE_KB") |"
    for ep in "${ENDPOINTS[@]}"; do
        IFS='|' read -r name path creds <<<"$ep"
        echo "| peak RSS, $PEAK_CONNS connections on GET $path | $(bench_mb "${PEAK[$name.cwrite]}") | $(bench_mb "${PEAK[$name.nginx]}") |"
    done
    echo "| VmHWM at the end of the run | $(bench_mb "$CW_HWM_KB") | $(bench_mb "$NG_HWM_KB") (sum) |"
    echo
    echo "Response sizes, headers + body in bytes (cwrite / nginx):"
    for ep in "${ENDPOINTS[@]}"; do
        IFS='|' read -r name path creds <<<"$ep"
        echo "GET $path ${CW_SIZE[$name]} / ${NG_SIZE[$name]}."
    done
    local total_errs=0
    for k in "${!ERRS[@]}"; do total_errs=$((total_errs + ERRS[$k])); done
    if [ "$total_errs" -gt 0 ]; then
        echo "wrk reported $total_errs socket errors in all (see the progress lines)."
    fi
    for ep in "${ENDPOINTS[@]}"; do
        IFS='|' read -r name path creds <<<"$ep"
        for srv in cwrite nginx; do
            if [ "${STATUS[$name]}" = 200 ] && [ "${NON2XX[$name.$srv]}" -gt 0 ]; then
                echo "**$srv answered ${NON2XX[$name.$srv]} requests to GET $path with a status other than 200: its numbers are not comparable.**"
            fi
        done
    done
    if [ "${STATUS[locale/continents]}" != 200 ]; then
        echo "GET /v1/locale/continents answered ${STATUS[locale/continents]}: the Locale service is not implemented yet; both servers served that error."
    fi
    if awk -v l="$LOAD_START" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
        echo "The machine was busy when the run started (load $LOAD_START on $(nproc) CPUs): req/s is noisy; CPU µs per request much less so."
    fi
    return 0
}

results=${BENCH_RESULTS:-$here/results/foundation-$(date -u +%Y-%m-%d).md}
if [ "$results" = - ]; then
    report
else
    mkdir -p "$(dirname "$results")"
    report | tee "$results"
    bench_say "results written to ${results#"$PWD"/}"
fi
for ep in "${ENDPOINTS[@]}"; do
    IFS='|' read -r name path creds <<<"$ep"
    if [ "${STATUS[$name]}" = 200 ] && [ $((NON2XX[$name.cwrite] + NON2XX[$name.nginx])) -gt 0 ]; then
        bench_die "some responses to GET $path were not 200 (see the report)"
    fi
done

if [ -z "$ONLY" ]; then
    # The database and accounts benchmarks get the machine to themselves.
    bench_stop_pid "$ng_pid"
    ng_pid=
    bench_stop_pid "$cw_pid"
    cw_pid=
    bash "$here/db.sh" "$BIN" "$CEILING"
    bash "$here/accounts.sh" "$BIN" "$ARGON2_CEILING"
    bash "$here/events.sh" "$BIN"
fi
