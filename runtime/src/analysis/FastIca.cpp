//===- FastIca.cpp - Independent component baseline -----------------------===//
//
// FastICA (Hyvärinen 1999) in its symmetric form with the logcosh contrast,
// as scikit-learn runs it: the data are whitened by their top-k principal
// components, z = Λ^{-1/2} Pᵀ (x − mean), and an orthogonal W is iterated by
//
//   W ← E[g(W z) zᵀ] − diag(E[g'(W z)]) W,   W ← (W Wᵀ)^{-1/2} W,
//
// g = tanh, until no row of W turns by more than the tolerance. The mixing
// matrix P Λ^{1/2} Wᵀ then maps the sources s = W z back; because W is
// orthogonal, x̂ is the top-k PCA reconstruction whatever W converged to.
//
//===----------------------------------------------------------------------===//

#include "BaselineSupport.h"

#include "prism/runtime/Random.h"

#include <cblas.h>
#include <lapacke.h>

#include <cmath>

using namespace prism;
using namespace prism::baselines;

namespace {

constexpr double kTolerance = 1e-4;
// Whitening divides by sqrt(variance): variances below this share of the
// largest are treated as zero (outside the data's rank).
constexpr double kRankTolerance = 1e-10;

/// W ← (W Wᵀ)^{-1/2} W for the k x k matrix w; false if W Wᵀ is singular.
bool symmetricDecorrelate(std::vector<double> &w, uint64_t k) {
  std::vector<double> m(k * k), values(k);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, k, k, k, 1.0, w.data(),
              k, w.data(), k, 0.0, m.data(), k);
  if (LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', k, m.data(), k,
                     values.data()) != 0)
    return false;
  // m's columns are eigenvectors e_i: (W Wᵀ)^{-1/2} = Σ e_i e_iᵀ / sqrt(λ_i).
  double largest = values[k - 1];
  std::vector<double> scaled(k * k), root(k * k);
  for (uint64_t i = 0; i < k; ++i) {
    if (!(values[i] > largest * 1e-14) || largest <= 0)
      return false;
    for (uint64_t j = 0; j < k; ++j)
      scaled[j * k + i] = m[j * k + i] / std::sqrt(values[i]);
  }
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, k, k, k, 1.0,
              scaled.data(), k, m.data(), k, 0.0, root.data(), k);
  std::vector<double> out(k * k);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, k, k, k, 1.0,
              root.data(), k, w.data(), k, 0.0, out.data(), k);
  w.swap(out);
  return true;
}

} // namespace

StatusOr<IcaFit> prism::fitIca(const float *x, uint64_t rows, uint32_t dim,
                               uint64_t components, uint64_t seed,
                               unsigned iterations) {
  if (Status s = checkEmbeddings("ica", x, rows, dim); !s.isOk())
    return s;
  if (Status s = checkSize("ica", "components", components, dim,
                           "the embedding width");
      !s.isOk())
    return s;
  if (Status s = checkIterations("ica", iterations); !s.isOk())
    return s;
  const uint64_t k = components;
  IcaFit fit;
  fit.mean = columnMeans(x, rows, dim);
  std::vector<double> xc = centred(x, rows, dim, fit.mean);
  StatusOr<CovarianceEigen> eigen = covarianceEigen("ica", xc, rows, dim);
  if (!eigen.isOk())
    return eigen.getStatus();
  const std::vector<double> &var = eigen->variances;
  uint64_t rank = 0;
  while (rank < dim && var[rank] > var[0] * kRankTolerance)
    ++rank;
  if (k > rank)
    return Status::error("", "ica: components = " + std::to_string(k) +
                                 " exceeds the rank " + std::to_string(rank) +
                                 " of the embeddings");

  // Whitening rows: P_i / sqrt(λ_i), [k, dim]; z = Xc whitenᵀ, [rows, k].
  std::vector<double> whiten(k * dim);
  for (uint64_t i = 0; i < k; ++i)
    for (uint32_t c = 0; c < dim; ++c)
      whiten[i * dim + c] = eigen->vectors[i * dim + c] / std::sqrt(var[i]);
  std::vector<double> z(rows * k);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, k, dim, 1.0,
              xc.data(), dim, whiten.data(), dim, 0.0, z.data(), k);

  // A Gaussian start (Box-Muller), decorrelated.
  Xoshiro256 rng(seed);
  std::vector<double> w(k * k);
  for (double &v : w) {
    double u1 = 1.0 - uniform01(rng), u2 = uniform01(rng);
    v = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }
  if (!symmetricDecorrelate(w, k))
    return Status::error("", "ica: the random start of the unmixing matrix "
                             "is singular");

  std::vector<double> y(rows * k), next(k * k), slope(k);
  const double invRows = 1.0 / static_cast<double>(rows);
  for (unsigned it = 0; it < iterations; ++it) {
    // y = z Wᵀ; g(y) = tanh(y) in place; E[g'(y)] = E[1 − tanh²].
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, k, k, 1.0,
                z.data(), k, w.data(), k, 0.0, y.data(), k);
    std::fill(slope.begin(), slope.end(), 0.0);
    for (uint64_t r = 0; r < rows; ++r)
      for (uint64_t i = 0; i < k; ++i) {
        double t = std::tanh(y[r * k + i]);
        y[r * k + i] = t;
        slope[i] += 1.0 - t * t;
      }
    // next = g(y)ᵀ z / rows − diag(slope / rows) W.
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, k, rows, invRows,
                y.data(), k, z.data(), k, 0.0, next.data(), k);
    for (uint64_t i = 0; i < k; ++i)
      for (uint64_t j = 0; j < k; ++j)
        next[i * k + j] -= slope[i] * invRows * w[i * k + j];
    if (!symmetricDecorrelate(next, k))
      return Status::error("", "ica: the unmixing matrix became singular at "
                               "iteration " +
                                   std::to_string(it + 1));
    double turn = 0;
    for (uint64_t i = 0; i < k; ++i) {
      double dot = 0;
      for (uint64_t j = 0; j < k; ++j)
        dot += next[i * k + j] * w[i * k + j];
      turn = std::max(turn, std::fabs(std::fabs(dot) - 1.0));
    }
    w.swap(next);
    fit.iterations = it + 1;
    if (turn < kTolerance) {
      fit.converged = true;
      break;
    }
  }

  // unmixing = W whiten [k, dim]; mixing = Pᵀ Λ^{1/2} Wᵀ [dim, k].
  fit.unmixing.assign(k * dim, 0.0);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, k, dim, k, 1.0,
              w.data(), k, whiten.data(), dim, 0.0, fit.unmixing.data(), dim);
  fit.mixing.assign(dim * k, 0.0);
  for (uint32_t c = 0; c < dim; ++c)
    for (uint64_t j = 0; j < k; ++j) {
      double sum = 0;
      for (uint64_t i = 0; i < k; ++i)
        sum += eigen->vectors[i * dim + c] * std::sqrt(var[i]) * w[j * k + i];
      fit.mixing[c * k + j] = sum;
    }
  return fit;
}

StatusOr<BaselineSweep> prism::icaSweep(const float *x, uint64_t rows,
                                        uint32_t dim,
                                        const std::vector<uint64_t> &components,
                                        uint64_t seed, unsigned iterations) {
  if (Status s = checkEmbeddings("ica", x, rows, dim); !s.isOk())
    return s;
  if (Status s = checkSizes("ica", "components", components, dim,
                            "the embedding width");
      !s.isOk())
    return s;
  BaselineSweep sweep;
  sweep.method = "ica";
  std::vector<double> sources, back(rows * dim);
  std::vector<float> xhat(rows * dim);
  for (uint64_t k : components) {
    StatusOr<IcaFit> fit =
        fitIca(x, rows, dim, k, derivedSeed(seed, k), iterations);
    if (!fit.isOk())
      return fit.getStatus();
    std::vector<double> xc = centred(x, rows, dim, fit->mean);
    sources.assign(rows * k, 0.0);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, k, dim, 1.0,
                xc.data(), dim, fit->unmixing.data(), dim, 0.0, sources.data(),
                k);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, dim, k, 1.0,
                sources.data(), k, fit->mixing.data(), k, 0.0, back.data(),
                dim);
    for (uint64_t r = 0; r < rows; ++r)
      for (uint32_t c = 0; c < dim; ++c)
        xhat[r * dim + c] =
            static_cast<float>(fit->mean[c] + back[r * dim + c]);
    sweep.points.push_back(
        scorePoint(x, xhat.data(), rows, dim, k, static_cast<double>(k)));
  }
  return sweep;
}
