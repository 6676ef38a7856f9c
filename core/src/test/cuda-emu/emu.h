// gdml4j tests: compiles the CUDA kernels of core/src/main/cuda as plain C++ for the CPU (CudaEmulation.java), so their
// index arithmetic and formulas are checked on machines without a GPU. A launch runs its blocks one after another;
// the threads of a block are real threads (the Java side starts them), __syncthreads() is a barrier among them, and
// __shared__ arrays are static (one block at a time uses them). Not a performance model: a correctness harness only.
#pragma once
#include <math.h>
#include <stdint.h>

struct emu_dim3 {
    unsigned x, y, z;
};
extern thread_local emu_dim3 threadIdx, blockIdx, blockDim, gridDim;
void __syncthreads();

#define __global__
#define __device__
#define __shared__ static
