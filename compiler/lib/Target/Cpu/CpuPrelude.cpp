//===- CpuPrelude.cpp - Kernels every generated C++ file carries ----------===//
//
// The C++ emitter prints fused loops for elementwise and reduction work and
// calls these for the kernels whose structure does not depend on the model:
// GEMMs (OpenBLAS), top-k selection, sparse gather and scatter, the Adam
// step and the unit-norm constraint. They travel inside the generated source,
// so a program's shared object depends on nothing but libopenblas and libgomp.
//
//===----------------------------------------------------------------------===//

#include "CpuPrelude.h"

const char *prism::target::getCpuPrelude() {
  return R"PRELUDE(
#include <algorithm>
#include <cblas.h>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>
#ifdef _OPENMP
#include <omp.h>
#endif

#ifndef PRISM_REAL
#define PRISM_REAL float
#endif
typedef PRISM_REAL real;

static inline real prism_maximum(real a, real b) {
  return (a != a || b != b) ? a + b : (a > b ? a : b);
}
static inline real prism_minimum(real a, real b) {
  return (a != a || b != b) ? a + b : (a < b ? a : b);
}
// Full min / max reductions split over threads with the same combiners
// (exact: the order of the partial results changes nothing but the sign of
// a zero).
#pragma omp declare reduction(prism_max : real : \
    omp_out = prism_maximum(omp_out, omp_in)) initializer(omp_priv = -INFINITY)
#pragma omp declare reduction(prism_min : real : \
    omp_out = prism_minimum(omp_out, omp_in)) initializer(omp_priv = INFINITY)

// OpenBLAS's own (a netlib cblas.h does not declare them; -lopenblas has them).
extern "C" void openblas_set_num_threads(int);
extern "C" int openblas_get_num_threads(void);

// One single-threaded OpenBLAS call on a block C[m, n] (row stride ldc):
// C = A @ B, or with a bias (the block's columns of it) C = A @ B + bias,
// by filling C with the bias and accumulating into it (beta = 1), then
// clamping at 0 with relu.
static inline void prism_gemm_block(bool ta, bool tb, int64_t m, int64_t n,
                                    int64_t k, const real *a, int64_t lda,
                                    const real *b, int64_t ldb, real *c,
                                    int64_t ldc, const real *bias, bool relu) {
  if (bias)
    for (int64_t i = 0; i < m; ++i)
      std::copy(bias, bias + n, c + i * ldc);
  const real beta = bias ? 1 : 0;
  if (sizeof(real) == sizeof(float))
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
                tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f,
                (const float *)a, lda, (const float *)b, ldb, (float)beta,
                (float *)c, ldc);
  else
    cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
                tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0,
                (const double *)a, lda, (const double *)b, ldb, (double)beta,
                (double *)c, ldc);
  if (bias && relu)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j)
        c[i * ldc + j] = c[i * ldc + j] < 0 ? 0 : c[i * ldc + j];
}

// C[m, n] = op(A) @ op(B) (+ bias per column, then ReLU) with row-major
// storage; lda/ldb are the stored row lengths. The OpenMP threads split C
// (by rows, or by columns when it is wide) and each makes a single-threaded
// OpenBLAS call: with OpenBLAS's own thread pool beside OpenMP's, its
// workers kept spinning after each GEMM and took the cores from the OpenMP
// regions that followed (measured: 2 ms per small region on 2 cores).
static inline void prism_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k,
                       const real *a, const real *b, real *c,
                       const real *bias, bool relu) {
  const int64_t lda = ta ? m : k, ldb = tb ? k : n;
  if (m == 0 || n == 0)
    return;
  if (k == 0) {
    // The product of no terms is 0; the epilogue still applies.
#pragma omp parallel for
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        const real v = bias ? bias[j] : 0;
        c[i * n + j] = relu && v < 0 ? 0 : v;
      }
  } else {
    const int blasThreads = openblas_get_num_threads();
    openblas_set_num_threads(1);
    const bool byRows = m >= n;
#pragma omp parallel
    {
      int threads = 1, me = 0;
#ifdef _OPENMP
      threads = omp_get_num_threads();
      me = omp_get_thread_num();
#endif
      const int64_t extent = byRows ? m : n;
      const int64_t lo = extent * me / threads;
      const int64_t hi = extent * (me + 1) / threads;
      if (hi > lo && byRows)
        prism_gemm_block(ta, tb, hi - lo, n, k, a + (ta ? lo : lo * lda), lda,
                         b, ldb, c + lo * n, n, bias, relu);
      else if (hi > lo)
        prism_gemm_block(ta, tb, m, hi - lo, k, a, lda,
                         b + (tb ? lo * ldb : lo), ldb, c + lo, n,
                         bias ? bias + lo : nullptr, relu);
    }
    openblas_set_num_threads(blasThreads);
  }
}

// Per row of x [rows, n]: the k largest entries (by |x| with byAbs) in
// descending order, ties to the lower index, and their columns; NaN ranks
// below every number. The row's entries are dealt into 4k groups (entry i to
// group i mod 4k) and the bar is the k-th largest of the groups' maxima: k
// groups each hold an entry at or above the bar, so no entry below it is
// among the k largest. Finding the bar and the few entries that reach it
// are vector passes; only those few are ranked. (A k-heap over the whole row
// cost 7 ms of a 45 ms train step; this, 2.5 ms.)
static inline void prism_topk(const real *x, int64_t rows, int64_t n, int64_t k,
                              bool byAbs, real *values, int32_t *indices) {
  typedef std::pair<real, int32_t> Entry;
  // a before b: larger key, or the same key at a lower index.
  auto before = [](const Entry &a, const Entry &b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  };
  if (k <= 0)
    return;
  const int64_t groups = std::min(n, 4 * k), block = 16;
#pragma omp parallel
  {
    std::vector<real> keys(n), maxima(groups);
    std::vector<Entry> candidates(n);
#pragma omp for
    for (int64_t r = 0; r < rows; ++r) {
      const real *row = x + r * n;
      std::fill(maxima.begin(), maxima.end(), -INFINITY);
      // `a > b ? a : b` is what maxps computes: it vectorises without
      // -ffast-math, and keys hold no NaN.
      for (int64_t first = 0; first < n; first += groups) {
        const int64_t width = std::min(groups, n - first);
        for (int64_t g = 0; g < width; ++g) {
          const real e = byAbs ? std::fabs(row[first + g]) : row[first + g];
          const real key = e != e ? -INFINITY : e;
          keys[first + g] = key;
          maxima[g] = key > maxima[g] ? key : maxima[g];
        }
      }
      std::nth_element(maxima.begin(), maxima.begin() + (k - 1), maxima.end(),
                       [](real a, real b) { return a > b; });
      const real bar = maxima[k - 1];
      // Branch-free collection inside the blocks that hold a candidate.
      int64_t count = 0;
      for (int64_t first = 0; first < n; first += block) {
        const int64_t end = std::min(n, first + block);
        int any = 0;
#pragma omp simd reduction(| : any)
        for (int64_t i = first; i < end; ++i)
          any |= keys[i] >= bar;
        for (int64_t i = first; any && i < end; ++i) {
          candidates[count] = {keys[i], (int32_t)i};
          count += keys[i] >= bar;
        }
      }
      std::nth_element(candidates.begin(), candidates.begin() + (k - 1),
                       candidates.begin() + count, before);
      std::sort(candidates.begin(), candidates.begin() + k, before);
      for (int64_t j = 0; j < k; ++j) {
        values[r * k + j] = row[candidates[j].second];
        indices[r * k + j] = candidates[j].second;
      }
    }
  }
}

// out[r, :] = bias + sum_j values[r, j] * table[indices[r, j], :]
static inline void prism_gather_decode(const real *values, const int32_t *indices,
                                const real *table, const real *bias,
                                int64_t rows, int64_t k, int64_t d,
                                real *out) {
#pragma omp parallel for
  for (int64_t r = 0; r < rows; ++r) {
    real *o = out + r * d;
    for (int64_t c = 0; c < d; ++c)
      o[c] = bias ? bias[c] : 0;
    for (int64_t j = 0; j < k; ++j) {
      const real v = values[r * k + j];
      const real *t = table + (int64_t)indices[r * k + j] * d;
      for (int64_t c = 0; c < d; ++c)
        o[c] += v * t[c];
    }
  }
}

// out[r, j] = rows[r, :] . table[indices[r, j], :]
static inline void prism_gather_dot(const real *rowsData, const int32_t *indices,
                             const real *table, int64_t rows, int64_t k,
                             int64_t d, real *out) {
#pragma omp parallel for
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < k; ++j) {
      const real *a = rowsData + r * d;
      const real *t = table + (int64_t)indices[r * k + j] * d;
      real sum = 0;
#pragma omp simd reduction(+ : sum)
      for (int64_t c = 0; c < d; ++c)
        sum += a[c] * t[c];
      out[r * k + j] = sum;
    }
}

// The latents [lo, hi) of the calling thread's share of n.
static inline void prism_thread_share(int64_t n, int64_t &lo, int64_t &hi) {
  int threads = 1, me = 0;
#ifdef _OPENMP
  threads = omp_get_num_threads();
  me = omp_get_thread_num();
#endif
  lo = n * me / threads;
  hi = n * (me + 1) / threads;
}

// rows_i += values[r, j] * rowsData[r, :] for every (r, j) with
// indices[r, j] = i in [lo, hi), row i at target + (i - lo) * d: one
// thread's latents, so that no two threads write one row.
static inline void prism_add_rows(const real *values, const int32_t *indices,
                                  const real *rowsData, int64_t rows,
                                  int64_t k, int64_t d, int64_t lo, int64_t hi,
                                  real *target) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < k; ++j) {
      const int64_t i = indices[r * k + j];
      if (i < lo || i >= hi)
        continue;
      const real v = values[r * k + j];
      const real *a = rowsData + r * d;
      real *row = target + (i - lo) * d;
      for (int64_t c = 0; c < d; ++c)
        row[c] += v * a[c];
    }
}

// The transposed forms visit [d, n] in tiles of 64 latents, so that the
// tile's rows of a thread's [hi - lo, d] block stay in cache while each
// column is written.
constexpr int64_t prism_transpose_tile = 64;

// out[i, :] (or out[:, i]) = sum over (r, j) with indices[r, j] == i of
// values[r, j] * rows[r, :]. Each thread scans the code for its own
// latents. The transposed form adds rows into a private [hi - lo, d] block
// and transposes it once: adding straight into columns of [d, n] would
// stride n per element.
static inline void prism_scatter_rows(const real *values, const int32_t *indices,
                               const real *rowsData, int64_t rows, int64_t k,
                               int64_t d, int64_t n, bool transposed,
                               real *out) {
#pragma omp parallel
  {
    int64_t lo, hi;
    prism_thread_share(n, lo, hi);
    static thread_local std::vector<real> block;
    block.assign(transposed ? (hi - lo) * d : 0, (real)0);
    if (!transposed)
      std::fill(out + lo * d, out + hi * d, (real)0);
    prism_add_rows(values, indices, rowsData, rows, k, d, lo, hi,
                   transposed ? block.data() : out + lo * d);
    for (int64_t first = lo; transposed && first < hi;
         first += prism_transpose_tile)
      for (int64_t c = 0; c < d; ++c)
        for (int64_t i = first; i < std::min(hi, first + prism_transpose_tile);
             ++i)
          out[c * n + i] = block[(i - lo) * d + c];
  }
}

// out[r, indices[r, j]] = values[r, j], zero elsewhere.
static inline void prism_scatter_dense(const real *values, const int32_t *indices,
                                int64_t rows, int64_t k, int64_t n,
                                real *out) {
#pragma omp parallel for
  for (int64_t r = 0; r < rows; ++r) {
    std::memset(out + r * n, 0, sizeof(real) * n);
    for (int64_t j = 0; j < k; ++j)
      out[r * n + indices[r * k + j]] = values[r * k + j];
  }
}

// out[r, j] = x[r, indices[r, j]]
static inline void prism_gather(const real *x, const int32_t *indices,
                                int64_t rows, int64_t n, int64_t k, real *out) {
#pragma omp parallel for
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < k; ++j)
      out[r * k + j] = x[r * n + indices[r * k + j]];
}

// out[i] = sum of values[r, j] over the entries with indices[r, j] = i.
static inline void prism_scatter_sum(const real *values, const int32_t *indices,
                                     int64_t rows, int64_t k, int64_t n,
                                     real *out) {
  std::fill(out, out + n, (real)0);
  for (int64_t e = 0; e < rows * k; ++e)
    out[indices[e]] += values[e];
}

// Keeps the rows * k largest entries of x [rows, n] (ties to the lower
// row-major index): their values, or 1 with asMask; 0 elsewhere.
static inline void prism_batch_topk(const real *x, int64_t rows, int64_t n,
                                    int64_t k, bool asMask, real *out) {
  const int64_t size = rows * n;
  const int64_t keep = std::min(size, rows * k);
  std::vector<int64_t> order(size);
  for (int64_t i = 0; i < size; ++i)
    order[i] = i;
  auto before = [&](int64_t a, int64_t b) {
    return x[a] > x[b] || (x[a] == x[b] && a < b);
  };
  if (keep < size)
    std::nth_element(order.begin(), order.begin() + keep, order.end(), before);
  std::vector<char> kept(size, 0);
  for (int64_t i = 0; i < keep; ++i)
    kept[order[i]] = 1;
#pragma omp parallel for
  for (int64_t i = 0; i < size; ++i)
    out[i] = kept[i] ? (asMask ? (real)1 : x[i]) : (real)0;
}

// The constants of one bias-corrected Adam step with decoupled weight decay
// (see saek.adam). 1 - beta comes folded in double (1 - 0.999f in float is
// 0.00099998713); with the reciprocals of the corrections, an element costs
// one division.
struct prism_adam_step {
  real lr, invBc1, invSqrtBc2, beta1, beta2, oneMinusBeta1, oneMinusBeta2,
      eps, decay;
  prism_adam_step(real lr, real bc1, real bc2, real beta1, real beta2,
                  real oneMinusBeta1, real oneMinusBeta2, real eps, real decay)
      : lr(lr), invBc1(1 / bc1), invSqrtBc2(1 / std::sqrt(bc2)), beta1(beta1),
        beta2(beta2), oneMinusBeta1(oneMinusBeta1),
        oneMinusBeta2(oneMinusBeta2), eps(eps), decay(decay) {}
  // The step of one element with gradient g: its new moments, and the new
  // parameter as the result.
  real apply(real p, real g, real m, real v, real &mOut, real &vOut) const {
    const real mi = beta1 * m + oneMinusBeta1 * g;
    const real vi = beta2 * v + oneMinusBeta2 * g * g;
    mOut = mi;
    vOut = vi;
    return p - lr * ((mi * invBc1) / (std::sqrt(vi) * invSqrtBc2 + eps) +
                     decay * p);
  }
};

static inline void prism_adam(const real *p, const real *g, const real *m,
                       const real *v, int64_t size, real lr, real bc1,
                       real bc2, real beta1, real beta2,
                       real oneMinusBeta1, real oneMinusBeta2, real eps,
                       real decay, real *pOut, real *mOut, real *vOut) {
  const prism_adam_step adam(lr, bc1, bc2, beta1, beta2, oneMinusBeta1,
                             oneMinusBeta2, eps, decay);
#pragma omp parallel for simd
  for (int64_t i = 0; i < size; ++i)
    pOut[i] = adam.apply(p[i], g[i], m[i], v[i], mOut[i], vOut[i]);
}

// The Adam step of a parameter with unit rows, row by row: the gradient's
// component along the row removed, the step, the row renormalised. One pass
// over p, g, m and v instead of three (prism_project_tangent, prism_adam,
// prism_unit_norm, with the same arithmetic); pOut may be p.
static inline void prism_adam_unit_rows(
    const real *p, const real *g, const real *m, const real *v, int64_t rows,
    int64_t cols, real lr, real bc1, real bc2, real beta1, real beta2,
    real oneMinusBeta1, real oneMinusBeta2, real eps, real decay, real *pOut,
    real *mOut, real *vOut) {
  const prism_adam_step adam(lr, bc1, bc2, beta1, beta2, oneMinusBeta1,
                             oneMinusBeta2, eps, decay);
#pragma omp parallel
  {
    std::vector<real> step(cols);
#pragma omp for
    for (int64_t r = 0; r < rows; ++r) {
      const real *pr = p + r * cols, *gr = g + r * cols;
      const real *mr = m + r * cols, *vr = v + r * cols;
      real dot = 0;
#pragma omp simd reduction(+ : dot)
      for (int64_t i = 0; i < cols; ++i)
        dot += gr[i] * pr[i];
      real sum = 0;
#pragma omp simd reduction(+ : sum)
      for (int64_t i = 0; i < cols; ++i) {
        step[i] = adam.apply(pr[i], gr[i] - dot * pr[i], mr[i], vr[i],
                             mOut[r * cols + i], vOut[r * cols + i]);
        sum += step[i] * step[i];
      }
      const real scale = sum > 0 ? 1 / std::sqrt(sum) : 0;
      for (int64_t i = 0; i < cols; ++i)
        pOut[r * cols + i] = step[i] * scale;
    }
  }
}

// Rows (axis 1) or columns (axis 0) of x [rows, cols] scaled to unit norm.
static inline void prism_unit_norm(const real *x, int64_t rows, int64_t cols,
                            int64_t axis, real *out) {
  const int64_t lines = axis == 1 ? rows : cols, len = axis == 1 ? cols : rows;
  const int64_t lineStride = axis == 1 ? cols : 1, step = axis == 1 ? 1 : cols;
#pragma omp parallel for
  for (int64_t l = 0; l < lines; ++l) {
    real sum = 0;
#pragma omp simd reduction(+ : sum)
    for (int64_t i = 0; i < len; ++i) {
      const real e = x[l * lineStride + i * step];
      sum += e * e;
    }
    const real scale = sum > 0 ? 1 / std::sqrt(sum) : 0;
    for (int64_t i = 0; i < len; ++i)
      out[l * lineStride + i * step] = x[l * lineStride + i * step] * scale;
  }
}

// g - <g, w> w per row (axis 1) or column (axis 0).
static inline void prism_project_tangent(const real *g, const real *w, int64_t rows,
                                  int64_t cols, int64_t axis, real *out) {
  const int64_t lines = axis == 1 ? rows : cols, len = axis == 1 ? cols : rows;
  const int64_t lineStride = axis == 1 ? cols : 1, step = axis == 1 ? 1 : cols;
#pragma omp parallel for
  for (int64_t l = 0; l < lines; ++l) {
    real dot = 0;
#pragma omp simd reduction(+ : dot)
    for (int64_t i = 0; i < len; ++i)
      dot += g[l * lineStride + i * step] * w[l * lineStride + i * step];
    for (int64_t i = 0; i < len; ++i) {
      const int64_t e = l * lineStride + i * step;
      out[e] = g[e] - dot * w[e];
    }
  }
}
)PRELUDE";
}
