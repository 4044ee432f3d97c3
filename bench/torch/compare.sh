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
BIN=$(mktemp -d)/planc
tags=""
if command -v llc >/dev/null 2>&1 || command -v llc-14 >/dev/null 2>&1; then tags="planc_llvm"; fi
go build -tags "$tags" -o "$BIN" ./cmd/planc

planc_tps() { # shape flags...; prints tokens/s of the summary line
	"$BIN" run --json --steps "$STEPS" ${PLANC_FLAGS:-} "$@" examples/tiny_gpt.plan |
		"$PY" -c 'import json,sys
for line in sys.stdin:
    d = json.loads(line)
    if "summary" in d: print("%.0f" % d["summary"]["tokens_per_s"])'
}
torch_tps() { # threads, then model flags
	local t=$1; shift
	"$PY" bench/torch/gpt.py --json --steps "$STEPS" --threads "$t" "$@" |
		"$PY" -c 'import json,sys; print("%.0f" % json.load(sys.stdin)["tokens_per_s"])'
}

printf '%-28s %12s %12s\n' "runtime" "tiny_gpt" "hidden 256"
big_planc=(--set model.hidden=256 --set model.heads=8 --set model.ffn=1024)
big_torch=(--hidden 256 --heads 8 --ffn 1024)
printf '%-28s %12s %12s\n' "pytorch, 1 thread" "$(torch_tps 1)" "$(torch_tps 1 "${big_torch[@]}")"
printf '%-28s %12s %12s\n' "pytorch, 2 threads" "$(torch_tps 2)" "$(torch_tps 2 "${big_torch[@]}")"
printf '%-28s %12s %12s\n' "planc run (go kernels)" "$(planc_tps)" "$(planc_tps "${big_planc[@]}")"
if [ -n "$tags" ]; then
	printf '%-28s %12s %12s\n' "planc run --kernels=llvm" "$(planc_tps --kernels=llvm)" "$(planc_tps --kernels=llvm "${big_planc[@]}")"
fi
echo "tokens/s, ${STEPS} timed steps each (global batch 8 × seq 64)"
