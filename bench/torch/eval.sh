#!/usr/bin/env bash
# The independent check of `planc eval`: train a plan a few steps, then
# compute the checkpoint's evaluation loss twice, with `planc eval` and with
# bench/torch/eval.py (PyTorch in float64, written from README.md's
# definition and docs/semantics.md alone), and compare. From the repository
# root:
#
#   bench/torch/eval.sh [PLAN [STEPS [WINDOWS [HEADS [KV_HEADS [EVAL_PY_FLAGS...]]]]]]
#
# PLAN defaults to examples/tiny_llama.plan, STEPS to 60 (enough for the
# routing and the selection bias of the MoE models to matter: after 5 steps
# leaving tiny_deepseek's balance bias out moves its loss by 1e-6, after 60
# by 2e-3), WINDOWS to 16. The layout (GPT, Llama, MLA, MoE) is read by
# eval.py from the checkpoint's tensor names; what the names do not say
# (heads, routing) comes from the checkpoint's model when it is one of the
# tiny models below, or from HEADS, KV_HEADS and eval.py's flags when given:
#
#   bench/torch/eval.sh examples/tiny_deepseek.plan   # MLA, sigmoid group-limited MoE
#   bench/torch/eval.sh examples/tiny_gpt.plan 20 16 4 4
#   bench/torch/eval.sh examples/tiny_moe.plan 60 16 4 4 --topk 2
#
# SETS="model.norm=layernorm model.no_bias=false" passes each word as
# `--set WORD` to planc run and planc eval (a variant of the plan's model;
# give eval.py's flags to match when the variant changes routing or the
# gated activation, e.g. `--mlp geglu`).
#
# Exits 1 when the two losses differ by more than 1e-5 relative (they
# agree to about 1e-8). Needs Debian's python3-torch (at /usr/bin/python3,
# or set PYTHON); CI does not run it.
set -euo pipefail
cd "$(dirname "$0")/../.."
PLAN=${1:-examples/tiny_llama.plan}
STEPS=${2:-60}
WINDOWS=${3:-16}
PY=${PYTHON:-/usr/bin/python3}
if ! "$PY" -c 'import torch' 2>/dev/null; then
  echo "bench/torch/eval.sh: $PY has no torch: apt-get install python3-torch" >&2
  exit 2
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
go build -o "$TMP/planc" ./cmd/planc
DATA=runtime/data/corpus.txt
SET_ARGS=()
for s in ${SETS:-}; do SET_ARGS+=(--set "$s"); done
"$TMP/planc" run "${SET_ARGS[@]}" --steps "$STEPS" --checkpoint-dir "$TMP/ck" --data "$DATA" "$PLAN" >/dev/null
CKPT=$(ls "$TMP"/ck/*.safetensors | tail -n 1)
SEQ=64 # the tiny models' sequence
if [ $# -ge 4 ]; then
  MODEL_ARGS=("${@:4}")
else
  MODEL=$("$PY" bench/torch/eval.py --model-of "$CKPT")
  case "$MODEL" in
  tiny_gpt) MODEL_ARGS=(4 4) ;;
  tiny_llama) MODEL_ARGS=(8 2) ;;
  tiny_moe) MODEL_ARGS=(4 4 --topk 2) ;;
  tiny_deepseek) MODEL_ARGS=(4 4 --topk 2 --router sigmoid --normalize-topk --groups 4 --topk-groups 2) ;;
  *)
    echo "bench/torch/eval.sh: no heads or routing known for model $MODEL: give HEADS [KV_HEADS [EVAL_PY_FLAGS...]]" >&2
    exit 2
    ;;
  esac
fi
PLANC=$("$TMP/planc" eval "${SET_ARGS[@]}" --json --checkpoint "$CKPT" --data "$DATA" --windows "$WINDOWS" "$PLAN" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["loss"])')
TORCH=$("$PY" bench/torch/eval.py "$CKPT" "$DATA" "$WINDOWS" "$SEQ" "${MODEL_ARGS[@]}")
"$PY" - "$PLANC" "$TORCH" "$PLAN" "$STEPS" "$WINDOWS" <<'PY'
import sys
planc, torch, plan, steps, windows = float(sys.argv[1]), float(sys.argv[2]), *sys.argv[3:]
rel = abs(planc - torch) / abs(torch)
print(f"{plan} after {steps} steps, {windows} windows: planc eval {planc:.9f}, PyTorch {torch:.9f}, rel {rel:.1e}")
sys.exit(1 if rel > 1e-5 else 0)
PY
