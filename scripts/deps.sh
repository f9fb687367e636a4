#!/usr/bin/env bash
# Installs what cwrite needs to build, run, test and benchmark on Debian 12.
# Idempotent and quiet when everything is already there.
set -euo pipefail

cd "$(dirname "$0")/.."

PACKAGES=(
    build-essential pkg-config clang libclang-rt-14-dev
    libh2o-evloop-dev libwslay-dev libuv1-dev libjansson-dev libsqlite3-dev libssl-dev
    libargon2-dev libcrypt-dev libcurl4-openssl-dev libmaxminddb-dev zlib1g-dev libcmocka-dev
    libspatialite-dev
    wrk nginx-light curl procps openssl python3
)
# Node.js brings npm with it on some repositories and conflicts with Debian's npm package there.
command -v node >/dev/null 2>&1 || PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)

missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "deps: missing packages: ${missing[*]} (run as root or install them)" >&2
        exit 1
    fi
    echo "deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The end-to-end tests' npm packages, pinned by the lockfile.
e2e=tests/e2e
if [ -f "$e2e/package-lock.json" ]; then
    stamp="$e2e/node_modules/.deps-stamp"
    if [ ! -f "$stamp" ] || [ "$e2e/package-lock.json" -nt "$stamp" ]; then
        echo "deps: installing npm packages for $e2e"
        (cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
        touch "$stamp"
    fi
fi
