#!/bin/sh
# The GPU check of the generated kernels, for a machine with an NVIDIA GPU.
# NOT YET RUN ON A GPU. From the repository root:
#
#   sh bench/gpucheck/run.sh [DIR]
#
# It prepares DIR with `go run ./bench/gpucheck` when Go and llc are there
# (otherwise DIR must already hold what that wrote), builds gpucheck.c and
# runs every kernel of tiny_gpt, tiny_moe and of today's architectures (SiLU,
# RMSNorm, gated FFNs, RoPE, grouped/latent attention, scored routing, bias
# balancing) on the GPU and on the CPU:
# first the sm_80 PTX (which the driver JIT-compiles for newer GPUs such as
# the H200's sm_90), then the sm_90 PTX when this machine's llc made one.
set -eu
DIR=${1:-/tmp/planc-gpucheck}
HERE=$(dirname "$0")
if command -v go >/dev/null 2>&1 && [ ! -f "$DIR/manifest.txt" ]; then
	go run ./bench/gpucheck -o "$DIR"
fi
cc -O2 -o "$DIR/gpucheck" "$HERE/cuda/gpucheck.c" -ldl -lm
"$DIR/gpucheck" "$DIR" kernels.sm_80.ptx
if [ -f "$DIR/kernels.sm_90.ptx" ]; then
	"$DIR/gpucheck" "$DIR" kernels.sm_90.ptx
else
	echo "no sm_90 PTX: this llc cannot lower sm_90 (LLVM 15 or newer can)"
fi
