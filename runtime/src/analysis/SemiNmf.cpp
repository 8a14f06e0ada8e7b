//===- SemiNmf.cpp - Semi-NMF baseline ------------------------------------===//
//
// Ding, Li and Jordan, "Convex and semi-nonnegative matrix factorizations",
// IEEE TPAMI 2010, §3: X ≈ G F with codes G ≥ 0 and a basis F of any sign.
// Each round solves F exactly for G (least squares, Cholesky of GᵀG), then
// scales G by their multiplicative rule, which keeps G ≥ 0 and does not
// increase ‖X − G F‖². The start is theirs: k-means indicators + 0.2.
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

/// F = (GᵀG)⁻¹ Gᵀ Xc, [k, dim]; false when GᵀG is not positive definite.
bool solveBasis(const std::vector<double> &xc, const std::vector<double> &g,
                uint64_t rows, uint32_t dim, uint64_t k,
                std::vector<double> &basis) {
  std::vector<double> gram(k * k, 0.0);
  cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, k, rows, 1.0, g.data(), k,
              0.0, gram.data(), k);
  basis.assign(k * dim, 0.0);
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, dim, rows, 1.0,
              g.data(), k, xc.data(), dim, 0.0, basis.data(), dim);
  return LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', k, dim, gram.data(), k,
                       basis.data(), dim) == 0;
}

} // namespace

/// What both semi-NMF entry points check first.
static Status checkInputs(const float *x, uint64_t rows, uint32_t dim,
                          uint64_t components, unsigned iterations) {
  if (Status s = checkEmbeddings("semi_nmf", x, rows, dim); !s.isOk())
    return s;
  if (Status s = checkSize("semi_nmf", "components", components, rows,
                           "the number of rows");
      !s.isOk())
    return s;
  return checkIterations("semi_nmf", iterations);
}

StatusOr<std::vector<double>>
prism::semiNmfStart(const float *x, uint64_t rows, uint32_t dim,
                    uint64_t components, uint64_t seed, unsigned iterations) {
  if (Status s = checkInputs(x, rows, dim, components, iterations); !s.isOk())
    return s;
  StatusOr<std::vector<double>> initial =
      kmeansPlusPlus(x, rows, dim, components, seed);
  if (!initial.isOk())
    return initial.getStatus();
  StatusOr<KMeansFit> fit =
      kmeansLloyd(x, rows, dim, *initial, components, iterations);
  if (!fit.isOk())
    return fit.getStatus();
  std::vector<double> g(rows * components, 0.2);
  for (uint64_t r = 0; r < rows; ++r)
    g[r * components + fit->assignment[r]] += 1.0;
  return g;
}

StatusOr<SemiNmfFit> prism::semiNmf(const float *x, uint64_t rows, uint32_t dim,
                                    const std::vector<double> &start,
                                    uint64_t components, unsigned iterations) {
  if (Status s = checkInputs(x, rows, dim, components, iterations); !s.isOk())
    return s;
  const uint64_t k = components;
  if (start.size() != rows * k)
    return Status::error("", "semi_nmf: the starting codes hold " +
                                 std::to_string(start.size()) +
                                 " values, expected rows x components = " +
                                 std::to_string(rows * k));
  for (uint64_t i = 0; i < start.size(); ++i)
    if (!(start[i] >= 0) || !std::isfinite(start[i]))
      return Status::error(
          "", "semi_nmf: starting code " + std::to_string(i / k) + "," +
                  std::to_string(i % k) + " is negative or not finite");
  SemiNmfFit fit;
  fit.mean = columnMeans(x, rows, dim);
  fit.codes = start;
  std::vector<double> xc = centred(x, rows, dim, fit.mean);
  std::vector<double> &g = fit.codes;
  std::vector<double> a(rows * k), bb(k * k), bPos(k * k), bNeg(k * k),
      gPos(rows * k), gNeg(rows * k);
  // Stops at it == iterations, so the counter never wraps.
  for (unsigned it = 0;; ++it) {
    if (!solveBasis(xc, g, rows, dim, k, fit.basis))
      return Status::error("", "semi_nmf: the codes' Gram matrix GᵀG is "
                               "singular at iteration " +
                                   std::to_string(it));
    if (it == iterations)
      break; // the basis of the final codes
    // A = Xc Fᵀ [rows, k]; B = F Fᵀ [k, k], split into its positive and
    // negative parts B = B⁺ − B⁻.
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, k, dim, 1.0,
                xc.data(), dim, fit.basis.data(), dim, 0.0, a.data(), k);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, k, k, dim, 1.0,
                fit.basis.data(), dim, fit.basis.data(), dim, 0.0, bb.data(),
                k);
    for (uint64_t i = 0; i < k * k; ++i) {
      bPos[i] = (std::fabs(bb[i]) + bb[i]) / 2;
      bNeg[i] = (std::fabs(bb[i]) - bb[i]) / 2;
    }
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, k, k, 1.0,
                g.data(), k, bPos.data(), k, 0.0, gPos.data(), k);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, k, k, 1.0,
                g.data(), k, bNeg.data(), k, 0.0, gNeg.data(), k);
    for (uint64_t i = 0; i < rows * k; ++i) {
      double aPos = (std::fabs(a[i]) + a[i]) / 2;
      double aNeg = (std::fabs(a[i]) - a[i]) / 2;
      double numerator = aPos + gNeg[i], denominator = aNeg + gPos[i];
      if (denominator > 0)
        g[i] *= std::sqrt(numerator / denominator);
    }
  }
  return fit;
}

StatusOr<BaselineSweep>
prism::semiNmfSweep(const float *x, uint64_t rows, uint32_t dim,
                    const std::vector<uint64_t> &components, uint64_t seed,
                    unsigned iterations) {
  if (Status s = checkEmbeddings("semi_nmf", x, rows, dim); !s.isOk())
    return s;
  if (Status s = checkSizes("semi_nmf", "components", components, rows,
                            "the number of rows");
      !s.isOk())
    return s;
  if (Status s = checkIterations("semi_nmf", iterations); !s.isOk())
    return s;
  BaselineSweep sweep;
  sweep.method = "semi_nmf";
  std::vector<double> back(rows * dim);
  std::vector<float> xhat(rows * dim);
  for (uint64_t k : components) {
    StatusOr<std::vector<double>> start =
        semiNmfStart(x, rows, dim, k, derivedSeed(seed, k), iterations);
    if (!start.isOk())
      return start.getStatus();
    StatusOr<SemiNmfFit> fit = semiNmf(x, rows, dim, *start, k, iterations);
    if (!fit.isOk())
      return fit.getStatus();
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, dim, k, 1.0,
                fit->codes.data(), k, fit->basis.data(), dim, 0.0, back.data(),
                dim);
    uint64_t nonzeros = 0;
    for (double v : fit->codes)
      nonzeros += v > 0;
    for (uint64_t r = 0; r < rows; ++r)
      for (uint32_t j = 0; j < dim; ++j)
        xhat[r * dim + j] =
            static_cast<float>(fit->mean[j] + back[r * dim + j]);
    sweep.points.push_back(
        scorePoint(x, xhat.data(), rows, dim, k,
                   static_cast<double>(nonzeros) / static_cast<double>(rows)));
  }
  return sweep;
}
