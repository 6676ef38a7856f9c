// The runtime of emu.h: per-thread indices set by the Java harness, and the block barrier.
#include "emu.h"
#include <barrier>
#include <memory>

thread_local emu_dim3 threadIdx, blockIdx, blockDim, gridDim;
static std::unique_ptr<std::barrier<>> block_barrier;

void __syncthreads() {
    block_barrier->arrive_and_wait();
}

extern "C" void emu_block_size(int threads) {
    block_barrier = std::make_unique<std::barrier<>>(threads);
}

extern "C" void emu_set(unsigned tx, unsigned bx, unsigned by, unsigned bdx, unsigned gdx, unsigned gdy) {
    threadIdx = {tx, 0, 0};
    blockIdx = {bx, by, 0};
    blockDim = {bdx, 1, 1};
    gridDim = {gdx, gdy, 1};
}
