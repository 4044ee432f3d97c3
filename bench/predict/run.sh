#!/usr/bin/env bash
# Predicted vs measured step time of the CPU runtime (issue 16). From the
# repository root:
#
#   bench/predict/run.sh [STEPS]   (ROUNDS=3 interleaved rounds; CPU=1: see table.py;
#                                   ONLY=phantom,tp=2: those rows only)
#
# Unless CALIB=FILE names a calibration, it calibrates again before every
# round (RECAL=0: once) and predicts that round's runs with it: the load
# of a shared machine moves in minutes, and a calibration describes the
# minute it was taken in. A plan's predicted and measured figures are
# the medians of its rounds. With it (SHARE=0: not) every run is
# predicted at the core_share `planc calibrate --share` measures just
# before it (two or three seconds): the share of the cores that other
# processes leave the job moves between runs. And (SPEED=0: not) with the
# round's kernel factors scaled by the step probe's CPU time that call
# measures over the round's calibration's: the host's speed moves 10-20%
# within minutes while core_share stays put.
#
# It builds planc, runs `planc calibrate -o $TMP/host.plan` (unless
# CALIB=FILE names an existing one), then for every plan of the list in
# table.py `planc explain --json --set cluster=host host.plan PLAN` (the
# prediction, with the calibrated device and cluster) and, in ROUNDS
# interleaved rounds, `planc run --json --steps STEPS PLAN` (the
# measurement: the median step time after the first WARM steps; a plan's
# figure is the median of its rounds), and prints the table, the mean and
# worst error, Spearman's rank correlation and the load average before and
# after. Nothing is fitted here: the prediction uses calibrate's
# microbenchmarks only. CI does not run it (it times the machine).
set -euo pipefail
cd "$(dirname "$0")/../.."
STEPS=${1:-40}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
go build -o "$TMP/planc" ./cmd/planc
PLANC="$TMP/planc"
CAL=${CALIB:-}
if [ -z "$CAL" ] && [ -z "${NOCALIB:-}" ]; then
  CAL="$TMP/host.plan"
  "$PLANC" calibrate -o "$CAL"
fi
if [ -n "$CAL" ]; then
  # what the calibration found, for the record
  grep -E '^// This machine|^//   fit:|^//   with the operands|^//   core_share|^//   one ring step|^//   with compute between calls|^//   with [0-9]+ ranks on|^//   speed beside the twin|^// Meeting probe|^//   [0-9.-]+ us a meeting more|^//   the line through both|^//   at the microbenchmark.s sync_skew|^//   all [0-9]+ ranks on|^// Drain probe|^//   [0-9.]+ ms at drain_wait 0|^//   so [0-9.]+ ms of the step|^//   [0-9.]+ ms at sync_wait 0|^//   parallel from|^// Executor|^//   it |^//   [0-9.]+ us (at|per op)|^// In a step|^//   the cost model gives it|^//   as [0-9]+ data-parallel replicas|^  step_kernel_factor|^  node_kernel_factor' "$CAL" || true
fi
if [ -z "${CALIB:-}" ] && [ -n "$CAL" ]; then
  export RECAL=${RECAL:-1}
  export SHARE=${SHARE:-$RECAL}
fi
python3 bench/predict/table.py "$PLANC" "$STEPS" "${CAL}"
