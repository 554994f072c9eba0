#!/usr/bin/env python3
"""bench.smoke (CTest): the model bench runs end to end and prints well-formed results.

usage: bench/smoke_check.py INLAY_MODEL_BENCH WORK_DIR

Runs inlay_model_bench on bench/models/tiny_mlp (one-shot JSON, 1 and 2 threads, and the --serve
protocol), on a broken model (must report an error, not crash), and tools/bench-models on
bench/models without ONNX Runtime. Checks the shape of every result and that the outputs match
the reference; never the time itself (CI machines vary). Needs no Node.
"""
import json
import math
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = os.path.join(REPO, "bench", "models", "tiny_mlp")
failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)
        print("FAILED:", what)


def positive(x):
    return isinstance(x, (int, float)) and math.isfinite(x) and x > 0


def check_timing(r, runs, what):
    expect(r.get("tool") == "inlay" and r.get("model") == "tiny_mlp", f"{what}: tool/model {r}")
    expect(r.get("n", 0) >= runs, f"{what}: n = {r.get('n')} < {runs}")
    for k in ("median_ms", "p10_ms", "p90_ms", "load_ms", "first_run_ms", "peak_rss_kib"):
        expect(positive(r.get(k)), f"{what}: {k} = {r.get(k)!r}")
    if all(positive(r.get(k)) for k in ("median_ms", "p10_ms", "p90_ms")):
        expect(r["p10_ms"] <= r["median_ms"] <= r["p90_ms"], f"{what}: p10 <= median <= p90")
    c = r.get("check", {})
    expect(c.get("problem") == "" and c.get("max_abs_err") is not None and
           c["max_abs_err"] <= 1e-5 + 1e-3 * c.get("max_abs_ref", 0),
           f"{what}: outputs differ from the reference: {c}")


def run_json(cmd, what, status=0):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    expect(p.returncode == status, f"{what}: exit status {p.returncode}, expected {status}; "
                                   f"stderr: {p.stderr.strip()[-300:]}")
    try:
        return [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    except json.JSONDecodeError as e:
        expect(False, f"{what}: output is not JSON lines ({e}): {p.stdout[:300]}")
        return []


def main():
    exe, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)

    for threads in (1, 2):
        out = run_json([exe, TINY, "--json", "--runs", "5", "--min-time", "0", "--warmup", "1",
                        "--threads", str(threads)], f"--json --threads {threads}")
        expect(len(out) == 1, f"--threads {threads}: one JSON line, got {len(out)}")
        if out:
            check_timing(out[0], 5, f"--threads {threads}")
            expect(out[0].get("threads") == threads, f"--threads {threads}: threads field")

    p = subprocess.run([exe, TINY, "--serve", "--warmup", "1"], input="0 3 3\n0 4 4\n",
                       capture_output=True, text=True, timeout=300)
    try:
        lines = [json.loads(line) for line in p.stdout.splitlines()]
    except json.JSONDecodeError:
        lines = []
    expect(p.returncode == 0 and len(lines) == 4, f"--serve: 4 lines, got {p.stdout[:300]}")
    if len(lines) == 4:
        expect(lines[0].get("ready") is True and positive(lines[0].get("load_ms")), "--serve ready")
        expect(len(lines[1].get("times_ms", [])) == 3 and len(lines[2].get("times_ms", [])) == 4,
               "--serve: each batch answers MIN_RUNS..MAX_RUNS times")
        expect(all(positive(t) for t in lines[1]["times_ms"] + lines[2]["times_ms"]),
               "--serve: times are positive")
        expect(lines[3].get("done") is True and positive(lines[3].get("peak_rss_kib")),
               "--serve: done line with peak memory")

    broken = os.path.join(work, "broken")
    os.makedirs(os.path.join(broken, "test_data_set_0"), exist_ok=True)
    with open(os.path.join(broken, "model.onnx"), "wb") as f:
        f.write(b"\x0a\xff\xff\xff")  # a truncated protobuf field
    out = run_json([exe, broken, "--json"], "broken model", status=2)
    expect(len(out) == 1 and out[0].get("error"), f"broken model: an error line, got {out}")

    report = os.path.join(work, "results.json")
    p = subprocess.run([sys.executable, os.path.join(REPO, "tools", "bench-models"),
                        os.path.join(REPO, "bench", "models"), "--driver", exe, "--no-ort",
                        "--min-time", "0.01", "--rounds", "2", "--warmup", "1", "--json", report],
                       capture_output=True, text=True, timeout=300)
    expect(p.returncode == 0, f"tools/bench-models: status {p.returncode}: {p.stderr[-300:]}")
    expect("tiny_mlp" in p.stdout and "inlay 1T ms" in p.stdout, "tools/bench-models: table")
    if p.returncode == 0:
        with open(report) as f:
            r = json.load(f)
        models = {m["model"]: m for m in r["models"]}
        expect(sorted(models) == ["identity", "tiny_mlp"], f"bench-models: models {sorted(models)}")
        for name, m in models.items():
            for t in ("1", "2"):
                s = m["threads"][t]["inlay"]
                expect(not s.get("error") and s.get("n", 0) >= 2 * 3 and positive(s["median_ms"])
                       and s.get("output") == "ok", f"bench-models: {name} {t} thread(s): {s}")

    print(f"bench.smoke: {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
