# shellcheck shell=bash
# Helpers for bench/run.sh: ports, processes, memory and wrk output. Sourced, not run.
# Everything here talks to 127.0.0.1 only.

bench_say() {
    echo "bench: $*" >&2
}

bench_die() {
    echo "bench: error: $*" >&2
    exit 1
}

# A loopback port nobody listens on now (a connect is refused). The caller retries if it loses a
# race for it. Stays below the kernel's ephemeral range so wrk's own sockets do not take it.
bench_free_port() {
    local port
    for _ in $(seq 1 50); do
        port=$((20000 + RANDOM % 12000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

# Waits until the file has a line matching the pattern, or the process is gone, or the time is up.
bench_wait_for_line() { # file pattern pid seconds
    local file=$1 pattern=$2 pid=$3 deadline=$((SECONDS + $4))
    while [ $SECONDS -lt $deadline ]; do
        grep -q -- "$pattern" "$file" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

# Waits until a GET on the URL gets any HTTP answer.
bench_wait_http() { # url pid seconds
    local url=$1 pid=$2 deadline=$((SECONDS + $3))
    while [ $SECONDS -lt $deadline ]; do
        curl -s -o /dev/null --max-time 1 "$url" && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

# A field of /proc/<pid>/status in kB (VmRSS, VmHWM), 0 if the process is gone.
bench_status_kb() { # pid field
    awk -v f="$2:" '$1 == f { print $2; found = 1 } END { if (!found) print 0 }' \
        "/proc/$1/status" 2>/dev/null || echo 0
}

# The same field summed over a process and its children (nginx: master and workers).
bench_tree_kb() { # pid field
    local total=0 p
    for p in "$1" $(pgrep -P "$1" 2>/dev/null); do
        total=$((total + $(bench_status_kb "$p" "$2")))
    done
    echo "$total"
}

# Stops a process we started: SIGTERM, up to 5 s, then SIGKILL. Its children too, by their ids.
bench_stop_pid() { # pid
    local pid=$1 kids p
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kids=$(pgrep -P "$pid" 2>/dev/null || true)
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    for p in $kids; do
        kill -KILL "$p" 2>/dev/null || true
    done
}

# Reads a wrk --latency report and prints "rps p50_ms p99_ms requests non2xx socket_errors".
bench_wrk_parse() { # file
    awk '
        function ms(v) {
            if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
            if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
            if (v ~ /s$/)  return substr(v, 1, length(v) - 1) * 1000
            if (v ~ /m$/)  return substr(v, 1, length(v) - 1) * 60000
            return v + 0
        }
        /^Requests\/sec:/ { rps = $2 }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        / requests in / { reqs = $1 }
        /Non-2xx or 3xx responses:/ { non2xx = $NF }
        /Socket errors:/ {
            gsub(",", "")
            errs = $4 + $6 + $8 + $10
        }
        END { printf "%s %.3f %.3f %s %d %d\n", rps + 0, p50, p99, reqs + 0, non2xx, errs }
    ' "$1"
}

# Median of numbers (the mean of the middle two for an even count).
bench_median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print 0; exit }
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

bench_mb() { # kB
    awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'
}

# CPU time (user + system) of a process and its children so far, in clock ticks.
bench_cpu_ticks() { # pid
    local total=0 p t
    for p in "$1" $(pgrep -P "$1" 2>/dev/null); do
        # Fields after the command name, which may hold spaces: utime and stime are 12th and 13th.
        t=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }')
        total=$((total + ${t:-0}))
    done
    echo "$total"
}
