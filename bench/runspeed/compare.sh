#!/usr/bin/env bash
# Side-by-side training speed of `planc run` at two revisions: BASE (default
# e438283, main before issue 11's one-program work: the runtime with its own
# partition and parameter table) and the working tree. Both binaries are
# built here, then run alternately ROUNDS times on the same plan, so the
# machine's load is the same for both; it prints each run's tokens/s (as
# planc run's summary reports it) and CPU seconds, the medians, the best
# tokens/s (the least disturbed run on a loaded machine) and new/old. From
# the repository root:
#
#   bench/runspeed/compare.sh [STEPS] [ROUNDS]
#
# BASE=REV picks another old revision; PLAN (default examples/tiny_gpt.plan)
# another plan; extra planc flags go in PLANC_FLAGS. CI does not run it.
set -euo pipefail
cd "$(dirname "$0")/../.."
STEPS=${1:-30}
ROUNDS=${2:-9}
BASE=${BASE:-e438283}
PLAN=${PLAN:-examples/tiny_gpt.plan}
. bench/runspeed/build.sh

python3 - "$TMP/planc-old" "$TMP/planc-new" "$STEPS" "$ROUNDS" "$PLAN" "$BASE" ${PLANC_FLAGS:-} <<'PY'
import json, os, statistics, subprocess, sys
old, new, steps, rounds, plan, base = sys.argv[1:7]
flags = sys.argv[7:]

def run(binary):
    """tokens/s of planc's summary and the CPU seconds (user+sys) of the run."""
    p = subprocess.Popen([binary, "run", "--json", "--steps", steps, *flags, plan], stdout=subprocess.PIPE, text=True)
    out, _ = p.communicate()
    if p.returncode:
        sys.exit(f"{binary} run failed ({p.returncode})")
    tps = [json.loads(l)["summary"]["tokens_per_s"] for l in out.splitlines() if '"summary"' in l][0]
    return tps

def cpu_of(fn, binary):
    before = os.times()
    tps = fn(binary)
    after = os.times()
    return tps, (after.children_user - before.children_user) + (after.children_system - before.children_system)

rows = {"old": [], "new": []}
print(f"{'round':<6} {'old tok/s':>10} {'old CPU s':>10} {'new tok/s':>10} {'new CPU s':>10}")
for r in range(int(rounds)):
    o = cpu_of(run, old)
    n = cpu_of(run, new)
    rows["old"].append(o)
    rows["new"].append(n)
    print(f"{r+1:<6} {o[0]:>10.1f} {o[1]:>10.2f} {n[0]:>10.1f} {n[1]:>10.2f}")
def summary(k):
    t = [x[0] for x in rows[k]]
    c = [x[1] for x in rows[k]]
    return statistics.median(t), max(t), statistics.median(c)
mo, bo, co = summary("old")
mn, bn, cn = summary("new")
print(f"old ({base}): median {mo:.1f} tok/s, best {bo:.1f} tok/s, median {co:.2f} CPU s per run")
print(f"new (working tree): median {mn:.1f} tok/s, best {bn:.1f} tok/s, median {cn:.2f} CPU s per run")
print(f"new/old: median tok/s {mn/mo:.3f}, best tok/s {bn/bo:.3f}, CPU s per run {cn/co:.3f} (CPU time includes the one-off compile at start)")
PY
