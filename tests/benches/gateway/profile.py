#!/usr/bin/env python3
"""Splits `perf script -F comm,tid,ip,sym` output (DWARF call graphs of `switchboard serve`) by
what the request was doing; used by profile.sh.

Each sample goes to the first category whose names appear anywhere in its stack, so a SQLite
call made from `reserve_request` counts as the reservation, not as SQLite in general.
Usage: profile.py PERF_SCRIPT_OUTPUT SAMPLE_HZ
"""

import collections
import sys

CATEGORIES = [
    ("keychain read (a D-Bus Secret Service connection)", ["Keychain::get_account", "dbus::"]),
    ("ledger writes (reserve, note_generation, settle: group commit)",
     ["switchboard_store::commit::", "reserve_request", "settle_request", "note_generation",
      "switchboard_store::requests::"]),
    ("store read: budgets", ["spend::budgets", "Store>::budgets"]),
    ("store read: model_facts_stamp", ["model_facts_stamp"]),
    ("store read: client_key_by_hash", ["client_key_by_hash"]),
    ("store read: preferences / setting", ["preferences::"]),
    ("store read: custom_providers / extra_keys", ["custom_providers", "extra_keys"]),
    ("store: other", ["switchboard_store::"]),
    ("spawn_blocking hand-offs (spawn, wake, park)", ["blocking::pool", "spawn_blocking"]),
    ("upstream HTTP client (reqwest, hyper client)", ["reqwest::", "hyper::client", "hyper_util::client"]),
    ("gateway dialect parse / encode", ["switchboard_gateway::dialect"]),
    ("engine, providers, router: other", ["switchboard_engine::", "switchboard_providers::", "switchboard_router::"]),
    ("HTTP server (axum, hyper server)", ["axum::", "hyper::"]),
    ("tokio runtime (scheduler, timers, epoll)", ["tokio::"]),
]


def samples(path):
    stack = None
    for line in open(path, errors="replace"):
        if not line.strip():
            if stack:
                yield stack
            stack = None
        elif not line[0].isspace():
            stack = []
        elif stack is not None:
            parts = line.split(None, 1)
            stack.append(parts[1].strip() if len(parts) > 1 else parts[0])
    if stack:
        yield stack


def main():
    counts = collections.Counter()
    total = parsing = sqlite = 0
    for stack in samples(sys.argv[1]):
        total += 1
        text = "\n".join(stack)
        for name, keys in CATEGORIES:
            if any(k in text for k in keys):
                counts[name] += 1
                break
        else:
            counts["other (kernel, libc, unattributed)"] += 1
        if any(f.startswith("sqlite3") for f in stack):
            sqlite += 1
            if any(f.startswith(("sqlite3RunParser", "sqlite3Prepare", "sqlite3LockAndPrepare")) for f in stack):
                parsing += 1
    if not total:
        print("  no samples")
        return
    hz = float(sys.argv[2]) if len(sys.argv) > 2 else 999
    print(f"  {total} samples (~{total / hz * 1000:.0f} ms of CPU)")
    for name, n in counts.most_common():
        print(f"  {100 * n / total:6.1f} %  {name}")
    print(f"  SQLite in all: {100 * sqlite / total:.1f} %, of which compiling statements "
          f"{100 * parsing / total:.1f} %")


if __name__ == "__main__":
    main()
