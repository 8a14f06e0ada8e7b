//===- BaselineSupport.cpp - What the linear baselines share --------------===//
//
// The covariance is formed in double by one rank-k update (dsyrk) and split
// by LAPACK's divide-and-conquer symmetric eigensolver (dsyevd), which gives
// orthonormal eigenvectors even for repeated eigenvalues.
//
//===----------------------------------------------------------------------===//

#include "BaselineSupport.h"

#include "prism/runtime/EvalMetrics.h"

#include <cblas.h>
#include <lapacke.h>

#include <algorithm>
#include <cmath>

using namespace prism;
using namespace prism::baselines;

static std::string formatValue(float value) {
  if (std::isnan(value))
    return "nan";
  return value > 0 ? "inf" : "-inf";
}

Status baselines::checkEmbeddings(const std::string &method, const float *x,
                                  uint64_t rows, uint32_t dim) {
  if (rows < 2)
    return Status::error("", method +
                                 ": needs at least 2 rows of embeddings, "
                                 "got " +
                                 std::to_string(rows));
  if (dim == 0)
    return Status::error("", method + ": the embeddings have width 0");
  for (uint64_t r = 0; r < rows; ++r)
    for (uint32_t c = 0; c < dim; ++c)
      if (!std::isfinite(x[r * dim + c]))
        return Status::error(
            "", method + ": row " + std::to_string(r) +
                    " of the embeddings holds a non-finite value (" +
                    formatValue(x[r * dim + c]) + " at column " +
                    std::to_string(c) + ")");
  return Status::ok();
}

Status baselines::checkSize(const std::string &method,
                            const std::string &argument, uint64_t size,
                            uint64_t limit, const std::string &limitName) {
  if (size == 0)
    return Status::error("", method + ": " + argument +
                                 " is 0, expected at least 1");
  if (size > limit)
    return Status::error("", method + ": " + argument + " = " +
                                 std::to_string(size) + " exceeds " +
                                 limitName + " " + std::to_string(limit));
  return Status::ok();
}

Status baselines::checkSizes(const std::string &method,
                             const std::string &argument,
                             const std::vector<uint64_t> &sizes, uint64_t limit,
                             const std::string &limitName) {
  if (sizes.empty())
    return Status::error("", method + ": no " + argument + " given");
  for (size_t i = 0; i < sizes.size(); ++i) {
    Status s = checkSize(method, argument + "[" + std::to_string(i) + "]",
                         sizes[i], limit, limitName);
    if (!s.isOk())
      return s;
  }
  return Status::ok();
}

Status baselines::checkIterations(const std::string &method,
                                  unsigned iterations) {
  if (iterations == 0)
    return Status::error("", method + ": iterations is 0, expected at least 1");
  return Status::ok();
}

std::vector<double> baselines::columnMeans(const float *x, uint64_t rows,
                                           uint32_t dim) {
  std::vector<double> mean(dim, 0.0);
  for (uint64_t r = 0; r < rows; ++r)
    for (uint32_t c = 0; c < dim; ++c)
      mean[c] += x[r * dim + c];
  for (double &m : mean)
    m /= static_cast<double>(rows);
  return mean;
}

std::vector<double> baselines::centred(const float *x, uint64_t rows,
                                       uint32_t dim,
                                       const std::vector<double> &mean) {
  std::vector<double> xc(rows * dim);
  for (uint64_t r = 0; r < rows; ++r)
    for (uint32_t c = 0; c < dim; ++c)
      xc[r * dim + c] = x[r * dim + c] - mean[c];
  return xc;
}

StatusOr<CovarianceEigen>
baselines::covarianceEigen(const std::string &method,
                           const std::vector<double> &xc, uint64_t rows,
                           uint32_t dim) {
  std::vector<double> cov(static_cast<size_t>(dim) * dim, 0.0);
  cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, dim,
              static_cast<int>(rows), 1.0 / static_cast<double>(rows),
              xc.data(), dim, 0.0, cov.data(), dim);
  std::vector<double> ascending(dim);
  lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', dim, cov.data(),
                                   dim, ascending.data());
  if (info != 0)
    return Status::error("", method +
                                 ": the covariance eigensolver (dsyevd) "
                                 "failed with info " +
                                 std::to_string(info));
  // dsyevd leaves eigenvectors in columns, eigenvalues ascending.
  CovarianceEigen eigen;
  eigen.variances.resize(dim);
  eigen.vectors.resize(static_cast<size_t>(dim) * dim);
  for (uint32_t i = 0; i < dim; ++i) {
    uint32_t from = dim - 1 - i;
    eigen.variances[i] = std::max(0.0, ascending[from]);
    for (uint32_t j = 0; j < dim; ++j)
      eigen.vectors[static_cast<size_t>(i) * dim + j] =
          cov[static_cast<size_t>(j) * dim + from];
  }
  return eigen;
}

double baselines::uniform01(Xoshiro256 &rng) {
  return static_cast<double>(rng.next() >> 11) * 0x1.0p-53;
}

BaselinePoint baselines::scorePoint(const float *x, const float *xhat,
                                    uint64_t rows, uint32_t dim, uint64_t size,
                                    double l0) {
  ReconstructionAccumulator acc(dim);
  acc.add(x, xhat, rows);
  ReconstructionMetrics m = acc.finalize();
  BaselinePoint point;
  point.size = size;
  point.l0 = l0;
  point.r2PerDim = m.r2PerDim;
  point.r2Global = m.r2GlobalScalar;
  return point;
}
