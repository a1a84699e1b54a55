#!/usr/bin/env bash
# Where `switchboard serve` spends a request, for whoever works on the engine's send path:
#
#   tests/benches/gateway/profile.sh [N]     # N sequential requests (default 1000)
#
# Starts the release fake upstream (CPU 0) and `switchboard serve` (CPU 1) as the benchmark
# does, then, for the same small non-streamed chat request:
#   1. counts calls per request with uprobes on the release binary (SQL statements compiled,
#      write transactions, WAL commits and fsyncs, spawn_blocking hand-offs, keychain reads,
#      D-Bus connections, every switchboard_store function);
#   2. counts syscalls per request (strace -c);
#   3. samples CPU with DWARF call graphs at 200 requests/s and splits it by what the request
#      was doing (bench.py's categories live in profile.py).
# Needs root and perf with uprobes (`perf probe`); takes about a minute. Build first
# (tests/benches/gateway.sh does) or let this build. Loopback only; everything it starts or
# adds (processes, probes) is removed on exit.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
HERE="$ROOT/tests/benches/gateway"
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
N=${1:-1000}
export PATH="$HOME/.cargo/bin:$PATH"
command -v perf >/dev/null || { echo "profile: perf is missing (apt-get install linux-perf)" >&2; exit 1; }
command -v oha >/dev/null || { echo "profile: oha is missing (cargo install oha --locked)" >&2; exit 1; }

(cd "$ROOT" && cargo build --release -p switchboard-cli -p switchboard-tests \
    --bin switchboard --bin fake-upstream) >&2
SB="$TARGET_DIR/release/switchboard"
FAKE="$TARGET_DIR/release/fake-upstream"

RUN=$(mktemp -d /tmp/gateway-profile.XXXXXX)
PGIDS=()
cleanup() {
    perf probe -q -d 'probe_switchboard:*' 2>/dev/null || true
    for pg in "${PGIDS[@]}"; do kill -TERM -- "-$pg" 2>/dev/null || true; done
    rm -rf "$RUN"
}
trap cleanup EXIT

wait_origin() {
    for _ in $(seq 300); do
        if o=$(grep -m1 -o 'http://127\.0\.0\.1:[0-9]*' "$1" 2>/dev/null); then echo "$o"; return; fi
        sleep 0.1
    done
    cat "$1" >&2
    exit 1
}

setsid taskset -c 0 "$FAKE" --port 0 >"$RUN/fake.log" 2>&1 </dev/null &
PGIDS+=($!)
UPSTREAM="$(wait_origin "$RUN/fake.log")/openrouter/api/v1"
mkdir -p "$RUN/home/data"
sb_env=(env -i "PATH=/usr/bin:/bin" "HOME=$RUN/home" "SWITCHBOARD_DATA_DIR=$RUN/home/data"
    "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent"
    "OPENROUTER_BASE_URL=$UPSTREAM" "OPENROUTER_API_KEY=sk-or-v1-profile-0000000000000000")
KEY=$("${sb_env[@]}" "$SB" api-keys create profile --json \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["key"])')
setsid "${sb_env[@]}" taskset -c 1 "$SB" serve --port 0 >"$RUN/sb.log" 2>&1 </dev/null &
SB_PID=$!
PGIDS+=("$SB_PID")
URL="$(wait_origin "$RUN/sb.log")/v1/chat/completions"
BODY='{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"Say hi in five words."}],"max_tokens":16}'
load() { # oha arguments before the URL
    taskset -c 0 oha --no-tui "$@" -m POST -H 'Content-Type: application/json' \
        -H "Authorization: Bearer $KEY" -d "$BODY" "$URL" >/dev/null
}
load -n 300 -c 1 # warm: connections, caches, the catalogue

echo "== 1. calls per request ($N sequential requests) =="
# What to count, by demangled name: SQLite's and tokio's internals that mark a statement, a
# commit or a hand-off, the keychain, and every function of the store.
nm "$SB" | awk '$2 ~ /^[tT]$/ {print $3}' >"$RUN/mangled.txt"
c++filt <"$RUN/mangled.txt" | paste - "$RUN/mangled.txt" | python3 -c '
import re, sys
want = re.compile(r"^(sqlite3LockAndPrepare|sqlite3_step|pagerWalFrames|unixSync"
                  r"|switchboard_store::.*|switchboard_engine::keychain::Keychain::get_account"
                  r"|switchboard_engine::providers::effective_key"
                  r"|dbus::blocking::Connection::new_session"
                  r"|tokio::runtime::blocking::pool::Spawner::spawn_task)(::h[0-9a-f]+)?$")
for line in sys.stdin:
    name, mangled = line.rstrip("\n").split("\t")
    if want.match(name) and "closure" not in name and "drop_in_place" not in name:
        print(f"{name}\t{mangled}")
' >"$RUN/syms.tsv"
i=0
: >"$RUN/probes.tsv"
while IFS=$'\t' read -r name mangled; do
    i=$((i + 1))
    if perf probe -q --no-demangle -x "$SB" -a "p$i=$mangled" 2>/dev/null; then
        printf 'p%s\t%s\n' "$i" "$name" >>"$RUN/probes.tsv"
    fi
done <"$RUN/syms.tsv"
( sleep 1; load -n "$N" -c 1 ) &
perf stat -a -x, -e 'probe_switchboard:*' -o "$RUN/stat.csv" -- sleep $((N / 300 + 4))
wait $!
python3 - "$RUN/probes.tsv" "$RUN/stat.csv" "$N" <<'PY'
import re, sys
names = dict(l.rstrip("\n").split("\t", 1) for l in open(sys.argv[1]))
n = int(sys.argv[3])
rows = []
for line in open(sys.argv[2]):
    f = line.split(",")
    if len(f) > 3 and f[2].startswith("probe_switchboard:") and f[0].isdigit() and int(f[0]):
        rows.append((int(f[0]) / n, re.sub(r"::h[0-9a-f]+$", "", names[f[2].split(":")[1]])))
label = {"sqlite3LockAndPrepare": "SQL statements compiled (no cached statement)",
         "sqlite3_step": "SQL statement steps", "pagerWalFrames": "commits that wrote WAL frames",
         "unixSync": "fsyncs (WAL checkpoints)",
         "tokio::runtime::blocking::pool::Spawner::spawn_task": "spawn_blocking hand-offs",
         "dbus::blocking::Connection::new_session": "D-Bus connections opened"}
for per, name in sorted(rows, key=lambda r: -r[0]):
    print(f"  {per:8.3f}  {label.get(name, name)}")
PY
perf probe -q -d 'probe_switchboard:*' 2>/dev/null || true

echo
echo "== 2. syscalls per request ($N sequential requests, strace -c) =="
strace -c -f -p "$SB_PID" -o "$RUN/strace.txt" &
ST=$!
sleep 1
load -n "$N" -c 1
kill -INT "$ST"
wait "$ST" 2>/dev/null || true
awk -v n="$N" 'NR > 2 && $4 ~ /^[0-9]+$/ {printf "  %8.2f  %s\n", $4 / n, $NF}' "$RUN/strace.txt" | sort -rn | head -14

echo
echo "== 3. CPU by activity (perf, DWARF call graphs, 200 requests/s for 5 s) =="
( sleep 0.5; load -z 5s -q 200 ) &
perf record -q -F 999 --call-graph dwarf,32768 -p "$SB_PID" -o "$RUN/perf.data" -- sleep 6 2>/dev/null
wait $!
perf script -i "$RUN/perf.data" -F comm,tid,ip,sym 2>/dev/null >"$RUN/perf.script"
python3 "$HERE/profile.py" "$RUN/perf.script" 1000
