#!/usr/bin/env bash
# Side-by-side training speed: planc run (Go kernels, and the generated LLVM
# kernels when llc is installed) against PyTorch's eager CPU runtime on one
# and two threads, on tiny_gpt's shape and on the same model at hidden 256,
# 8 heads, ffn 1024. Every row is measured in this one run, in ROUNDS
# interleaved rounds, so that the machine's load is the same for all of
# them; each figure is the median of the rounds.
#
# Both sides train 8 sequences of 64 tokens per optimizer step with the same
# model. gpt.py computes the 8 sequences in one batch (one 512-row product
# per linear layer); examples/tiny_gpt.plan splits them into 4 micro-batches
# of 2 (four 128-row products, gradients accumulated), a choice of the plan,
# not of the model. So planc is measured twice: with the plan as written
# (micro_batch 2) and with --set micro_batch=8 (one micro-batch: the same
# tokens, model, optimizer step and products as PyTorch's); and PyTorch
# once more on one thread with gpt.py --micro_batch 2 (4 micro-batches of
# 2, gradients accumulated: the plan's products), for the like-for-like
# ratio of the plan as written. From the repository root:
#
#   bench/torch/compare.sh [STEPS] [ROUNDS]
#
# Needs Debian's python3-torch (apt-get install python3-torch); CI does not
# run it. Extra planc flags (e.g. --set dp=2) go in PLANC_FLAGS.
set -euo pipefail
cd "$(dirname "$0")/../.."
STEPS=${1:-60}
ROUNDS=${2:-3}
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

WARMUP=${WARMUP:-10} # steps left out of both sides' figures (gpt.py's --warmup)
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
rows=(t1 t2 t1m2 go go8)
if [ -n "$tags" ]; then rows+=(llvm llvm8); fi
mb8=(--set micro_batch=8)
declare -A got # row,shape -> the rounds' figures
measure() { # row shape: one figure
	case "$1,$2" in
	t1,s) torch_tps 1 ;; t1,b) torch_tps 1 "${big_torch[@]}" ;;
	t2,s) torch_tps 2 ;; t2,b) torch_tps 2 "${big_torch[@]}" ;;
	t1m2,s) torch_tps 1 --micro_batch 2 ;; t1m2,b) torch_tps 1 --micro_batch 2 "${big_torch[@]}" ;;
	go,s) planc_tps ;; go,b) planc_tps "${big_planc[@]}" ;;
	go8,s) planc_tps "${mb8[@]}" ;; go8,b) planc_tps "${mb8[@]}" "${big_planc[@]}" ;;
	llvm,s) planc_tps --kernels=llvm ;; llvm,b) planc_tps --kernels=llvm "${big_planc[@]}" ;;
	llvm8,s) planc_tps --kernels=llvm "${mb8[@]}" ;; llvm8,b) planc_tps --kernels=llvm "${mb8[@]}" "${big_planc[@]}" ;;
	esac
}
# Rounds interleave the rows, so that a change of the machine's load
# between rows reaches every row alike; each cell is the median.
for r in $(seq "$ROUNDS"); do
	for shape in s b; do
		for row in "${rows[@]}"; do
			got[$row,$shape]+="$(measure "$row" "$shape") "
		done
	done
done
median() { "$PY" -c 'import statistics,sys; print("%.0f" % statistics.median(float(x) for x in sys.argv[1:]))' $1; }
declare -A med
for k in "${!got[@]}"; do med[$k]=$(median "${got[$k]}"); done
best_s=$((med[t1,s] > med[t2,s] ? med[t1,s] : med[t2,s]))
best_b=$((med[t1,b] > med[t2,b] ? med[t1,b] : med[t2,b]))
row() { # name, key: median tokens/s of both shapes and their ratio to PyTorch's best
	printf '%-28s %12s %12s %8s %8s   %s| %s\n' "$1" "${med[$2,s]}" "${med[$2,b]}" \
		"$(awk -v a="${med[$2,s]}" -v b="$best_s" 'BEGIN{printf "%.2f", a/b}')" \
		"$(awk -v a="${med[$2,b]}" -v b="$best_b" 'BEGIN{printf "%.2f", a/b}')" "${got[$2,s]}" "${got[$2,b]}"
}
printf '%-28s %12s %12s %8s %8s   %s\n' "runtime" "tiny_gpt" "hidden 256" "×best" "×best" "rounds (tiny_gpt | hidden 256)"
row "pytorch, 1 thread" t1
row "pytorch, 2 threads" t2
row "pytorch, 1 thread, mb 2" t1m2
row "planc run (go kernels)" go
row "  same, micro_batch 8" go8
if [ -n "$tags" ]; then
	row "planc run --kernels=llvm" llvm
	row "  same, micro_batch 8" llvm8
fi
echo "tokens/s, medians of ${ROUNDS} interleaved rounds of ${STEPS} timed steps after ${WARMUP} untimed"
echo "(global batch 8 × seq 64; planc's rows: the plan's micro_batch 2, then micro_batch 8 = PyTorch's one batch of 8);"
echo "×best: over PyTorch's better thread count (batch 8 in one); load average $(cut -d' ' -f1-3 /proc/loadavg)"
like() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
echo "like for like, micro_batch 2 (planc's plan as written over PyTorch's 4 accumulated micro-batches of 2, 1 thread):"
echo "  go $(like "${med[go,s]}" "${med[t1m2,s]}") $(like "${med[go,b]}" "${med[t1m2,b]}")${tags:+; llvm $(like "${med[llvm,s]}" "${med[t1m2,s]}") $(like "${med[llvm,b]}" "${med[t1m2,b]}")} (tiny_gpt, hidden 256)"
