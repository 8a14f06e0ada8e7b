// Kernels for the CUDA emulator's own test (cuda-emulator.test): each
// exercises one rule of test/tools/cuda-emulator/emulated_cuda.h.
#include <cstdint>

// The exclusive prefix sum of in[0, n) over one block: shuffles up within
// the warps, their totals through shared memory.
extern "C" __global__ void __launch_bounds__(128)
    block_scan(const unsigned *in, unsigned *out, int n) {
  __shared__ unsigned totals[32];
  const unsigned lane = threadIdx.x & 31u, warp = threadIdx.x >> 5;
  const unsigned v = threadIdx.x < (unsigned)n ? in[threadIdx.x] : 0;
  unsigned inclusive = v;
  for (unsigned offset = 1; offset < 32; offset <<= 1) {
    const unsigned up = __shfl_up_sync(0xffffffffu, inclusive, offset);
    if (lane >= offset)
      inclusive += up;
  }
  if (lane == 31)
    totals[warp] = inclusive;
  __syncthreads();
  unsigned base = 0;
  for (unsigned w = 0; w < warp; ++w)
    base += totals[w];
  if (threadIdx.x < (unsigned)n)
    out[threadIdx.x] = base + inclusive - v;
}

// Per warp: the sum of its 32 values (butterfly), the ballot of odd lanes
// and the count of its lanes.
extern "C" __global__ void warp_ops(const float *in, float *sums,
                                    unsigned *ballots, unsigned *counts) {
  const unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  float v = in[i];
  for (int offset = 16; offset > 0; offset >>= 1)
    v += __shfl_xor_sync(0xffffffffu, v, offset);
  const unsigned ballot = __ballot_sync(0xffffffffu, threadIdx.x & 1u);
  const unsigned count = __reduce_add_sync(0xffffffffu, 1u);
  if ((threadIdx.x & 31u) == 0) {
    sums[i / 32] = v;
    ballots[i / 32] = ballot;
    counts[i / 32] = count;
  }
}

// x[i] += value over a grid-stride loop.
extern "C" __global__ void add_value(float *x, int64_t n, float value) {
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x)
    x[i] += value;
}

// Half of a warp at a barrier, the other half at a shuffle: a deadlock.
extern "C" __global__ void deadlock(int *x) {
  if (threadIdx.x < 16)
    __syncthreads();
  else
    x[threadIdx.x] = __shfl_sync(0xffffffffu, 1, 0);
}

// Lane 5 returns; the others read its value.
extern "C" __global__ void read_returned(int *x) {
  if (threadIdx.x == 5)
    return;
  x[threadIdx.x] = __shfl_sync(0xffffffffu, (int)threadIdx.x, 5);
}

// Shared memory only thread 0 writes, read by all.
extern "C" __global__ void shared_unwritten(float *out) {
  __shared__ float values[32];
  if (threadIdx.x == 0)
    values[0] = 1;
  __syncthreads();
  out[threadIdx.x] = values[threadIdx.x];
}

// Each thread writes one element past x[n - 1].
extern "C" __global__ void overrun(float *x, int n) { x[n + threadIdx.x] = 1; }
