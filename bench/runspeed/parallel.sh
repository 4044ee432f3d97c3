#!/usr/bin/env bash
# Parallel plans before and after: `planc run` of tiny_gpt serially and
# under dp=2, tp=2 and pp=2, at revision BASE and in the working tree, in
# one run. Both binaries are built first; then every round runs each plan
# with the old binary and then the new one, so that all eight share the
# machine's load. It prints each run's tokens/s (planc run's summary) and
# CPU seconds (user+sys, the one-off compile and the first step
# included), then per plan the medians, the best tokens/s and new/old.
# From the repository root:
#
#   BASE=REV bench/runspeed/parallel.sh [STEPS] [ROUNDS]
#
# Extra planc flags for every run go in PLANC_FLAGS (e.g. --set
# micro_batch=4); PLAN picks another plan file. CI does not run it.
set -euo pipefail
cd "$(dirname "$0")/../.."
STEPS=${1:-30}
ROUNDS=${2:-3}
BASE=${BASE:?BASE=REV: the revision to compare the working tree with}
PLAN=${PLAN:-examples/tiny_gpt.plan}
. bench/runspeed/build.sh

python3 - "$TMP/planc-old" "$TMP/planc-new" "$STEPS" "$ROUNDS" "$PLAN" "$BASE" ${PLANC_FLAGS:-} <<'PY'
import json, os, statistics, subprocess, sys
old, new, steps, rounds, plan, base = sys.argv[1:7]
flags = sys.argv[7:]
plans = {"serial": [], "dp=2": ["--set", "dp=2"], "tp=2": ["--set", "tp=2"], "pp=2": ["--set", "pp=2"]}

def run(binary, extra):
    """tokens/s of planc's summary and the CPU seconds (user+sys) of the run."""
    before = os.times()
    p = subprocess.run([binary, "run", "--json", "--steps", steps, *flags, *extra, plan],
                       stdout=subprocess.PIPE, text=True)
    after = os.times()
    if p.returncode:
        sys.exit(f"{binary} run {' '.join(extra)} failed ({p.returncode})")
    tps = [json.loads(l)["summary"]["tokens_per_s"] for l in p.stdout.splitlines() if '"summary"' in l][0]
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return tps, cpu

got = {(name, side): [] for name in plans for side in ("old", "new")}
for r in range(int(rounds)):
    for name, extra in plans.items():
        for side, binary in (("old", old), ("new", new)):
            tps, cpu = run(binary, extra)
            got[name, side].append((tps, cpu))
            print(f"round {r+1} {name:<7} {side}: {tps:9.0f} tok/s {cpu:6.2f} CPU s", flush=True)
print()
print(f"{'plan':<8} {'old tok/s median (best)':>24} {'new tok/s median (best)':>24} {'new/old median (best)':>22} {'CPU s old → new':>18}")
for name in plans:
    o, n = got[name, "old"], got[name, "new"]
    mo, bo = statistics.median(t for t, _ in o), max(t for t, _ in o)
    mn, bn = statistics.median(t for t, _ in n), max(t for t, _ in n)
    co, cn = statistics.median(c for _, c in o), statistics.median(c for _, c in n)
    print(f"{name:<8} {f'{mo:.0f} ({bo:.0f})':>24} {f'{mn:.0f} ({bn:.0f})':>24} {f'{mn/mo:.2f} ({bn/bo:.2f})':>22} {f'{co:.2f} → {cn:.2f}':>18}")
print(f"old: {base}; new: the working tree; {steps} steps per run, {rounds} rounds; "
      f"load average {open('/proc/loadavg').read().split()[0:3]}")
PY
