#!/usr/bin/env bash
# The independent check of `planc eval`: train a plan a few steps, then
# compute the checkpoint's evaluation loss twice, with `planc eval` and with
# bench/torch/eval.py (PyTorch in float64, written from README.md's
# definition and docs/semantics.md alone), and compare. From the repository
# root:
#
#   bench/torch/eval.sh [PLAN [STEPS [WINDOWS [HEADS [KV_HEADS]]]]]
#
# PLAN defaults to examples/tiny_llama.plan (8 heads, 2 key/value heads);
# `bench/torch/eval.sh examples/tiny_gpt.plan 20 16 4 4` checks the GPT;
# exits 1 when the two losses differ by more than 1e-5 relative. Needs
# Debian's python3-torch (at /usr/bin/python3); CI does not run it.
set -euo pipefail
cd "$(dirname "$0")/../.."
PLAN=${1:-examples/tiny_llama.plan}
STEPS=${2:-20}
WINDOWS=${3:-16}
HEADS=${4:-8}
KV=${5:-2}
PY=${PYTHON:-/usr/bin/python3}
if ! "$PY" -c 'import torch' 2>/dev/null; then
  echo "bench/torch/eval.sh: $PY has no torch: apt-get install python3-torch" >&2
  exit 2
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
go build -o "$TMP/planc" ./cmd/planc
DATA=runtime/data/corpus.txt
"$TMP/planc" run --steps "$STEPS" --checkpoint-dir "$TMP/ck" --data "$DATA" "$PLAN" >/dev/null
CKPT=$(ls "$TMP"/ck/*.safetensors | tail -n 1)
SEQ=64 # the tiny models' sequence
PLANC=$("$TMP/planc" eval --json --checkpoint "$CKPT" --data "$DATA" --windows "$WINDOWS" "$PLAN" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["loss"])')
TORCH=$("$PY" bench/torch/eval.py "$CKPT" "$DATA" "$WINDOWS" "$SEQ" "$HEADS" "$KV")
"$PY" - "$PLANC" "$TORCH" "$PLAN" "$STEPS" "$WINDOWS" <<'PY'
import sys
planc, torch, plan, steps, windows = float(sys.argv[1]), float(sys.argv[2]), *sys.argv[3:]
rel = abs(planc - torch) / abs(torch)
print(f"{plan} after {steps} steps, {windows} windows: planc eval {planc:.7f}, PyTorch {torch:.7f}, rel {rel:.1e}")
sys.exit(1 if rel > 1e-5 else 0)
PY
