//===- Pca.cpp - Principal component baseline -----------------------------===//
//
// One eigen-decomposition of the covariance serves the whole sweep; each size
// projects onto its top-k eigenvectors with two GEMMs.
//
//===----------------------------------------------------------------------===//

#include "BaselineSupport.h"

#include <cblas.h>

using namespace prism;
using namespace prism::baselines;

StatusOr<PcaFit> prism::fitPca(const float *x, uint64_t rows, uint32_t dim,
                               uint64_t components) {
  if (Status s = checkEmbeddings("pca", x, rows, dim); !s.isOk())
    return s;
  if (Status s = checkSize("pca", "components", components, dim,
                           "the embedding width");
      !s.isOk())
    return s;
  PcaFit fit;
  fit.mean = columnMeans(x, rows, dim);
  StatusOr<CovarianceEigen> eigen =
      covarianceEigen("pca", centred(x, rows, dim, fit.mean), rows, dim);
  if (!eigen.isOk())
    return eigen.getStatus();
  fit.components.assign(eigen->vectors.begin(),
                        eigen->vectors.begin() + components * dim);
  fit.variances.assign(eigen->variances.begin(),
                       eigen->variances.begin() + components);
  return fit;
}

StatusOr<BaselineSweep>
prism::pcaSweep(const float *x, uint64_t rows, uint32_t dim,
                const std::vector<uint64_t> &components) {
  if (Status s = checkEmbeddings("pca", x, rows, dim); !s.isOk())
    return s;
  if (Status s = checkSizes("pca", "components", components, dim,
                            "the embedding width");
      !s.isOk())
    return s;
  std::vector<double> mean = columnMeans(x, rows, dim);
  std::vector<double> xc = centred(x, rows, dim, mean);
  StatusOr<CovarianceEigen> eigen = covarianceEigen("pca", xc, rows, dim);
  if (!eigen.isOk())
    return eigen.getStatus();

  BaselineSweep sweep;
  sweep.method = "pca";
  std::vector<double> z, back(rows * dim);
  std::vector<float> xhat(rows * dim);
  for (uint64_t k : components) {
    // z = Xc Pᵀ, then Xc ≈ z P, P the top-k eigenvectors as rows.
    z.assign(rows * k, 0.0);
    const double *p = eigen->vectors.data();
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, k, dim, 1.0,
                xc.data(), dim, p, dim, 0.0, z.data(), k);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, dim, k, 1.0,
                z.data(), k, p, dim, 0.0, back.data(), dim);
    for (uint64_t r = 0; r < rows; ++r)
      for (uint32_t c = 0; c < dim; ++c)
        xhat[r * dim + c] = static_cast<float>(mean[c] + back[r * dim + c]);
    sweep.points.push_back(
        scorePoint(x, xhat.data(), rows, dim, k, static_cast<double>(k)));
  }
  return sweep;
}
