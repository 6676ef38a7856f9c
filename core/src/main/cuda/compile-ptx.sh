#!/usr/bin/env bash
# Compiles gdml4j's CUDA kernels (core/src/main/cuda/*.cu, through gdml4j.cu) to the PTX resource that the CUDA backend
# loads at run time (cuModuleLoadData), so users need no CUDA compiler. Run after changing a .cu file and commit the
# PTX with it; `mvn -Pptx generate-resources` runs this script too. CudaPtxTest checks that the committed PTX is what
# this script makes, whenever the same nvcc is present.
#
#   core/src/main/cuda/compile-ptx.sh [OUTPUT]      (default: the committed resource)
#
# compute_80: PTX for Ampere and newer (A100, H100/H200); the driver compiles it for the GPU at hand.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../resources/org/gdml4j/linalg/cuda/gdml4j.ptx}
NVCC=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
[ -x "$NVCC" ] || { echo "compile-ptx.sh: no nvcc (set NVCC or install the CUDA toolkit)" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
cd "$here"
"$NVCC" --ptx -arch=compute_80 -O3 -o "$out" gdml4j.cu
echo "wrote $out ($("$NVCC" --version | tail -1))"
