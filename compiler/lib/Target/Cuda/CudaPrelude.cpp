//===- CudaPrelude.cpp - Kernels every generated CUDA program has ---------===//
//
// The CUDA emitter prints fused kernels for elementwise and reduction work;
// the prelude holds the rest, whose structure does not depend on the model:
// top-k selection (per row and over the batch), sparse gather and scatter,
// the Adam step and the unit-norm constraint. GEMMs go to the runtime's
// cuBLAS through the context's gemm callback.
//
// The device prelude is compiled by nvcc (sm_80 and sm_90 cubins, compute_80
// PTX). The host prelude is plain C++ (g++, no CUDA headers): it sizes each
// launch and issues it through prism_cuda_context::launch with the kernel's
// index in prism_prelude_kernel, its argument array holding locals of
// exactly the kernel's parameter types. Every prelude kernel runs
// PRISM_CU_BLOCK threads (the scan 1024) with static shared memory only,
// under 48 KiB, and loops over whatever a capped grid does not cover.
//
//===----------------------------------------------------------------------===//

#include "CudaPrelude.h"

const char *prism::target::getCudaDevicePrelude() {
  return R"PRELUDE(
#include <cmath>
#include <cstdint>

static_assert(sizeof(real) == sizeof(float),
              "the CUDA target computes in float32");

// The block size of generated elementwise and reduction kernels, and of
// every kernel below but the one-block scan.
#define PRISM_BLOCK 256
#define PRISM_REDUCE_BLOCK 256
#define PRISM_FULL_MASK 0xffffffffu

__device__ __forceinline__ real prism_maximum(real a, real b) {
  return (a != a || b != b) ? a + b : (a > b ? a : b);
}
__device__ __forceinline__ real prism_minimum(real a, real b) {
  return (a != a || b != b) ? a + b : (a < b ? a : b);
}

//===----------------------------------------------------------------------===//
// Warp and block reductions
//===----------------------------------------------------------------------===//

struct prism_add_op {
  __device__ __forceinline__ real operator()(real a, real b) const {
    return a + b;
  }
};
struct prism_min_op {
  __device__ __forceinline__ real operator()(real a, real b) const {
    return prism_minimum(a, b);
  }
};
struct prism_max_op {
  __device__ __forceinline__ real operator()(real a, real b) const {
    return prism_maximum(a, b);
  }
};

// A butterfly over the full warp: every lane ends with the combination of
// all 32 values.
template <typename Op>
__device__ __forceinline__ real prism_warp_reduce(real v, Op op) {
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1)
    v = op(v, __shfl_xor_sync(PRISM_FULL_MASK, v, offset));
  return v;
}

// The sum is the same in every lane (a + b == b + a, bit for bit). min and
// max are not commutative in the sign of a zero, so lane 0's result is
// broadcast.
__device__ __forceinline__ real prism_warp_add(real v) {
  return prism_warp_reduce(v, prism_add_op());
}
__device__ __forceinline__ real prism_warp_min(real v) {
  return __shfl_sync(PRISM_FULL_MASK, prism_warp_reduce(v, prism_min_op()), 0);
}
__device__ __forceinline__ real prism_warp_max(real v) {
  return __shfl_sync(PRISM_FULL_MASK, prism_warp_reduce(v, prism_max_op()), 0);
}

// The combination of v over the block (blockDim.x a multiple of 32, at most
// 1024), returned to every thread; shared32 is the caller's __shared__
// real[32]. Every thread of the block must call it. The leading barrier lets
// the same shared32 serve consecutive calls: no warp overwrites it before
// every warp has read the previous result.
template <typename Op>
__device__ __forceinline__ real prism_block_reduce(real v, real *shared32,
                                                   real identity, Op op) {
  const unsigned lane = threadIdx.x & 31u, warp = threadIdx.x >> 5;
  const unsigned warps = blockDim.x >> 5;
  v = prism_warp_reduce(v, op);
  __syncthreads();
  if (lane == 0)
    shared32[warp] = v;
  __syncthreads();
  return prism_warp_reduce(lane < warps ? shared32[lane] : identity, op);
}
__device__ __forceinline__ real prism_block_add(real v, real *shared32) {
  return prism_block_reduce(v, shared32, (real)0, prism_add_op());
}
__device__ __forceinline__ real prism_block_min(real v, real *shared32) {
  return __shfl_sync(
      PRISM_FULL_MASK,
      prism_block_reduce(v, shared32, (real)INFINITY, prism_min_op()), 0);
}
__device__ __forceinline__ real prism_block_max(real v, real *shared32) {
  return __shfl_sync(
      PRISM_FULL_MASK,
      prism_block_reduce(v, shared32, (real)-INFINITY, prism_max_op()), 0);
}

// The exclusive prefix sum of v over the block in thread order (blockDim.x a
// multiple of 32); shared32 holds 32 T. Every thread must call it.
template <typename T>
__device__ __forceinline__ T prism_block_exclusive_scan(T v, T *shared32) {
  const unsigned lane = threadIdx.x & 31u, warp = threadIdx.x >> 5;
  T inclusive = v;
#pragma unroll
  for (unsigned offset = 1; offset < 32; offset <<= 1) {
    const T up = __shfl_up_sync(PRISM_FULL_MASK, inclusive, offset);
    if (lane >= offset)
      inclusive += up;
  }
  __syncthreads();
  if (lane == 31)
    shared32[warp] = inclusive;
  __syncthreads();
  T base = 0;
  for (unsigned w = 0; w < warp; ++w)
    base += shared32[w];
  return base + inclusive - v;
}

// The sum of v over the block, returned to every thread.
__device__ __forceinline__ uint32_t prism_block_count(uint32_t v,
                                                      uint32_t *shared32) {
  const unsigned lane = threadIdx.x & 31u, warp = threadIdx.x >> 5;
  v = __reduce_add_sync(PRISM_FULL_MASK, v);
  __syncthreads();
  if (lane == 0)
    shared32[warp] = v;
  __syncthreads();
  uint32_t total = 0;
  for (unsigned w = 0; w < (blockDim.x >> 5); ++w)
    total += shared32[w];
  return total;
}

//===----------------------------------------------------------------------===//
// Top-k selection
//===----------------------------------------------------------------------===//

// The order-preserving code of a selection key: a larger key has a larger
// code. NaN ranks as -INFINITY and -0 as +0, as the CPU's comparisons see
// them (it compares -0 == +0 and replaces NaN keys by -INFINITY).
__device__ __forceinline__ uint32_t prism_key_code(real key) {
  uint32_t bits = __float_as_uint(key);
  if (key != key)
    bits = 0xff800000u;
  if (bits == 0x80000000u)
    bits = 0;
  return (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
}

// Calls visit(x[i], i) for i = first, first + step, ... below end, with
// four loads in flight per thread. For inputs no thread writes.
template <typename Visit>
__device__ __forceinline__ void prism_visit(const real *x, int64_t first,
                                            int64_t end, int64_t step,
                                            Visit visit) {
  int64_t i = first;
  for (; i + 3 * step < end; i += 4 * step) {
    const real a = __ldg(x + i), b = __ldg(x + i + step);
    const real c = __ldg(x + i + 2 * step), d = __ldg(x + i + 3 * step);
    visit(a, i);
    visit(b, i + step);
    visit(c, i + 2 * step);
    visit(d, i + 3 * step);
  }
  for (; i < end; i += step)
    visit(__ldg(x + i), i);
}

// Of `bins` counts (hist[b] counts the codes whose digit is b), finds the bin
// that holds the need-th largest code, 1 <= need <= the sum: *bin, and in
// *above the count in the bins above it. Thread t sums the t-th run of bins
// from the top; the run whose prefix range holds `need` walks its bins. Every
// thread must call it; the results are in place for all on return.
template <typename Count>
__device__ void prism_select_bin(const Count *hist, uint32_t bins, Count need,
                                 Count *shared32, uint32_t *bin, Count *above) {
  const uint32_t per = (bins + blockDim.x - 1) / blockDim.x;
  const uint32_t skip = threadIdx.x * per;
  const uint32_t top = skip < bins ? bins - skip : 0;
  const uint32_t bottom = top > per ? top - per : 0;
  Count sum = 0;
  for (uint32_t b = bottom; b < top; ++b)
    sum += hist[b];
  Count before = prism_block_exclusive_scan(sum, shared32);
  if (before < need && need <= before + sum)
    for (uint32_t b = top; b-- > bottom;) {
      if (before + hist[b] >= need) {
        *bin = b;
        *above = before;
        break;
      }
      before += hist[b];
    }
  __syncthreads();
}

// Sorts a[0, size) in descending order, size a power of two. Every thread
// must call it.
__device__ __forceinline__ void
prism_bitonic_sort_descending(unsigned long long *a, uint32_t size) {
  for (uint32_t span = 2; span <= size; span <<= 1)
    for (uint32_t stride = span >> 1; stride > 0; stride >>= 1) {
      for (uint32_t t = threadIdx.x; t < size / 2; t += blockDim.x) {
        const uint32_t lo = 2 * t - (t & (stride - 1)), hi = lo + stride;
        const unsigned long long p = a[lo], q = a[hi];
        if ((lo & span) == 0 ? p < q : p > q) {
          a[lo] = q;
          a[hi] = p;
        }
      }
      __syncthreads();
    }
}

#define PRISM_TOPK_BLOCK 256
#define PRISM_TOPK_FIRST_BITS 11
#define PRISM_TOPK_DIGIT_BITS 8
#define PRISM_TOPK_BUFFER 2048

// Per row of x [rows, n], one block: the k largest entries (by |x| with
// byAbs) in descending order, ties to the lower index, NaN below every
// number; values[r, j] = x[r, indices[r, j]].
//
// Entry i of a row has the unique code (key code << indexBits) | (indexMask
// - i): a larger key, or the same key at a lower index, gives a larger code,
// so the answer is the k largest codes. A radix select narrows a prefix of
// the codes, one digit per pass over the row (11 bits, then 8), until the
// entries above the prefix (all of them among the k) and those on it fit the
// buffer; one more pass collects them and a bitonic sort orders them. For
// rows like an encoder's pre-activations the first digit (sign, exponent and
// two mantissa bits) leaves some tens of entries: two reads of the row.
extern "C" __global__ void __launch_bounds__(PRISM_TOPK_BLOCK)
    prism_prelude_topk(const real *x, int64_t rows, int64_t n, int64_t k,
                       int byAbs, real *values, int32_t *indices) {
  __shared__ uint32_t hist[1u << PRISM_TOPK_FIRST_BITS];
  __shared__ unsigned long long buffer[PRISM_TOPK_BUFFER];
  __shared__ uint32_t shared32[32];
  __shared__ uint32_t found, foundAbove, filled;
  if (k <= 0 || k > PRISM_TOPK_BUFFER || n <= 0)
    return;
  int indexBits = 0;
  while ((int64_t(1) << indexBits) < n)
    ++indexBits;
  const int totalBits = 32 + indexBits;
  const uint64_t indexMask = (uint64_t(1) << indexBits) - 1;
  const bool absolute = byAbs != 0;
  auto codeOf = [=](real e, int64_t i) -> uint64_t {
    const uint32_t key = prism_key_code(absolute ? fabsf(e) : e);
    return ((uint64_t)key << indexBits) | (indexMask - (uint64_t)i);
  };
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const real *row = x + r * n;
    // The codes whose top `bits` bits equal `prefix` number `matched`; the
    // k - need above them are all among the k.
    uint64_t prefix = 0;
    int bits = 0;
    uint32_t need = (uint32_t)k, matched = (uint32_t)n;
    while ((uint32_t)k - need + matched > PRISM_TOPK_BUFFER &&
           bits < totalBits) {
      const int width = bits == 0 ? PRISM_TOPK_FIRST_BITS
                        : totalBits - bits < PRISM_TOPK_DIGIT_BITS
                            ? totalBits - bits
                            : PRISM_TOPK_DIGIT_BITS;
      const int shift = totalBits - bits - width;
      const uint32_t bins = 1u << width;
      for (uint32_t b = threadIdx.x; b < bins; b += blockDim.x)
        hist[b] = 0;
      __syncthreads();
      prism_visit(row, threadIdx.x, n, blockDim.x, [&](real e, int64_t i) {
        const uint64_t c = codeOf(e, i);
        if (bits == 0 || (c >> (shift + width)) == prefix)
          atomicAdd(&hist[(uint32_t)(c >> shift) & (bins - 1)], 1u);
      });
      __syncthreads();
      prism_select_bin<uint32_t>(hist, bins, need, shared32, &found,
                                 &foundAbove);
      const uint32_t bin = found;
      need -= foundAbove;
      matched = hist[bin];
      prefix = (prefix << width) | bin;
      bits += width;
      // Everyone has read found and hist before the next pass resets them.
      __syncthreads();
    }
    if (threadIdx.x == 0)
      filled = 0;
    __syncthreads();
    const int rest = totalBits - bits;
    prism_visit(row, threadIdx.x, n, blockDim.x, [&](real e, int64_t i) {
      const uint64_t c = codeOf(e, i);
      if (bits == 0 || (c >> rest) >= prefix) {
        const uint32_t slot = atomicAdd(&filled, 1u);
        if (slot < PRISM_TOPK_BUFFER)
          buffer[slot] = c;
      }
    });
    __syncthreads();
    const uint32_t count =
        filled < PRISM_TOPK_BUFFER ? filled : PRISM_TOPK_BUFFER;
    uint32_t size = 1;
    while (size < count)
      size <<= 1;
    // Codes are never 0 (the smallest key code is -INFINITY's, 0x007fffff):
    // the padding sorts last.
    for (uint32_t s = count + threadIdx.x; s < size; s += blockDim.x)
      buffer[s] = 0;
    __syncthreads();
    prism_bitonic_sort_descending(buffer, size);
    for (int64_t j = threadIdx.x; j < k; j += blockDim.x) {
      const int64_t i = (int64_t)(indexMask - (buffer[j] & indexMask));
      values[r * k + j] = row[i];
      indices[r * k + j] = (int32_t)i;
    }
    // The next row resets filled and buffer.
    __syncthreads();
  }
}

// Batch top-k: the rows * k largest of all `size` entries, ties to the lower
// row-major index, by a radix select over the whole array. The state in the
// host's scratch: state[0] the number still to take among the codes on the
// prefix, state[1] the prefix, state[2] its bits, state[3] whether the
// codes on the prefix are all taken (later passes do nothing). Three passes
// (11, 11 and 10 bits) each build a histogram of the next digit of the codes
// on the prefix, and a one-block kernel picks its bin. The entries above the
// final prefix are kept, and the first state[0] on it in row-major order:
// each chunk counts its entries on the prefix, a scan turns the counts into
// ranks, and the one chunk that straddles the cut ranks its own.
#define PRISM_BATCH_BINS 2048

extern "C" __global__ void __launch_bounds__(PRISM_BLOCK)
    prism_prelude_batch_topk_init(unsigned long long *state,
                                  unsigned long long *hist, int64_t keep) {
  for (int b = threadIdx.x; b < 3 * PRISM_BATCH_BINS; b += blockDim.x)
    hist[b] = 0;
  if (threadIdx.x == 0) {
    state[0] = (unsigned long long)keep;
    state[1] = 0;
    state[2] = 0;
    state[3] = 0;
  }
}

extern "C" __global__ void __launch_bounds__(PRISM_BLOCK)
    prism_prelude_batch_topk_hist(const real *x, int64_t size, int bits,
                                  int width, const unsigned long long *state,
                                  unsigned long long *hist) {
  __shared__ uint32_t local[PRISM_BATCH_BINS];
  if (state[3])
    return;
  const uint32_t prefix = (uint32_t)state[1];
  const int shift = 32 - bits - width;
  const uint32_t bins = 1u << width;
  for (uint32_t b = threadIdx.x; b < bins; b += blockDim.x)
    local[b] = 0;
  __syncthreads();
  prism_visit(x, (int64_t)blockIdx.x * blockDim.x + threadIdx.x, size,
              (int64_t)gridDim.x * blockDim.x, [&](real e, int64_t) {
                const uint32_t c = prism_key_code(e);
                if (bits == 0 || (c >> (32 - bits)) == prefix)
                  atomicAdd(&local[(c >> shift) & (bins - 1)], 1u);
              });
  __syncthreads();
  for (uint32_t b = threadIdx.x; b < bins; b += blockDim.x)
    if (local[b])
      atomicAdd(&hist[b], (unsigned long long)local[b]);
}

extern "C" __global__ void __launch_bounds__(PRISM_BLOCK)
    prism_prelude_batch_topk_select(int width, unsigned long long *state,
                                    const unsigned long long *hist) {
  __shared__ unsigned long long shared32[32];
  __shared__ uint32_t bin;
  __shared__ unsigned long long above;
  if (state[3])
    return;
  const unsigned long long need = state[0];
  // Its barriers also order every thread's reads of state before the writes.
  prism_select_bin<unsigned long long>(hist, 1u << width, need, shared32, &bin,
                                       &above);
  if (threadIdx.x == 0) {
    const unsigned long long left = need - above;
    state[0] = left;
    state[1] = (state[1] << width) | bin;
    state[2] += (unsigned long long)width;
    state[3] = hist[bin] == left || state[2] >= 32;
  }
}

extern "C" __global__ void __launch_bounds__(PRISM_BLOCK)
    prism_prelude_batch_topk_count(const real *x, int64_t size, int64_t chunk,
                                   const unsigned long long *state,
                                   uint32_t *counts) {
  __shared__ uint32_t shared32[32];
  const uint32_t prefix = (uint32_t)state[1];
  const int shift = 32 - (int)state[2];
  const int64_t first = (int64_t)blockIdx.x * chunk;
  const int64_t end = first + chunk < size ? first + chunk : size;
  uint32_t count = 0;
  prism_visit(x, first + threadIdx.x, end, blockDim.x, [&](real e, int64_t) {
    count += (prism_key_code(e) >> shift) == prefix;
  });
  count = prism_block_count(count, shared32);
  if (threadIdx.x == 0)
    counts[blockIdx.x] = count;
}

extern "C" __global__ void __launch_bounds__(1024)
    prism_prelude_batch_topk_scan(int64_t chunks, const uint32_t *counts,
                                  unsigned long long *offsets) {
  __shared__ unsigned long long shared32[32];
  const int64_t per = (chunks + blockDim.x - 1) / blockDim.x;
  const int64_t first = threadIdx.x * per;
  const int64_t end = first + per < chunks ? first + per : chunks;
  unsigned long long sum = 0;
  for (int64_t c = first; c < end; ++c)
    sum += counts[c];
  unsigned long long offset = prism_block_exclusive_scan(sum, shared32);
  for (int64_t c = first; c < end; ++c) {
    offsets[c] = offset;
    offset += counts[c];
  }
}

extern "C" __global__ void __launch_bounds__(PRISM_BLOCK)
    prism_prelude_batch_topk_write(const real *x, int64_t size, int64_t chunk,
                                   int asMask, const unsigned long long *state,
                                   const uint32_t *counts,
                                   const unsigned long long *offsets,
                                   real *out) {
  __shared__ uint32_t warpCounts[32];
  const unsigned long long need = state[0];
  const uint32_t prefix = (uint32_t)state[1];
  const int shift = 32 - (int)state[2];
  const int64_t first = (int64_t)blockIdx.x * chunk;
  const int64_t end = first + chunk < size ? first + chunk : size;
  unsigned long long rank = offsets[blockIdx.x];
  const uint32_t ties = counts[blockIdx.x];
  // out may be x: each element is read and written by one thread.
  if (rank >= need || rank + ties <= need) {
    const bool tiesKept = rank < need;
    for (int64_t i = first + threadIdx.x; i < end; i += blockDim.x) {
      const real e = x[i];
      const uint32_t top = prism_key_code(e) >> shift;
      const bool kept = top > prefix || (top == prefix && tiesKept);
      out[i] = kept ? (asMask ? (real)1 : e) : (real)0;
    }
    return;
  }
  const unsigned lane = threadIdx.x & 31u, warp = threadIdx.x >> 5;
  for (int64_t tile = first; tile < end; tile += blockDim.x) {
    const int64_t i = tile + threadIdx.x;
    const real e = i < end ? x[i] : (real)0;
    const uint32_t top = i < end ? prism_key_code(e) >> shift : 0;
    const bool tie = i < end && top == prefix;
    const uint32_t ballot = __ballot_sync(PRISM_FULL_MASK, tie);
    if (lane == 0)
      warpCounts[warp] = __popc(ballot);
    __syncthreads();
    unsigned long long before = 0, total = 0;
    for (unsigned w = 0; w < (blockDim.x >> 5); ++w) {
      before += w < warp ? warpCounts[w] : 0;
      total += warpCounts[w];
    }
    const unsigned long long mine =
        rank + before + __popc(ballot & ((1u << lane) - 1));
    if (i < end) {
      const bool kept = top > prefix || (tie && mine < need);
      out[i] = kept ? (asMask ? (real)1 : e) : (real)0;
    }
    rank += total;
    __syncthreads();
  }
}

//===----------------------------------------------------------------------===//
// Fill, gather and scatter
//===----------------------------------------------------------------------===//

extern "C" __global__ void __launch_bounds__(PRISM_BLOCK)
    prism_prelude_fill(real *out, int64_t n, real value) {
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x)
    out[i] = value;
}

// Stages entries [j0, j0 + count) of a row's (values, indices) in shared
// memory for the whole block; count <= blockDim.x.
__device__ __forceinline__ void
prism_stage_entries(const real *values, const int32_t *indices, int64_t first,
                    int64_t count, real *sharedValues, int32_t *sharedIndices) {
  __syncthreads();
  if (threadIdx.x < count) {
    sharedValues[threadIdx.x] = values[first + threadIdx.x];
    sharedIndices[threadIdx.x] = indices[first + threadIdx.x];
  }
  __syncthreads();
}

// out[r, c] = bias[c] + sum_j values[r, j] * table[indices[r, j], c]: blocks
// over rows (x) and column tiles (y), the row's entries staged in shared
// memory, accumulated in the CPU's order.
extern "C" __global__ void __launch_bounds__(PRISM_BLOCK)
    prism_prelude_gather_decode(const real *values, const int32_t *indices,
                                const real *table, const real *bias,
                                int64_t rows, int64_t k, int64_t d, real *out) {
  __shared__ real sharedValues[PRISM_BLOCK];
  __shared__ int32_t sharedIndices[PRISM_BLOCK];
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x)
    for (int64_t tile = (int64_t)blockIdx.y * blockDim.x; tile < d;
         tile += (int64_t)gridDim.y * blockDim.x) {
      const int64_t c = tile + threadIdx.x;
      real sum = c < d && bias ? bias[c] : (real)0;
      for (int64_t j0 = 0; j0 < k; j0 += blockDim.x) {
        const int64_t count = k - j0 < blockDim.x ? k - j0 : blockDim.x;
        prism_stage_entries(values, indices, r * k + j0, count, sharedValues,
                            sharedIndices);
        if (c < d) {
#pragma unroll 4
          for (int64_t j = 0; j < count; ++j)
            sum += sharedValues[j] * table[(int64_t)sharedIndices[j] * d + c];
        }
      }
      if (c < d)
        out[r * d + c] = sum;
    }
}

// out[r, j] = rowsData[r, :] . table[indices[r, j], :]: one warp per (r, j).
extern "C" __global__ void __launch_bounds__(PRISM_BLOCK)
    prism_prelude_gather_dot(const real *rowsData, const int32_t *indices,
                             const real *table, int64_t rows, int64_t k,
                             int64_t d, real *out) {
  const unsigned lane = threadIdx.x & 31u;
  const int64_t warps = ((int64_t)gridDim.x * blockDim.x) >> 5;
  for (int64_t p = ((int64_t)blockIdx.x * blockDim.x + threadIdx.x) >> 5;
       p < rows * k; p += warps) {
    const real *a = rowsData + (p / k) * d;
    const real *t = table + (int64_t)indices[p] * d;
    real sum = 0;
    for (int64_t c = lane; c < d; c += 32)
      sum += a[c] * t[c];
    sum = prism_warp_add(sum);
    if (lane == 0)
      out[p] = sum;
  }
}

// out[i, c] (or out[c, i] when transposed) += values[r, j] * rowsData[r, c]
// for every (r, j) with indices[r, j] = i; out is zeroed by the launcher.
extern "C" __global__ void __launch_bounds__(PRISM_BLOCK)
    prism_prelude_scatter_rows(const real *values, const int32_t *indices,
                               const real *rowsData, int64_t rows, int64_t k,
                               int64_t d, int64_t n, int transposed,
                               real *out) {
  __shared__ real sharedValues[PRISM_BLOCK];
  __shared__ int32_t sharedIndices[PRISM_BLOCK];
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x)
    for (int64_t tile = (int64_t)blockIdx.y * blockDim.x; tile < d;
         tile += (int64_t)gridDim.y * blockDim.x) {
      const int64_t c = tile + threadIdx.x;
      const real a = c < d ? rowsData[r * d + c] : (real)0;
      for (int64_t j0 = 0; j0 < k; j0 += blockDim.x) {
        const int64_t count = k - j0 < blockDim.x ? k - j0 : blockDim.x;
        prism_stage_entries(values, indices, r * k + j0, count, sharedValues,
                            sharedIndices);
        if (c < d)
          for (int64_t j = 0; j < count; ++j) {
            const int64_t i = sharedIndices[j];
            atomicAdd(transposed ? out + c * n + i : out + i * d + c,
                      sharedValues[j] * a);
          }
      }
    }
}

// out[r, :] = 0, then out[r, indices[r, j]] = values[r, j]: one block per
// row. As on the CPU, a later j wins a repeated index: a batch of entries
// writes after the one before it, and within a batch an entry writes only
// when no later one has its index.
extern "C" __global__ void __launch_bounds__(PRISM_BLOCK)
    prism_prelude_scatter_dense(const real *values, const int32_t *indices,
                                int64_t rows, int64_t k, int64_t n, real *out) {
  __shared__ real sharedValues[PRISM_BLOCK];
  __shared__ int32_t sharedIndices[PRISM_BLOCK];
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    real *o = out + r * n;
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x)
      o[i] = 0;
    for (int64_t j0 = 0; j0 < k; j0 += blockDim.x) {
      const int64_t count = k - j0 < blockDim.x ? k - j0 : blockDim.x;
      // Its barriers also order the zeros and the earlier batches before
      // this batch's writes.
      prism_stage_entries(values, indices, r * k + j0, count, sharedValues,
                          sharedIndices);
      if (threadIdx.x < count) {
        const int32_t i = sharedIndices[threadIdx.x];
        bool later = false;
        for (int64_t j = threadIdx.x + 1; j < count; ++j)
          later |= sharedIndices[j] == i;
        if (!later)
          o[i] = sharedValues[threadIdx.x];
      }
    }
  }
}

// out[r, j] = x[r, indices[r, j]]
extern "C" __global__ void __launch_bounds__(PRISM_BLOCK)
    prism_prelude_gather(const real *x, const int32_t *indices, int64_t rows,
                         int64_t n, int64_t k, real *out) {
  for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < rows * k;
       e += (int64_t)gridDim.x * blockDim.x)
    out[e] = x[(e / k) * n + indices[e]];
}

// out[indices[e]] += values[e]; out is zeroed by the launcher.
extern "C" __global__ void __launch_bounds__(PRISM_BLOCK)
    prism_prelude_scatter_sum(const real *values, const int32_t *indices,
                              int64_t rows, int64_t k, int64_t n, real *out) {
  for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < rows * k;
       e += (int64_t)gridDim.x * blockDim.x)
    atomicAdd(out + indices[e], values[e]);
  (void)n;
}

//===----------------------------------------------------------------------===//
// Adam and the unit-norm constraint
//===----------------------------------------------------------------------===//

// The CPU's prism_adam_step, operation for operation. The _rn intrinsics are
// never fused into FMAs, so each product and sum rounds as it does in the
// CPU's (x86-64-v2, FMA-less) code, and the step is bit-identical.
struct prism_adam_step {
  real lr, invBc1, invSqrtBc2, beta1, beta2, oneMinusBeta1, oneMinusBeta2, eps,
      decay;
  __device__ __forceinline__ prism_adam_step(real lr, real bc1, real bc2,
                                             real beta1, real beta2,
                                             real oneMinusBeta1,
                                             real oneMinusBeta2, real eps,
                                             real decay)
      : lr(lr), invBc1(__fdiv_rn(1.0f, bc1)),
        invSqrtBc2(__fdiv_rn(1.0f, __fsqrt_rn(bc2))), beta1(beta1),
        beta2(beta2), oneMinusBeta1(oneMinusBeta1),
        oneMinusBeta2(oneMinusBeta2), eps(eps), decay(decay) {}
  __device__ __forceinline__ real apply(real p, real g, real m, real v,
                                        real &mOut, real &vOut) const {
    const real mi = __fadd_rn(__fmul_rn(beta1, m), __fmul_rn(oneMinusBeta1, g));
    const real vi = __fadd_rn(__fmul_rn(beta2, v),
                              __fmul_rn(__fmul_rn(oneMinusBeta2, g), g));
    mOut = mi;
    vOut = vi;
    const real denominator =
        __fadd_rn(__fmul_rn(__fsqrt_rn(vi), invSqrtBc2), eps);
    const real update = __fadd_rn(__fdiv_rn(__fmul_rn(mi, invBc1), denominator),
                                  __fmul_rn(decay, p));
    return __fsub_rn(p, __fmul_rn(lr, update));
  }
};

// lr, bc1 and bc2 are device scalars, read here. pOut may be p, mOut m and
// vOut v: each element is read and written by one thread.
extern "C" __global__ void __launch_bounds__(PRISM_BLOCK)
    prism_prelude_adam(const real *p, const real *g, const real *m,
                       const real *v, int64_t size, const real *lr,
                       const real *bc1, const real *bc2, real beta1, real beta2,
                       real oneMinusBeta1, real oneMinusBeta2, real eps,
                       real decay, real *pOut, real *mOut, real *vOut) {
  const prism_adam_step adam(*lr, *bc1, *bc2, beta1, beta2, oneMinusBeta1,
                             oneMinusBeta2, eps, decay);
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < size;
       i += (int64_t)gridDim.x * blockDim.x) {
    real mi, vi;
    pOut[i] = adam.apply(p[i], g[i], m[i], v[i], mi, vi);
    mOut[i] = mi;
    vOut[i] = vi;
  }
}

// Per row (one block): dot = g . p, the step of g - dot p, the row scaled to
// unit norm. The step goes to pOut and is rescaled there by the thread that
// wrote it; the dot's reduction has finished every read of the row of p
// before the first write, so pOut may be p.
extern "C" __global__ void __launch_bounds__(PRISM_BLOCK)
    prism_prelude_adam_unit_rows(const real *p, const real *g, const real *m,
                                 const real *v, int64_t rows, int64_t cols,
                                 const real *lr, const real *bc1,
                                 const real *bc2, real beta1, real beta2,
                                 real oneMinusBeta1, real oneMinusBeta2,
                                 real eps, real decay, real *pOut, real *mOut,
                                 real *vOut) {
  __shared__ real shared32[32];
  const prism_adam_step adam(*lr, *bc1, *bc2, beta1, beta2, oneMinusBeta1,
                             oneMinusBeta2, eps, decay);
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const int64_t first = r * cols;
    real dot = 0;
    for (int64_t i = threadIdx.x; i < cols; i += blockDim.x)
      dot += g[first + i] * p[first + i];
    dot = prism_block_add(dot, shared32);
    real sum = 0;
    for (int64_t i = threadIdx.x; i < cols; i += blockDim.x) {
      const int64_t e = first + i;
      const real pe = p[e];
      real mi, vi;
      const real step = adam.apply(pe, __fsub_rn(g[e], __fmul_rn(dot, pe)),
                                   m[e], v[e], mi, vi);
      mOut[e] = mi;
      vOut[e] = vi;
      pOut[e] = step;
      sum += step * step;
    }
    sum = prism_block_add(sum, shared32);
    const real scale = sum > 0 ? __fdiv_rn(1.0f, __fsqrt_rn(sum)) : (real)0;
    for (int64_t i = threadIdx.x; i < cols; i += blockDim.x)
      pOut[first + i] = __fmul_rn(pOut[first + i], scale);
  }
}

// Rows of x [rows, cols] (one block each) scaled to unit norm; out may be x.
extern "C" __global__ void __launch_bounds__(PRISM_BLOCK)
    prism_prelude_unit_norm_rows(const real *x, int64_t rows, int64_t cols,
                                 real *out) {
  __shared__ real shared32[32];
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const real *row = x + r * cols;
    real sum = 0;
    for (int64_t i = threadIdx.x; i < cols; i += blockDim.x)
      sum += row[i] * row[i];
    sum = prism_block_add(sum, shared32);
    const real scale = sum > 0 ? __fdiv_rn(1.0f, __fsqrt_rn(sum)) : (real)0;
    for (int64_t i = threadIdx.x; i < cols; i += blockDim.x)
      out[r * cols + i] = row[i] * scale;
  }
}

// Columns of x [rows, cols] scaled to unit norm: a block takes 32 columns
// (one per lane, so a warp reads 32 adjacent entries of a row) and its warps
// split the rows. out may be x.
extern "C" __global__ void __launch_bounds__(PRISM_BLOCK)
    prism_prelude_unit_norm_cols(const real *x, int64_t rows, int64_t cols,
                                 real *out) {
  __shared__ real partial[PRISM_BLOCK];
  const unsigned lane = threadIdx.x & 31u, warp = threadIdx.x >> 5;
  const unsigned warps = blockDim.x >> 5;
  for (int64_t tile = (int64_t)blockIdx.x * 32; tile < cols;
       tile += (int64_t)gridDim.x * 32) {
    const int64_t c = tile + lane;
    real sum = 0;
    for (int64_t r = warp; c < cols && r < rows; r += warps)
      sum += x[r * cols + c] * x[r * cols + c];
    partial[threadIdx.x] = sum;
    __syncthreads();
    sum = 0;
    for (unsigned w = 0; w < warps; ++w)
      sum += partial[w * 32 + lane];
    const real scale = sum > 0 ? __fdiv_rn(1.0f, __fsqrt_rn(sum)) : (real)0;
    for (int64_t r = warp; c < cols && r < rows; r += warps)
      out[r * cols + c] = x[r * cols + c] * scale;
    // Everyone has read partial before the next tile writes it.
    __syncthreads();
  }
}

// g - <g, w> w per row of [rows, cols] (one block each); out may be g.
extern "C" __global__ void __launch_bounds__(PRISM_BLOCK)
    prism_prelude_project_tangent_rows(const real *g, const real *w,
                                       int64_t rows, int64_t cols, real *out) {
  __shared__ real shared32[32];
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const int64_t first = r * cols;
    real dot = 0;
    for (int64_t i = threadIdx.x; i < cols; i += blockDim.x)
      dot += g[first + i] * w[first + i];
    dot = prism_block_add(dot, shared32);
    for (int64_t i = threadIdx.x; i < cols; i += blockDim.x)
      out[first + i] = g[first + i] - dot * w[first + i];
  }
}

// g - <g, w> w per column, laid out as prism_prelude_unit_norm_cols.
extern "C" __global__ void __launch_bounds__(PRISM_BLOCK)
    prism_prelude_project_tangent_cols(const real *g, const real *w,
                                       int64_t rows, int64_t cols, real *out) {
  __shared__ real partial[PRISM_BLOCK];
  const unsigned lane = threadIdx.x & 31u, warp = threadIdx.x >> 5;
  const unsigned warps = blockDim.x >> 5;
  for (int64_t tile = (int64_t)blockIdx.x * 32; tile < cols;
       tile += (int64_t)gridDim.x * 32) {
    const int64_t c = tile + lane;
    real dot = 0;
    for (int64_t r = warp; c < cols && r < rows; r += warps)
      dot += g[r * cols + c] * w[r * cols + c];
    partial[threadIdx.x] = dot;
    __syncthreads();
    dot = 0;
    for (unsigned v = 0; v < warps; ++v)
      dot += partial[v * 32 + lane];
    for (int64_t r = warp; c < cols && r < rows; r += warps)
      out[r * cols + c] = g[r * cols + c] - dot * w[r * cols + c];
    __syncthreads();
  }
}
)PRELUDE";
}

const char *prism::target::getCudaHostPrelude() {
  return R"PRELUDE(
// The kernels of the device prelude, in the order of
// PRISM_PRELUDE_KERNEL_NAMES: the index cx->launch takes.
enum prism_prelude_kernel {
  PRISM_K_TOPK = 0,
  PRISM_K_BATCH_TOPK_INIT,
  PRISM_K_BATCH_TOPK_HIST,
  PRISM_K_BATCH_TOPK_SELECT,
  PRISM_K_BATCH_TOPK_COUNT,
  PRISM_K_BATCH_TOPK_SCAN,
  PRISM_K_BATCH_TOPK_WRITE,
  PRISM_K_FILL,
  PRISM_K_GATHER_DECODE,
  PRISM_K_GATHER_DOT,
  PRISM_K_SCATTER_ROWS,
  PRISM_K_SCATTER_DENSE,
  PRISM_K_GATHER,
  PRISM_K_SCATTER_SUM,
  PRISM_K_ADAM,
  PRISM_K_ADAM_UNIT_ROWS,
  PRISM_K_UNIT_NORM_ROWS,
  PRISM_K_UNIT_NORM_COLS,
  PRISM_K_PROJECT_TANGENT_ROWS,
  PRISM_K_PROJECT_TANGENT_COLS,
  PRISM_NUM_PRELUDE_KERNELS
};

#define PRISM_PRELUDE_KERNEL_NAMES                                             \
  "prism_prelude_topk", "prism_prelude_batch_topk_init",                       \
      "prism_prelude_batch_topk_hist", "prism_prelude_batch_topk_select",      \
      "prism_prelude_batch_topk_count", "prism_prelude_batch_topk_scan",       \
      "prism_prelude_batch_topk_write", "prism_prelude_fill",                  \
      "prism_prelude_gather_decode", "prism_prelude_gather_dot",               \
      "prism_prelude_scatter_rows", "prism_prelude_scatter_dense",             \
      "prism_prelude_gather", "prism_prelude_scatter_sum",                     \
      "prism_prelude_adam", "prism_prelude_adam_unit_rows",                    \
      "prism_prelude_unit_norm_rows", "prism_prelude_unit_norm_cols",          \
      "prism_prelude_project_tangent_rows",                                    \
      "prism_prelude_project_tangent_cols"

#define PRISM_CU_CHECK(expr)                                                   \
  do {                                                                         \
    int prism_rc_ = (expr);                                                    \
    if (prism_rc_)                                                             \
      return prism_rc_;                                                        \
  } while (0)

// What a launcher returns for arguments its kernels do not handle
// (CUDA_ERROR_INVALID_VALUE).
#define PRISM_CU_INVALID 1
// The threads of every prelude kernel but the one-block scan (1024).
#define PRISM_CU_BLOCK 256
// Grids of grid-stride loops stop growing here.
#define PRISM_CU_MAX_BLOCKS (65535 * 8)
// prism_cu_topk's largest k (its shared-memory buffer of codes).
#define PRISM_CU_TOPK_MAX_K 2048

// Batch top-k's device scratch: 256 bytes of state, the histograms of its
// three passes (2048 counts of 8 bytes each), then per chunk of the array
// its count of ties (4 bytes) and their first rank (8 bytes).
#define PRISM_CU_BATCH_BINS 2048
#define PRISM_CU_BATCH_MAX_CHUNKS 32768
#define PRISM_CU_BATCH_HIST_OFFSET 256
#define PRISM_CU_BATCH_COUNTS_OFFSET                                           \
  (PRISM_CU_BATCH_HIST_OFFSET + 3 * PRISM_CU_BATCH_BINS * 8)
#define PRISM_CU_BATCH_OFFSETS_OFFSET                                          \
  (PRISM_CU_BATCH_COUNTS_OFFSET + PRISM_CU_BATCH_MAX_CHUNKS * 4)
#define PRISM_CU_WORK_BYTES 442624
static_assert(PRISM_CU_BATCH_OFFSETS_OFFSET + PRISM_CU_BATCH_MAX_CHUNKS * 8 ==
                  PRISM_CU_WORK_BYTES,
              "batch top-k's scratch layout");

// ceil(n / per) blocks, at least 1 and at most PRISM_CU_MAX_BLOCKS (the
// kernels loop over the rest).
static inline uint32_t prism_cu_blocks(int64_t n, int64_t per) {
  const int64_t blocks = n <= 0 ? 1 : (n - 1) / per + 1;
  return (uint32_t)(blocks < PRISM_CU_MAX_BLOCKS ? blocks
                                                 : PRISM_CU_MAX_BLOCKS);
}

static inline int prism_cu_launch(const prism_cuda_context *cx,
                                  prism_prelude_kernel kernel, uint32_t gridX,
                                  uint32_t gridY, uint32_t block, void **args) {
  return cx->launch(cx->self, (int32_t)kernel, gridX, gridY, block, 0, args);
}

static inline int prism_cu_fill(const prism_cuda_context *cx, real *out,
                                int64_t n, real value) {
  if (n <= 0)
    return 0;
  void *args[] = {&out, &n, &value};
  return prism_cu_launch(cx, PRISM_K_FILL, prism_cu_blocks(n, PRISM_CU_BLOCK),
                         1, PRISM_CU_BLOCK, args);
}

static inline int prism_cu_topk(const prism_cuda_context *cx, const real *x,
                                int64_t rows, int64_t n, int64_t k, bool byAbs,
                                real *values, int32_t *indices) {
  if (rows <= 0 || k <= 0)
    return 0;
  if (k > n || k > PRISM_CU_TOPK_MAX_K || n > INT32_MAX)
    return PRISM_CU_INVALID;
  int absolute = byAbs ? 1 : 0;
  void *args[] = {&x, &rows, &n, &k, &absolute, &values, &indices};
  return prism_cu_launch(cx, PRISM_K_TOPK, prism_cu_blocks(rows, 1), 1,
                         PRISM_CU_BLOCK, args);
}

static inline int prism_cu_batch_topk(const prism_cuda_context *cx,
                                      const real *x, int64_t rows, int64_t n,
                                      int64_t k, bool asMask, real *out,
                                      void *work) {
  int64_t size = rows * n;
  int64_t keep = rows * k < size ? rows * k : size;
  if (size <= 0)
    return 0;
  if (keep <= 0)
    return prism_cu_fill(cx, out, size, 0);
  unsigned long long *state = (unsigned long long *)work;
  unsigned long long *hist =
      (unsigned long long *)((char *)work + PRISM_CU_BATCH_HIST_OFFSET);
  const unsigned long long *constState = state;
  void *initArgs[] = {&state, &hist, &keep};
  PRISM_CU_CHECK(prism_cu_launch(cx, PRISM_K_BATCH_TOPK_INIT, 1, 1,
                                 PRISM_CU_BLOCK, initArgs));
  // Passes of 11, 11 and 10 bits of the codes.
  const uint32_t histBlocks = prism_cu_blocks(size, 16 * PRISM_CU_BLOCK);
  for (int pass = 0; pass < 3; ++pass) {
    int bits = 11 * pass, width = pass < 2 ? 11 : 10;
    unsigned long long *passHist = hist + pass * PRISM_CU_BATCH_BINS;
    const unsigned long long *constPassHist = passHist;
    void *histArgs[] = {&x, &size, &bits, &width, &constState, &passHist};
    PRISM_CU_CHECK(prism_cu_launch(cx, PRISM_K_BATCH_TOPK_HIST,
                                   histBlocks < 1024 ? histBlocks : 1024, 1,
                                   PRISM_CU_BLOCK, histArgs));
    void *selectArgs[] = {&width, &state, &constPassHist};
    PRISM_CU_CHECK(prism_cu_launch(cx, PRISM_K_BATCH_TOPK_SELECT, 1, 1,
                                   PRISM_CU_BLOCK, selectArgs));
  }
  // Chunks of at least 4096 entries, at most PRISM_CU_BATCH_MAX_CHUNKS.
  int64_t chunk = (size - 1) / PRISM_CU_BATCH_MAX_CHUNKS + 1;
  chunk = (chunk + PRISM_CU_BLOCK - 1) / PRISM_CU_BLOCK * PRISM_CU_BLOCK;
  chunk = chunk < 4096 ? 4096 : chunk;
  int64_t chunks = (size - 1) / chunk + 1;
  uint32_t *counts = (uint32_t *)((char *)work + PRISM_CU_BATCH_COUNTS_OFFSET);
  unsigned long long *offsets =
      (unsigned long long *)((char *)work + PRISM_CU_BATCH_OFFSETS_OFFSET);
  const uint32_t *constCounts = counts;
  const unsigned long long *constOffsets = offsets;
  void *countArgs[] = {&x, &size, &chunk, &constState, &counts};
  PRISM_CU_CHECK(prism_cu_launch(cx, PRISM_K_BATCH_TOPK_COUNT, (uint32_t)chunks,
                                 1, PRISM_CU_BLOCK, countArgs));
  void *scanArgs[] = {&chunks, &constCounts, &offsets};
  PRISM_CU_CHECK(
      prism_cu_launch(cx, PRISM_K_BATCH_TOPK_SCAN, 1, 1, 1024, scanArgs));
  int mask = asMask ? 1 : 0;
  void *writeArgs[] = {&x,          &size,        &chunk,        &mask,
                       &constState, &constCounts, &constOffsets, &out};
  return prism_cu_launch(cx, PRISM_K_BATCH_TOPK_WRITE, (uint32_t)chunks, 1,
                         PRISM_CU_BLOCK, writeArgs);
}

// The y extent of a grid over column tiles of PRISM_CU_BLOCK.
static inline uint32_t prism_cu_column_tiles(int64_t d) {
  const int64_t tiles = (d - 1) / PRISM_CU_BLOCK + 1;
  return (uint32_t)(tiles < 65535 ? tiles : 65535);
}

static inline int prism_cu_gather_decode(const prism_cuda_context *cx,
                                         const real *values,
                                         const int32_t *indices,
                                         const real *table, const real *bias,
                                         int64_t rows, int64_t k, int64_t d,
                                         real *out) {
  if (rows <= 0 || d <= 0)
    return 0;
  void *args[] = {&values, &indices, &table, &bias, &rows, &k, &d, &out};
  return prism_cu_launch(cx, PRISM_K_GATHER_DECODE, prism_cu_blocks(rows, 1),
                         prism_cu_column_tiles(d), PRISM_CU_BLOCK, args);
}

static inline int prism_cu_gather_dot(const prism_cuda_context *cx,
                                      const real *rowsData,
                                      const int32_t *indices, const real *table,
                                      int64_t rows, int64_t k, int64_t d,
                                      real *out) {
  if (rows <= 0 || k <= 0)
    return 0;
  void *args[] = {&rowsData, &indices, &table, &rows, &k, &d, &out};
  return prism_cu_launch(cx, PRISM_K_GATHER_DOT,
                         prism_cu_blocks(rows * k, PRISM_CU_BLOCK / 32), 1,
                         PRISM_CU_BLOCK, args);
}

static inline int prism_cu_scatter_rows(const prism_cuda_context *cx,
                                        const real *values,
                                        const int32_t *indices,
                                        const real *rowsData, int64_t rows,
                                        int64_t k, int64_t d, int64_t n,
                                        bool transposed, real *out) {
  if (n <= 0 || d <= 0)
    return 0;
  PRISM_CU_CHECK(prism_cu_fill(cx, out, n * d, 0));
  if (rows <= 0 || k <= 0)
    return 0;
  int flip = transposed ? 1 : 0;
  void *args[] = {&values, &indices, &rowsData, &rows, &k, &d, &n, &flip, &out};
  return prism_cu_launch(cx, PRISM_K_SCATTER_ROWS, prism_cu_blocks(rows, 1),
                         prism_cu_column_tiles(d), PRISM_CU_BLOCK, args);
}

static inline int prism_cu_scatter_dense(const prism_cuda_context *cx,
                                         const real *values,
                                         const int32_t *indices, int64_t rows,
                                         int64_t k, int64_t n, real *out) {
  if (rows <= 0 || n <= 0)
    return 0;
  void *args[] = {&values, &indices, &rows, &k, &n, &out};
  return prism_cu_launch(cx, PRISM_K_SCATTER_DENSE, prism_cu_blocks(rows, 1), 1,
                         PRISM_CU_BLOCK, args);
}

static inline int prism_cu_gather(const prism_cuda_context *cx, const real *x,
                                  const int32_t *indices, int64_t rows,
                                  int64_t n, int64_t k, real *out) {
  if (rows <= 0 || k <= 0)
    return 0;
  void *args[] = {&x, &indices, &rows, &n, &k, &out};
  return prism_cu_launch(cx, PRISM_K_GATHER,
                         prism_cu_blocks(rows * k, PRISM_CU_BLOCK), 1,
                         PRISM_CU_BLOCK, args);
}

static inline int prism_cu_scatter_sum(const prism_cuda_context *cx,
                                       const real *values,
                                       const int32_t *indices, int64_t rows,
                                       int64_t k, int64_t n, real *out) {
  PRISM_CU_CHECK(prism_cu_fill(cx, out, n, 0));
  if (rows <= 0 || k <= 0 || n <= 0)
    return 0;
  void *args[] = {&values, &indices, &rows, &k, &n, &out};
  return prism_cu_launch(cx, PRISM_K_SCATTER_SUM,
                         prism_cu_blocks(rows * k, PRISM_CU_BLOCK), 1,
                         PRISM_CU_BLOCK, args);
}

static inline int prism_cu_adam(const prism_cuda_context *cx, const real *p,
                                const real *g, const real *m, const real *v,
                                int64_t size, const real *lr, const real *bc1,
                                const real *bc2, real beta1, real beta2,
                                real oneMinusBeta1, real oneMinusBeta2,
                                real eps, real decay, real *pOut, real *mOut,
                                real *vOut) {
  if (size <= 0)
    return 0;
  void *args[] = {&p,   &g,     &m,     &v,     &size,          &lr,
                  &bc1, &bc2,   &beta1, &beta2, &oneMinusBeta1, &oneMinusBeta2,
                  &eps, &decay, &pOut,  &mOut,  &vOut};
  return prism_cu_launch(cx, PRISM_K_ADAM,
                         prism_cu_blocks(size, PRISM_CU_BLOCK), 1,
                         PRISM_CU_BLOCK, args);
}

static inline int prism_cu_adam_unit_rows(
    const prism_cuda_context *cx, const real *p, const real *g, const real *m,
    const real *v, int64_t rows, int64_t cols, const real *lr, const real *bc1,
    const real *bc2, real beta1, real beta2, real oneMinusBeta1,
    real oneMinusBeta2, real eps, real decay, real *pOut, real *mOut,
    real *vOut) {
  if (rows <= 0 || cols <= 0)
    return 0;
  void *args[] = {
      &p,     &g,    &m,     &v,     &rows,          &cols,          &lr,
      &bc1,   &bc2,  &beta1, &beta2, &oneMinusBeta1, &oneMinusBeta2, &eps,
      &decay, &pOut, &mOut,  &vOut};
  return prism_cu_launch(cx, PRISM_K_ADAM_UNIT_ROWS, prism_cu_blocks(rows, 1),
                         1, PRISM_CU_BLOCK, args);
}

static inline int prism_cu_unit_norm(const prism_cuda_context *cx,
                                     const real *x, int64_t rows, int64_t cols,
                                     int64_t axis, real *out) {
  if (rows <= 0 || cols <= 0)
    return 0;
  void *args[] = {&x, &rows, &cols, &out};
  if (axis == 1)
    return prism_cu_launch(cx, PRISM_K_UNIT_NORM_ROWS, prism_cu_blocks(rows, 1),
                           1, PRISM_CU_BLOCK, args);
  return prism_cu_launch(cx, PRISM_K_UNIT_NORM_COLS, prism_cu_blocks(cols, 32),
                         1, PRISM_CU_BLOCK, args);
}

static inline int prism_cu_project_tangent(const prism_cuda_context *cx,
                                           const real *g, const real *w,
                                           int64_t rows, int64_t cols,
                                           int64_t axis, real *out) {
  if (rows <= 0 || cols <= 0)
    return 0;
  void *args[] = {&g, &w, &rows, &cols, &out};
  if (axis == 1)
    return prism_cu_launch(cx, PRISM_K_PROJECT_TANGENT_ROWS,
                           prism_cu_blocks(rows, 1), 1, PRISM_CU_BLOCK, args);
  return prism_cu_launch(cx, PRISM_K_PROJECT_TANGENT_COLS,
                         prism_cu_blocks(cols, 32), 1, PRISM_CU_BLOCK, args);
}
)PRELUDE";
}
