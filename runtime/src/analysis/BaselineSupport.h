//===- BaselineSupport.h - What the linear baselines share ------*- C++ -*-===//
//
// Private to the baselines: input checks with the messages every baseline
// gives, the column means and centred rows, the covariance eigenvectors that
// PCA and ICA start from, and the scoring of one reconstruction.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_SRC_ANALYSIS_BASELINESUPPORT_H
#define PRISM_RUNTIME_SRC_ANALYSIS_BASELINESUPPORT_H

#include "prism/runtime/LinearBaselines.h"
#include "prism/runtime/Random.h"

namespace prism::baselines {

/// At least two rows, a non-zero width, every value finite.
Status checkEmbeddings(const std::string &method, const float *x, uint64_t rows,
                       uint32_t dim);

/// A non-empty list of sizes, each in [1, limit]; `limitName` says what the
/// limit is ("the embedding width").
Status checkSizes(const std::string &method, const std::string &argument,
                  const std::vector<uint64_t> &sizes, uint64_t limit,
                  const std::string &limitName);

/// A size in [1, limit], named `argument`.
Status checkSize(const std::string &method, const std::string &argument,
                 uint64_t size, uint64_t limit, const std::string &limitName);

Status checkIterations(const std::string &method, unsigned iterations);

/// Per-column means of x [rows, dim], in double.
std::vector<double> columnMeans(const float *x, uint64_t rows, uint32_t dim);

/// x − mean, row-major [rows, dim], in double.
std::vector<double> centred(const float *x, uint64_t rows, uint32_t dim,
                            const std::vector<double> &mean);

/// The eigen-decomposition of the covariance (1/rows) Xcᵀ Xc.
struct CovarianceEigen {
  std::vector<double> variances; // [dim], largest first, clamped at >= 0
  std::vector<double> vectors;   // [dim, dim], row i the i-th eigenvector
};

StatusOr<CovarianceEigen> covarianceEigen(const std::string &method,
                                          const std::vector<double> &xc,
                                          uint64_t rows, uint32_t dim);

/// Uniform in [0, 1) with 53 random bits.
double uniform01(Xoshiro256 &rng);

/// R² of xhat against x, both [rows, dim].
BaselinePoint scorePoint(const float *x, const float *xhat, uint64_t rows,
                         uint32_t dim, uint64_t size, double l0);

} // namespace prism::baselines

#endif // PRISM_RUNTIME_SRC_ANALYSIS_BASELINESUPPORT_H
