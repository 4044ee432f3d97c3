#!/usr/bin/env bash
# Side-by-side training speed of `planc run` at two revisions: BASE (default
# e438283, main before issue 11's one-program work: the runtime with its own
# partition and parameter table) and the working tree. Both binaries are
# built here, then run alternately ROUNDS times on the same plan, so the
# machine's load is the same for both; it prints each run's tokens/s, the
# medians and new/old. From the repository root:
#
#   bench/runspeed/compare.sh [STEPS] [ROUNDS]
#
# BASE=REV picks another old revision; PLAN (default examples/tiny_gpt.plan)
# another plan; extra planc flags go in PLANC_FLAGS. CI does not run it.
set -euo pipefail
cd "$(dirname "$0")/../.."
STEPS=${1:-30}
ROUNDS=${2:-5}
BASE=${BASE:-e438283}
PLAN=${PLAN:-examples/tiny_gpt.plan}
TMP=$(mktemp -d)
trap 'git worktree remove --force "$TMP/old" >/dev/null 2>&1 || true; rm -rf "$TMP"' EXIT
git worktree add --detach "$TMP/old" "$BASE" >/dev/null 2>&1
(cd "$TMP/old" && go build -o "$TMP/planc-old" ./cmd/planc)
go build -o "$TMP/planc-new" ./cmd/planc

tps() { # binary; prints the run's tokens/s
	"$1" run --json --steps "$STEPS" ${PLANC_FLAGS:-} "$PLAN" |
		python3 -c 'import json,sys
for line in sys.stdin:
    d = json.loads(line)
    if "summary" in d: print("%.1f" % d["summary"]["tokens_per_s"])'
}
old=() new=()
printf '%-6s %14s %14s\n' round "old tok/s" "new tok/s"
for r in $(seq "$ROUNDS"); do
	o=$(tps "$TMP/planc-old")
	n=$(tps "$TMP/planc-new")
	old+=("$o") new+=("$n")
	printf '%-6s %14s %14s\n' "$r" "$o" "$n"
done
python3 - "${old[*]}" "${new[*]}" "$BASE" <<'PY'
import statistics, sys
old = [float(x) for x in sys.argv[1].split()]
new = [float(x) for x in sys.argv[2].split()]
mo, mn = statistics.median(old), statistics.median(new)
print(f"median old ({sys.argv[3]}) {mo:.1f} tok/s, new {mn:.1f} tok/s, new/old {mn/mo:.3f}")
PY
