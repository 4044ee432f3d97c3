#!/usr/bin/env bash
# The independent PyTorch check of the kernels of today's architectures:
# runtime/kernels' RMSNorm, SwiGLU/GeGLU, RoPE, grouped-query and latent
# attention and sigmoid/group-limited routing, recomputed by arch.py from
# docs/semantics.md's definitions in float64 with autograd. From the
# repository root:
#
#   bench/torch/arch.sh
#
# Prints one line per case (relative error of each output and gradient)
# and exits 1 when any exceeds 1e-5 or routing chooses other experts.
# Needs Debian's python3-torch (apt-get install python3-torch); CI does not
# run it.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-/usr/bin/python3}
if ! "$PY" -c 'import torch' 2>/dev/null; then
	echo "arch.sh: $PY has no torch module: apt-get install python3-torch (or set PYTHON)" >&2
	exit 2
fi
go run ./bench/torch/archcheck | "$PY" bench/torch/arch.py
