#!/usr/bin/env python3
"""Helpers for tests/benches/gateway.sh, on the standard library only (no venv needed).

  probe  sequential requests, interleaved across targets: time to the first `data:` line of a
         streamed answer (TTFT), or to the end of a whole answer
  proc   CPU ticks, peak RSS (VmHWM) and RSS of a process and all its descendants
  drain  waits until a process tree is idle (a saturated gateway still works through its
         backlog after the load generator stopped; the next run must not pay for it)
  table  the report, from the files the script wrote into its run folder

Written here rather than taken from a benchmark package: the probe must time one exact event
(the first `data:` line) on a kept-alive connection, and the table is this project's own.
"""

import argparse
import json
import os
import socket
import statistics
import sys
import time
import http.client
from urllib.parse import urlsplit

TICKS = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------------
# probe


class Target:
    """One endpoint with its own kept-alive connection."""

    def __init__(self, spec):
        # NAME=URL=KEY (the key may be empty)
        name, url, key = spec.split("=", 2)
        parts = urlsplit(url)
        self.name = name
        self.host = parts.hostname
        self.port = parts.port
        self.path = parts.path
        self.headers = {"Content-Type": "application/json", "Accept": "*/*"}
        if key:
            self.headers["Authorization"] = f"Bearer {key}"
        self.conn = None
        self.samples = []
        self.errors = 0
        self.last_error = ""

    def connect(self):
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        self.conn.connect()
        # Nagle on the client's side would add the server's delayed ACK to every sample.
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def once(self, body, stream):
        """Seconds to the first `data:` line (stream) or to the whole answer; None on error."""
        if self.conn is None:
            self.connect()
        try:
            start = time.perf_counter()
            self.conn.request("POST", self.path, body=body, headers=self.headers)
            resp = self.conn.getresponse()
            if resp.status != 200:
                self.last_error = f"HTTP {resp.status}: {resp.read()[:200]!r}"
                return None
            if stream:
                first = None
                while True:
                    line = resp.readline()
                    if not line:
                        break
                    if line.startswith(b"data:"):
                        first = time.perf_counter()
                        break
                rest = resp.read()
                if first is None:
                    self.last_error = "stream ended without a data: line"
                    return None
                if b"[DONE]" not in rest and b"[DONE]" not in line:
                    self.last_error = "stream did not end with [DONE]"
                    return None
                return first - start
            data = resp.read()
            end = time.perf_counter()
            if b"Echo" not in data:
                self.last_error = f"answer without the echo: {data[:200]!r}"
                return None
            return end - start
        except (OSError, http.client.HTTPException) as err:
            self.last_error = f"{type(err).__name__}: {err}"
            self.conn.close()
            self.conn = None
            return None


def percentile(sorted_values, q):
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return None
    rank = max(1, min(len(sorted_values), round(q / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def summary(samples_s):
    ms = sorted(s * 1000 for s in samples_s)
    if not ms:
        return {"n": 0}
    return {
        "n": len(ms),
        "p50": percentile(ms, 50),
        "p90": percentile(ms, 90),
        "p99": percentile(ms, 99),
        "mean": statistics.fmean(ms),
    }


def probe(args):
    targets = [Target(s) for s in args.target]
    body = json.dumps(json.loads(open(args.body).read())).encode()
    for _ in range(args.warmup):
        for t in targets:
            t.once(body, args.stream)
    for i in range(args.n):
        # Rotate the order each round so that no target always goes first (or last).
        k = i % len(targets)
        for t in targets[k:] + targets[:k]:
            took = t.once(body, args.stream)
            if took is None:
                t.errors += 1
            else:
                t.samples.append(took)
    out = {}
    for t in targets:
        out[t.name] = summary(t.samples) | {"errors": t.errors, "last_error": t.last_error}
    json.dump(out, open(args.out, "w"), indent=1)


# ---------------------------------------------------------------------------------------------
# proc / drain


def tree(root):
    """`root` and every process descended from it."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def proc_figures(root):
    """(cpu ticks, summed VmHWM KiB, summed VmRSS KiB, processes) of `root`'s tree."""
    ticks = hwm = rss = count = 0
    for pid in tree(root):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/status") as f:
                status = f.read()
        except OSError:
            continue
        # utime, stime, cutime, cstime (fields 14-17 of stat; here counted after the name)
        ticks += sum(int(x) for x in fields[11:15])
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                hwm += int(line.split()[1])
            elif line.startswith("VmRSS:"):
                rss += int(line.split()[1])
        count += 1
    return ticks, hwm, rss, count


def proc(args):
    ticks, hwm, rss, count = proc_figures(args.pid)
    print(json.dumps({"ticks": ticks, "hz": TICKS, "hwm_kib": hwm, "rss_kib": rss, "procs": count}))


def drain(args):
    """Returns once the tree used under 3 % of a core for two half-second windows running."""
    deadline = time.monotonic() + args.max_seconds
    quiet = 0
    last = proc_figures(args.pid)[0]
    while time.monotonic() < deadline and quiet < 2:
        time.sleep(0.5)
        now = proc_figures(args.pid)[0]
        busy = (now - last) / TICKS / 0.5
        last = now
        quiet = quiet + 1 if busy < 0.03 else 0


# ---------------------------------------------------------------------------------------------
# table

GATEWAYS = ("switchboard", "litellm")
TARGETS = ("direct",) + GATEWAYS
HELD_P99_MS = 10.0


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def oha_figures(run, target, rate):
    """Latency figures (ms), success and achieved rate of one oha run."""
    data = load(os.path.join(run, f"chat-{target}-{rate}.json"))
    if data is None:
        return None
    s = data.get("summary", {})
    pct = data.get("latencyPercentiles", {})
    codes = data.get("statusCodeDistribution", {})
    errors = data.get("errorDistribution", {})
    ok = int(codes.get("200", 0))
    # Requests still waiting for their start slot or in flight when the run's time is up are
    # cut off by oha ("aborted due to deadline"): not failures, but not answers either.
    cut = int(errors.pop("aborted due to deadline", 0))
    sent = sum(int(v) for v in codes.values()) + sum(int(v) for v in errors.values())
    cpu = load(os.path.join(run, f"cpu-{target}-{rate}.json")) or {}

    def ms(key):
        v = pct.get(key)
        return None if v is None else v * 1000

    return {
        "p50": ms("p50"),
        "p90": ms("p90"),
        "p99": ms("p99"),
        "p999": ms("p99.9"),
        "ok": ok,
        "sent": sent,
        "success": ok / sent if sent else 0.0,
        "rps": ok / s["total"] if s.get("total") else None,
        "cut": cut,
        "cpu_ms_per_req": (cpu["ticks"] / cpu["hz"] * 1000 / ok) if cpu and ok else None,
        "errors": errors,
    }


def fmt(v, width=7, digits=2):
    if v is None:
        return "-".rjust(width)
    if abs(v) >= 1000:
        return f"{v:.0f}".rjust(width)
    return f"{v:.{digits}f}".rjust(width)


def held(fig, rate):
    """A rate is held when p99 < 10 ms, ≥ 99.9 % succeed and ≥ 95 % of the rate was sent."""
    return (
        fig is not None
        and fig["p99"] is not None
        and fig["p99"] < HELD_P99_MS
        and fig["success"] >= 0.999
        and (fig["rps"] or 0) >= 0.95 * rate
    )


def ratio(litellm_added, sb_added):
    """How many times less Switchboard adds; Switchboard's figure floored at 0.01 ms."""
    if litellm_added is None or sb_added is None:
        return None, ""
    floor = sb_added < 0.01
    return litellm_added / max(sb_added, 0.01), ("≥" if floor else "")


def table(args):
    run = args.run
    meta = load(os.path.join(run, "meta.json")) or {}
    rates = [int(r) for r in meta.get("rates", [])]
    lines = []
    w = lines.append
    w("Switchboard local API benchmark: direct vs `switchboard serve` vs LiteLLM proxy")
    w("=" * 90)
    for key in ("date", "machine", "cpu", "kernel", "loadavg", "build", "commit", "rustc",
                "oha", "python", "litellm", "lock", "pinning", "upstream", "request",
                "litellm_setup", "switchboard_setup", "load"):
        if key in meta:
            w(f"{key + ':':<19}{meta[key]}")
    w("")
    w(f"1. Non-streamed chat, open loop: oha -z {meta.get('duration', '?')} -q RATE "
      "--latency-correction (latency in ms; added = gateway - direct at the same percentile)")
    w("")
    head = (f"{'rate':>5}  {'target':<12}{'ok %':>7}{'cut':>6}{'got/s':>8}{'p50':>8}{'p90':>8}{'p99':>8}"
            f"{'p99.9':>8}{'+p50':>8}{'+p99':>8}{'cpu ms/req':>11}")
    w(head)
    w("-" * len(head))
    figs = {}
    for rate in rates:
        for t in TARGETS:
            figs[(t, rate)] = oha_figures(run, t, rate)
        direct = figs[("direct", rate)]
        for t in TARGETS:
            f = figs[(t, rate)]
            if f is None:
                w(f"{rate:>5}  {t:<12}  (no result)")
                continue
            add50 = add99 = None
            if t != "direct" and direct and f["p50"] is not None and direct["p50"] is not None:
                add50 = f["p50"] - direct["p50"]
                add99 = f["p99"] - direct["p99"]
            f["add50"], f["add99"] = add50, add99
            w(f"{rate if t == 'direct' else '':>5}  {t:<12}{f['success'] * 100:>7.2f}{f['cut']:>6}"
              f"{fmt(f['rps'], 8, 0)}{fmt(f['p50'], 8)}{fmt(f['p90'], 8)}{fmt(f['p99'], 8)}"
              f"{fmt(f['p999'], 8)}{fmt(add50, 8)}{fmt(add99, 8)}{fmt(f['cpu_ms_per_req'], 11, 3)}")
            if f["errors"]:
                shown = ", ".join(f"{k} x{v}" for k, v in list(f["errors"].items())[:3])
                w(f"{'':>5}  {'':<12}errors: {shown}")
        w("")

    w("2. Sequential probes (one request at a time, targets interleaved), ms")
    w("")
    probes = {}
    for kind, label in (("ttft", "streamed: time to first data: line"),
                        ("seq", "non-streamed: whole answer")):
        p = load(os.path.join(run, f"probe-{kind}.json"))
        probes[kind] = p
        if p is None:
            w(f"  {label}: (no result)")
            continue
        d = p.get("direct", {})
        w(f"  {label}, {d.get('n', 0)} samples each")
        ph = f"  {'target':<12}{'p50':>8}{'p90':>8}{'p99':>8}{'+p50':>8}{'+p99':>8}{'errors':>8}"
        w(ph)
        for t in TARGETS:
            r = p.get(t)
            if not r or not r.get("n"):
                w(f"  {t:<12}  (no samples; {r.get('last_error', '') if r else ''})")
                continue
            a50 = a99 = None
            if t != "direct" and d.get("n"):
                a50, a99 = r["p50"] - d["p50"], r["p99"] - d["p99"]
            r["add50"], r["add99"] = a50, a99
            w(f"  {t:<12}{fmt(r['p50'], 8)}{fmt(r['p90'], 8)}{fmt(r['p99'], 8)}{fmt(a50, 8)}"
              f"{fmt(a99, 8)}{r['errors']:>8}")
            if r["errors"]:
                w(f"  {'':<12}last error: {r['last_error'][:100]}")
        w("")

    w(f"3. Highest tested rate held (p99 < {HELD_P99_MS:g} ms, >= 99.9 % OK, >= 95 % of the rate "
      "sent)")
    w("")
    for t in TARGETS:
        best = [r for r in rates if held(figs.get((t, r)), r)]
        shown = f"{max(best)} rps" if best else f"none of {', '.join(map(str, rates))} rps"
        w(f"  {t:<12}{shown}")
    w("")

    w("4. Memory: peak RSS (VmHWM) after all runs, and RSS once warmed up, before the runs (MB =")
    w("   10^6 bytes; a process tree's figures summed)")
    w("")
    rss = {}
    for t, label in (("switchboard", "switchboard serve"), ("litellm", "litellm proxy"),
                     ("direct", "fake upstream *")):
        r = load(os.path.join(run, f"rss-{t}.json"))
        idle = load(os.path.join(run, f"rss-idle-{t}.json"))
        rss[t] = r
        if r:
            warm = f"{idle['rss_kib'] * 1024 / 1e6:.1f} MB warmed up, " if idle else ""
            w(f"  {label:<19}{r['hwm_kib'] * 1024 / 1e6:>8.1f} MB peak ({warm}{r['procs']} process"
              f"{'es' if r['procs'] != 1 else ''})")
    w("  * the fake keeps every request it served in memory: it grows with the run, no baseline")
    w("")

    w("5. Switchboard against its targets")
    w("")
    verdicts = []

    def verdict(label, value, ok, shown):
        verdicts.append(ok)
        mark = "-" if ok is None else ("PASS" if ok else "MISS")
        w(f"  [{mark:>4}] {label:<52}{shown}")

    def added(rate, key):
        f = figs.get(("switchboard", rate))
        return None if f is None else f.get(key)

    # The rows of `.ci/bench`'s table (figure|value|unit|baseline|goal), printed after the table.
    rows = []

    def row(figure, value, unit, baseline, goal):
        if value is not None:
            base = "-" if baseline is None else f"{baseline:.3f}"
            rows.append(f"BENCH|local API: {figure}|{value:.3f}|{unit}|{base}|{goal}")

    for rate, limit in ((100, 1.0), (1000, 2.0)):
        if rate in rates:
            v = added(rate, "add99")
            verdict(f"added p99 at {rate} rps <= {limit:g} ms", v,
                    None if v is None else v <= limit, f"{fmt(v, 0)} ms")
            row(f"added p99 at {rate} rps", v, "ms", None, f"<= {limit:g}")
    ttft = (probes.get("ttft") or {}).get("switchboard") or {}
    v = ttft.get("add50")
    verdict("streamed TTFT added (p50) <= 1 ms", v, None if v is None else v <= 1.0,
            f"{fmt(v, 0)} ms (p99 added {fmt(ttft.get('add99'), 0)} ms)")
    row("streamed time to first token added, p50", v, "ms", None, "<= 1")
    r = rss.get("switchboard")
    v = r["hwm_kib"] * 1024 / 1e6 if r else None
    verdict("peak RSS of serve <= 50 MB", v, None if v is None else v <= 50, f"{fmt(v, 0, 1)} MB")
    row("peak RSS of serve", v, "MB", None, "<= 50")
    for rate in rates:
        f_sb, f_ll = figs.get(("switchboard", rate)), figs.get(("litellm", rate))
        if not f_sb or not f_ll:
            continue
        parts, oks = [], []
        for key, name in (("add50", "p50"), ("add99", "p99")):
            x, floor = ratio(f_ll.get(key), f_sb.get(key))
            if x is None:
                continue
            oks.append(x >= 10)
            parts.append(f"{name} {floor}{x:.0f}x")
        note = ""
        if not held(f_ll, rate):
            note = (f" (LiteLLM saturated: {f_ll['rps'] or 0:.0f}/s answered of {rate}/s, "
                    f"{f_ll['success'] * 100:.1f} % OK)")
        verdict(f"10x less added latency than LiteLLM at {rate} rps", None,
                all(oks) if oks else None, ", ".join(parts) + note)
        row(f"added p99 at {rate} rps against LiteLLM's", f_sb.get("add99"), "ms",
            f_ll.get("add99"), "ratio <= 0.1")
    ll = (probes.get("ttft") or {}).get("litellm") or {}
    x, floor = ratio(ll.get("add50"), ttft.get("add50"))
    if x is not None:
        verdict("10x less added TTFT than LiteLLM (p50)", None, x >= 10, f"{floor}{x:.0f}x")
    w("")
    missed = sum(1 for v in verdicts if v is False)
    w(f"  {missed} target(s) missed" if missed else "  every target met")
    w("")
    lines.extend(rows)
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    pr = sub.add_parser("probe")
    pr.add_argument("--target", action="append", required=True, help="NAME=URL=KEY")
    pr.add_argument("--body", required=True, help="a file with the JSON request body")
    pr.add_argument("--n", type=int, default=500)
    pr.add_argument("--warmup", type=int, default=20)
    pr.add_argument("--stream", action="store_true")
    pr.add_argument("--out", required=True)
    pc = sub.add_parser("proc")
    pc.add_argument("--pid", type=int, required=True)
    dr = sub.add_parser("drain")
    dr.add_argument("--pid", type=int, required=True)
    dr.add_argument("--max-seconds", type=float, default=60)
    tb = sub.add_parser("table")
    tb.add_argument("--run", required=True)
    args = p.parse_args()
    {"probe": probe, "proc": proc, "drain": drain, "table": table}[args.cmd](args)


if __name__ == "__main__":
    main()
