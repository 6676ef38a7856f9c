// gdml4j: the one CUDA module of the GPU backend (linalg/CudaDevice loads its PTX). Each included file is a group of
// kernels; compile-ptx.sh turns this file into core/src/main/resources/org/gdml4j/linalg/cuda/gdml4j.ptx.
#include "linalg_ops.cu"
#include "kernel_ops.cu"
