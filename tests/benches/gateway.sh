#!/usr/bin/env bash
# Side-by-side benchmark of the local API (issue 15, item 9): the same small chat request sent
# directly to the loopback fake upstream, through `switchboard serve`, and through LiteLLM's
# proxy, in one run, printed as a table. A benchmark, not a test: it asserts nothing and exits 0
# when the run completed, whatever the figures.
#
#   tests/benches/gateway.sh            # full run: 15 s per rate and target, ~5 min once built
#   DURATION=5s tests/benches/gateway.sh
#
# Knobs (environment): RATES (default "100 500 1000"), DURATION (oha -z, default 15s),
# PROBE_SAMPLES (sequential probe rounds, default 500), BENCH_WORK (cached venv and tools,
# default target/gateway-bench; the last run's raw figures go to its last-run/), BENCH_OUT
# (default tests/artifacts/gateway-bench.txt), KEEP_RUN=1 (keep the /tmp run folder too).
#
# What it does:
# - builds the release `switchboard` and `fake-upstream`, installs `oha` from crates.io when
#   missing, and installs LiteLLM's proxy into a throwaway venv under target/ from
#   gateway/litellm-requirements.txt (an exact version, every file hash-checked);
# - starts the fake upstream, `switchboard serve` (env key, throwaway data dir, no keychain)
#   and LiteLLM (empty environment: no credentials, offline cost map, no database, one worker,
#   no retries), all on 127.0.0.1;
# - pins the gateways to CPU 1 and the fake, oha and the probes to CPU 0 (2 cores here), so the
#   direct runs pay the same load-generator contention as the gateway runs and it cancels out;
# - for each rate, runs oha open-loop against direct, Switchboard and LiteLLM in turn (waiting
#   for LiteLLM to work off any backlog before the next run), then the interleaved sequential
#   probes (streamed time to the first `data:` line, and whole non-streamed answers), then
#   reads each process tree's peak RSS.
#
# It only talks to loopback, and every load is bounded in time. The processes it starts are
# stopped on exit (by their own process group ids).

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/tests/benches/gateway"
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
RATES=${RATES:-"100 500 1000"}
DURATION=${DURATION:-15s}
PROBE_SAMPLES=${PROBE_SAMPLES:-500}
BENCH_WORK=${BENCH_WORK:-$TARGET_DIR/gateway-bench}
BENCH_OUT=${BENCH_OUT:-$ROOT/tests/artifacts/gateway-bench.txt}
OHA_VERSION=1.16.0
LOCK="$HERE/litellm-requirements.txt"
MODEL="openai/gpt-4o-mini"
# Fixed fake keys: the fake upstream accepts any non-empty key. No real credential is used.
UPSTREAM_KEY="sk-or-v1-bench-000000000000000000000000000000000000000000000000000000000000"
LITELLM_MASTER_KEY="sk-bench-litellm"

say() { printf 'gateway-bench: %s\n' "$*" >&2; }
fail() { say "$*"; exit 1; }

RUN=$(mktemp -d /tmp/gateway-bench.XXXXXX)
PGIDS=()
cleanup() {
    local pg
    for pg in "${PGIDS[@]}"; do
        kill -TERM -- "-$pg" 2>/dev/null || true
    done
    sleep 0.5
    for pg in "${PGIDS[@]}"; do
        kill -KILL -- "-$pg" 2>/dev/null || true
    done
    if [[ -z ${KEEP_RUN:-} ]]; then rm -rf "$RUN"; else say "run files kept in $RUN"; fi
}
trap cleanup EXIT

# --- CPU pinning ------------------------------------------------------------------------------
if command -v taskset >/dev/null && [[ $(nproc) -ge 2 ]]; then
    LOAD_CPU=(taskset -c 0)
    GW_CPU=(taskset -c 1)
    PINNING="fake upstream, oha and probes on CPU 0; each gateway on CPU 1"
else
    LOAD_CPU=()
    GW_CPU=()
    PINNING="none (taskset missing or fewer than 2 CPUs)"
fi

# --- tools ------------------------------------------------------------------------------------
say "building release binaries"
(cd "$ROOT" && cargo build --release -p switchboard-cli -p switchboard-tests \
    --bin switchboard --bin fake-upstream) >&2
SWITCHBOARD="$TARGET_DIR/release/switchboard"
FAKE="$TARGET_DIR/release/fake-upstream"

export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v oha >/dev/null; then
    say "installing oha $OHA_VERSION from crates.io (about 4 minutes on 2 cores, once)"
    cargo install oha --locked --version "$OHA_VERSION" >&2
fi
OHA=$(command -v oha)

PY=$(command -v python3) || fail "python3 is missing; install Debian's python3 and python3-venv."
if ! "$PY" -c 'import ensurepip, venv' 2>/dev/null; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        say "installing python3-venv"
        apt-get install -y python3-venv >&2
    else
        fail "python3 cannot make a venv; install Debian's python3-venv package."
    fi
fi

# Never a trojaned release (1.82.7, 1.82.8) nor the reported-compromised 1.107.0.
LITELLM_VERSION=$(sed -n 's/^litellm==\([0-9.]*\).*/\1/p' "$LOCK")
case "$LITELLM_VERSION" in
    "" ) fail "no litellm==X pin in $LOCK" ;;
    1.82.7 | 1.82.8 | 1.107.0) fail "litellm $LITELLM_VERSION is a compromised release; pin another" ;;
esac
LOCK_SUM=$(sha256sum "$LOCK" | cut -c1-16)
VENV="$BENCH_WORK/litellm-$LITELLM_VERSION-$LOCK_SUM"
if [[ ! -x $VENV/bin/litellm ]]; then
    say "installing litellm[proxy]==$LITELLM_VERSION into $VENV (hash-checked, about 2 minutes)"
    rm -rf "$VENV"
    mkdir -p "$BENCH_WORK"
    "$PY" -m venv "$VENV"
    # Every file is checked against the lock's hashes; --no-deps: nothing outside the lock.
    env -u PIP_FIND_LINKS "$VENV/bin/pip" install --quiet --disable-pip-version-check \
        --require-hashes --no-deps -r "$LOCK" >&2
    "$VENV/bin/pip" check >&2
fi

# --- services ---------------------------------------------------------------------------------
# Starts "$@" in its own process group (stopped on exit), output to $RUN/$name.log; sets PID.
start() {
    local name=$1
    shift
    setsid "$@" >"$RUN/$name.log" 2>&1 </dev/null &
    PID=$!
    PGIDS+=("$PID")
}

# Waits for `pattern` in $RUN/$name.log, prints the first match.
wait_line() {
    local name=$1 pattern=$2 seconds=$3 line
    for _ in $(seq $((seconds * 10))); do
        if line=$(grep -m1 -o "$pattern" "$RUN/$name.log" 2>/dev/null); then
            printf '%s\n' "$line"
            return 0
        fi
        sleep 0.1
    done
    cat "$RUN/$name.log" >&2
    fail "$name did not print '$pattern' within $seconds s"
}

free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

say "starting the fake upstream"
start fake "${LOAD_CPU[@]}" "$FAKE" --port 0
FAKE_PID=$PID
FAKE_ORIGIN=$(wait_line fake 'http://127\.0\.0\.1:[0-9]*' 30)
UPSTREAM="$FAKE_ORIGIN/openrouter/api/v1"

say "starting switchboard serve"
SB_HOME="$RUN/sb-home"
mkdir -p "$SB_HOME/data"
sb_env=(env -i "PATH=/usr/bin:/bin" "HOME=$SB_HOME" "SWITCHBOARD_DATA_DIR=$SB_HOME/data"
    "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent"
    "OPENROUTER_BASE_URL=$UPSTREAM" "OPENROUTER_API_KEY=$UPSTREAM_KEY")
SB_KEY=$("${sb_env[@]}" "$SWITCHBOARD" api-keys create bench --json \
    | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["key"])')
start switchboard "${sb_env[@]}" "${GW_CPU[@]}" "$SWITCHBOARD" serve --port 0
SB_PID=$PID
SB_ORIGIN=$(wait_line switchboard 'http://127\.0\.0\.1:[0-9]*' 60)

say "starting litellm $LITELLM_VERSION"
LL_HOME="$RUN/litellm-home"
mkdir -p "$LL_HOME"
LL_PORT=$(free_port)
sed -e "s|@MODEL@|$MODEL|g" -e "s|@UPSTREAM@|$UPSTREAM|g" -e "s|@KEY@|$UPSTREAM_KEY|g" \
    -e "s|@MASTER@|$LITELLM_MASTER_KEY|g" "$HERE/litellm.yaml" >"$LL_HOME/litellm.yaml"
# An empty environment: no credentials, no proxies, no database URL.
start litellm env -i "PATH=$VENV/bin:/usr/bin:/bin" "HOME=$LL_HOME" \
    LITELLM_OFFLINE_MODE=true LITELLM_LOCAL_MODEL_COST_MAP=True LITELLM_LOG=ERROR \
    LITELLM_TELEMETRY=False NO_DOCS=True \
    "${GW_CPU[@]}" "$VENV/bin/litellm" --config "$LL_HOME/litellm.yaml" \
    --host 127.0.0.1 --port "$LL_PORT" --num_workers 1
LL_PID=$PID
LL_ORIGIN="http://127.0.0.1:$LL_PORT"
for i in $(seq 240); do
    curl -sf "$LL_ORIGIN/health/liveliness" >/dev/null 2>&1 && break
    kill -0 "$LL_PID" 2>/dev/null || { cat "$RUN/litellm.log" >&2; fail "litellm exited"; }
    [[ $i -eq 240 ]] && { cat "$RUN/litellm.log" >&2; fail "litellm did not start in 120 s"; }
    sleep 0.5
done

# --- targets ----------------------------------------------------------------------------------
declare -A URL KEY PIDOF
URL[direct]="$UPSTREAM/chat/completions"
KEY[direct]="$UPSTREAM_KEY"
PIDOF[direct]=$FAKE_PID
URL[switchboard]="$SB_ORIGIN/v1/chat/completions"
KEY[switchboard]="$SB_KEY"
PIDOF[switchboard]=$SB_PID
URL[litellm]="$LL_ORIGIN/v1/chat/completions"
KEY[litellm]="$LITELLM_MASTER_KEY"
PIDOF[litellm]=$LL_PID
TARGETS=(direct switchboard litellm)

BODY="{\"model\":\"$MODEL\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hi in five words.\"}],\"max_tokens\":16}"
STREAM_BODY="{\"model\":\"$MODEL\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hi in five words.\"}],\"max_tokens\":16,\"stream\":true}"
printf '%s' "$BODY" >"$RUN/body.json"
printf '%s' "$STREAM_BODY" >"$RUN/stream-body.json"

for t in "${TARGETS[@]}"; do
    answer=$(curl -sS -m 30 -H 'Content-Type: application/json' -H "Authorization: Bearer ${KEY[$t]}" \
        -d "$BODY" "${URL[$t]}") || fail "$t: no answer"
    grep -q 'Echo' <<<"$answer" || fail "$t answered without the echo: ${answer:0:300}"
done
say "all three answer; warming up"

oha_run() { # target rate duration out
    "${LOAD_CPU[@]}" "$OHA" -z "$3" -q "$2" --latency-correction --no-tui --output-format json \
        -m POST -H 'Content-Type: application/json' -H "Authorization: Bearer ${KEY[$1]}" \
        -d "$BODY" "${URL[$1]}" >"$4"
}
proc() { "$PY" "$HERE/bench.py" proc --pid "$1"; }
ticks() { proc "$1" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["ticks"])'; }

for t in "${TARGETS[@]}"; do
    oha_run "$t" 50 3s /dev/null
done
"$PY" "$HERE/bench.py" drain --pid "$LL_PID"
for t in "${TARGETS[@]}"; do proc "${PIDOF[$t]}" >"$RUN/rss-idle-$t.json"; done

LOADAVG_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# --- runs -------------------------------------------------------------------------------------
for rate in $RATES; do
    for t in "${TARGETS[@]}"; do
        say "$t at $rate rps for $DURATION"
        before=$(ticks "${PIDOF[$t]}")
        oha_run "$t" "$rate" "$DURATION" "$RUN/chat-$t-$rate.json"
        after=$(ticks "${PIDOF[$t]}")
        printf '{"ticks": %d, "hz": %d}\n' $((after - before)) "$(getconf CLK_TCK)" \
            >"$RUN/cpu-$t-$rate.json"
        # A saturated gateway keeps working through its backlog; the next run must not pay.
        "$PY" "$HERE/bench.py" drain --pid "${PIDOF[$t]}"
    done
done

probe_targets=()
for t in "${TARGETS[@]}"; do probe_targets+=(--target "$t=${URL[$t]}=${KEY[$t]}"); done
say "streamed time-to-first-token probe, $PROBE_SAMPLES rounds"
"${LOAD_CPU[@]}" "$PY" "$HERE/bench.py" probe "${probe_targets[@]}" --stream \
    --body "$RUN/stream-body.json" --n "$PROBE_SAMPLES" --out "$RUN/probe-ttft.json"
say "sequential non-streamed probe, $PROBE_SAMPLES rounds"
"${LOAD_CPU[@]}" "$PY" "$HERE/bench.py" probe "${probe_targets[@]}" \
    --body "$RUN/body.json" --n "$PROBE_SAMPLES" --out "$RUN/probe-seq.json"

for t in "${TARGETS[@]}"; do proc "${PIDOF[$t]}" >"$RUN/rss-$t.json"; done

# --- report -----------------------------------------------------------------------------------
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$ROOT" status --porcelain 2>/dev/null | wc -l)
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
"$PY" - "$RUN/meta.json" <<PY
import json, sys
json.dump({
    "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
    "machine": "$(nproc) CPUs, $(free -g | awk '/^Mem:/ {print $2}') GiB, $(sed -n 's/^PRETTY_NAME=//p' /etc/os-release | tr -d '"')",
    "cpu": "$cpu_model",
    "kernel": "$(uname -sr)",
    "loadavg": "$LOADAVG_BEFORE before the runs, $(cut -d' ' -f1-3 /proc/loadavg) after (1, 5, 15 min; other work on the machine skews every figure)",
    "build": "cargo --release (switchboard, fake-upstream)",
    "commit": "$commit" + (" + $dirty uncommitted path(s)" if $dirty else ""),
    "rustc": "$(rustc -V)",
    "oha": "$("$OHA" --version)",
    "python": "$("$VENV/bin/python" -V)",
    "litellm": "litellm[proxy]==$LITELLM_VERSION, hash-checked lock sha256 $LOCK_SUM...",
    "lock": "tests/benches/gateway/litellm-requirements.txt",
    "pinning": "$PINNING",
    "upstream": "fake-upstream (release), OpenRouter route /openrouter/api/v1, instant echo",
    "request": "POST /v1/chat/completions, model $MODEL, one short user message, max_tokens 16",
    "litellm_setup": "1 worker (uvicorn), no database, num_retries 0, empty environment, offline cost map",
    "switchboard_setup": "serve --port 0, env key, fresh data dir, no keychain, one client key",
    "load": "oha, HTTP/1.1 keep-alive, 50 connections (default)",
    "duration": "$DURATION",
    "rates": "$RATES".split(),
}, open(sys.argv[1], "w"), indent=1)
PY

mkdir -p "$(dirname "$BENCH_OUT")"
"$PY" "$HERE/bench.py" table --run "$RUN" | tee "$BENCH_OUT"
# The raw figures (oha JSON, probes, /proc readings, logs) stay for a closer look.
rm -rf "$BENCH_WORK/last-run"
cp -r "$RUN" "$BENCH_WORK/last-run"
say "written to $BENCH_OUT; raw figures in $BENCH_WORK/last-run"
