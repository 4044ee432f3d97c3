#!/usr/bin/env bash
# Side-by-side training speed: planc run (Go kernels, and the generated LLVM
# kernels when llc is installed) against PyTorch's eager CPU runtime on one
# and two threads, on tiny_gpt's shape and on the same model at hidden 256,
# 8 heads, ffn 1024. Every row is measured in this one run, so the machine's
# load is the same for all of them. From the repository root:
#
#   bench/torch/compare.sh [STEPS]
#
# Needs Debian's python3-torch (apt-get install python3-torch); CI does not
# run it. Extra planc flags (e.g. --set dp=2) go in PLANC_FLAGS.
set -euo pipefail
cd "$(dirname "$0")/../.."
STEPS=${1:-60}
PY=${PYTHON:-/usr/bin/python3}
if ! "$PY" -c 'import torch' 2>/dev/null; then
	echo "compare.sh: $PY has no torch module: apt-get install python3-torch (or set PYTHON)" >&2
	exit 2
fi
TOKENS=512 # tokens per step: tiny_gpt's global batch 8 × seq 64, as gpt.py's defaults
BIN=$(mktemp -d)/planc
tags=""
if command -v llc >/dev/null 2>&1 || command -v llc-14 >/dev/null 2>&1; then tags="planc_llvm"; fi
go build -tags "$tags" -o "$BIN" ./cmd/planc

WARMUP=10 # steps left out of both sides' figures (gpt.py's --warmup)
planc_tps() { # shape flags...; prints tokens/s over the steps after WARMUP
	"$BIN" run --json --steps $((STEPS + WARMUP)) ${PLANC_FLAGS:-} "$@" examples/tiny_gpt.plan |
		"$PY" -c 'import json,sys
tokens, secs = '"$TOKENS"', 0.0
for line in sys.stdin:
    d = json.loads(line)
    if d.get("step", 0) > '"$WARMUP"': secs += tokens / d["tokens_per_s"]
print("%.0f" % ('"$STEPS"' * tokens / secs))'
}
torch_tps() { # threads, then model flags
	local t=$1; shift
	"$PY" bench/torch/gpt.py --json --steps "$STEPS" --warmup "$WARMUP" --threads "$t" "$@" |
		"$PY" -c 'import json,sys; print("%.0f" % json.load(sys.stdin)["tokens_per_s"])'
}

big_planc=(--set model.hidden=256 --set model.heads=8 --set model.ffn=1024)
big_torch=(--hidden 256 --heads 8 --ffn 1024)
t1s=$(torch_tps 1) t1b=$(torch_tps 1 "${big_torch[@]}")
t2s=$(torch_tps 2) t2b=$(torch_tps 2 "${big_torch[@]}")
gos=$(planc_tps) gob=$(planc_tps "${big_planc[@]}")
if [ -n "$tags" ]; then
	lls=$(planc_tps --kernels=llvm) llb=$(planc_tps --kernels=llvm "${big_planc[@]}")
fi
best_s=$((t1s > t2s ? t1s : t2s)) best_b=$((t1b > t2b ? t1b : t2b))
row() { # name, small, big: tokens/s and their ratio to PyTorch's best
	printf '%-28s %12s %12s %8s %8s\n' "$1" "$2" "$3" \
		"$(awk -v a="$2" -v b="$best_s" 'BEGIN{printf "%.2f", a/b}')" \
		"$(awk -v a="$3" -v b="$best_b" 'BEGIN{printf "%.2f", a/b}')"
}
printf '%-28s %12s %12s %8s %8s\n' "runtime" "tiny_gpt" "hidden 256" "×best" "×best"
row "pytorch, 1 thread" "$t1s" "$t1b"
row "pytorch, 2 threads" "$t2s" "$t2b"
row "planc run (go kernels)" "$gos" "$gob"
if [ -n "$tags" ]; then
	row "planc run --kernels=llvm" "$lls" "$llb"
fi
echo "tokens/s, ${STEPS} timed steps each after ${WARMUP} untimed (global batch 8 × seq 64);"
echo "×best: over PyTorch's better thread count; load average $(cut -d' ' -f1-3 /proc/loadavg)"
