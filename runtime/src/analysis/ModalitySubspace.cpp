//===- ModalitySubspace.cpp - Image-vs-text subspace of embeddings --------===//
//
// The subspace fit never projects the data itself: projections are linear,
// so the projected data's class means are P μ and its within-class
// covariance is P S_w P. S_w is accumulated once (dsyrk over blocks of
// centred rows); each iteration then costs two dim^3 products and one
// Cholesky solve, whatever the number of rows. Only the accuracy of each
// direction reads the rows again (x·w equals (P x)·w, w being orthogonal to
// the earlier directions).
//
//===----------------------------------------------------------------------===//

#include "prism/runtime/ModalitySubspace.h"

#include <cblas.h>
#include <lapacke.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <sstream>
#include <string>

using namespace prism;

namespace {

/// Bytes of the largest scratch matrix (centred rows, projections).
constexpr uint64_t kBlockBytes = 64ull << 20;

std::string formatNumber(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

/// Checks the labels and counts the image rows.
Status checkLabels(const uint8_t *isImage, uint64_t rows, uint64_t &images) {
  images = 0;
  for (uint64_t r = 0; r < rows; ++r) {
    if (isImage[r] > 1)
      return Status::error("", "modality label of row " + std::to_string(r) +
                                   " is " + std::to_string(isImage[r]) +
                                   ", expected 0 (text) or 1 (image)");
    images += isImage[r];
  }
  if (images == 0 || images == rows)
    return Status::error("", "expected rows of both modalities, got " +
                                 std::to_string(images) + " image rows and " +
                                 std::to_string(rows - images) + " text rows");
  // BLAS takes int sizes.
  if (rows > static_cast<uint64_t>(INT_MAX))
    return Status::error("", std::to_string(rows) +
                                 " rows of embeddings, expected at most " +
                                 std::to_string(INT_MAX));
  return Status::ok();
}

Status checkFinite(const float *values, uint64_t rows, uint32_t cols,
                   const std::string &what) {
  for (uint64_t r = 0; r < rows; ++r)
    for (uint32_t c = 0; c < cols; ++c)
      if (!std::isfinite(values[r * cols + c]))
        return Status::error("", "row " + std::to_string(r) + " of " + what +
                                     " holds a non-finite value (" +
                                     formatNumber(values[r * cols + c]) +
                                     ") at column " + std::to_string(c));
  return Status::ok();
}

/// The best-threshold accuracy of scores already split by modality; sorts
/// both. Walks the distinct values upwards: after passing value v, the rule
/// "image iff score > v" gets every text at or below v and every image above
/// it right.
template <typename T>
double sweepAccuracy(std::vector<T> &image, std::vector<T> &text) {
  std::sort(image.begin(), image.end());
  std::sort(text.begin(), text.end());
  uint64_t rows = image.size() + text.size();
  uint64_t imageAbove = image.size(), textBelow = 0;
  uint64_t best = std::max<uint64_t>(image.size(), text.size());
  size_t i = 0, j = 0;
  while (i < image.size() || j < text.size()) {
    T value = j == text.size() || (i < image.size() && image[i] < text[j])
                  ? image[i]
                  : text[j];
    for (; i < image.size() && image[i] == value; ++i)
      --imageAbove;
    for (; j < text.size() && text[j] == value; ++j)
      ++textBelow;
    uint64_t correct = imageAbove + textBelow;
    best = std::max(best, std::max(correct, rows - correct));
  }
  return static_cast<double>(best) / static_cast<double>(rows);
}

double dot(const double *a, const double *b, uint32_t n) {
  double sum = 0;
  for (uint32_t k = 0; k < n; ++k)
    sum += a[k] * b[k];
  return sum;
}

/// The pooled within-class covariance (1/rows) Σ (x − μ_class)(x −
/// μ_class)ᵀ, full (both triangles), row-major dim x dim.
std::vector<double> withinClassCovariance(const float *x, uint64_t rows,
                                          uint32_t dim, const uint8_t *isImage,
                                          const std::vector<double> &muImage,
                                          const std::vector<double> &muText) {
  std::vector<double> cov(static_cast<size_t>(dim) * dim, 0.0);
  uint64_t blockRows = std::max<uint64_t>(1, kBlockBytes / (8ull * dim));
  blockRows = std::min(blockRows, rows);
  std::vector<double> centred(blockRows * dim);
  for (uint64_t start = 0; start < rows; start += blockRows) {
    uint64_t count = std::min(blockRows, rows - start);
    for (uint64_t r = 0; r < count; ++r) {
      const float *row = x + (start + r) * dim;
      const std::vector<double> &mu = isImage[start + r] ? muImage : muText;
      for (uint32_t k = 0; k < dim; ++k)
        centred[r * dim + k] = static_cast<double>(row[k]) - mu[k];
    }
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, static_cast<int>(dim),
                static_cast<int>(count), 1.0, centred.data(),
                static_cast<int>(dim), 1.0, cov.data(), static_cast<int>(dim));
  }
  for (uint32_t i = 0; i < dim; ++i)
    for (uint32_t j = i; j < dim; ++j) {
      double value = cov[i * dim + j] / static_cast<double>(rows);
      cov[i * dim + j] = value;
      cov[j * dim + i] = value;
    }
  return cov;
}

} // namespace

double prism::bestThresholdAccuracy(const double *score, uint64_t rows,
                                    const uint8_t *isImage) {
  std::vector<double> image, text;
  for (uint64_t r = 0; r < rows; ++r)
    (isImage[r] ? image : text).push_back(score[r]);
  if (rows == 0)
    return 0;
  return sweepAccuracy(image, text);
}

StatusOr<ModalitySubspace>
prism::fitModalitySubspace(const float *x, uint64_t rows, uint32_t dim,
                           const uint8_t *isImage, uint32_t dims,
                           double shrinkage) {
  if (dim == 0)
    return Status::error("", "embeddings of dimension 0, expected at least 1");
  if (dims == 0 || dims > dim)
    return Status::error("", "modality subspace of " + std::to_string(dims) +
                                 " dimensions requested for embeddings of "
                                 "dimension " +
                                 std::to_string(dim) + ", expected 1 to " +
                                 std::to_string(dim));
  if (!std::isfinite(shrinkage) || shrinkage <= 0)
    return Status::error("", "modality subspace shrinkage is " +
                                 formatNumber(shrinkage) +
                                 ", expected a finite number > 0");
  uint64_t images = 0;
  if (Status s = checkLabels(isImage, rows, images); !s.isOk())
    return s;
  if (Status s = checkFinite(x, rows, dim, "the embeddings"); !s.isOk())
    return s;

  std::vector<double> muImage(dim, 0.0), muText(dim, 0.0);
  for (uint64_t r = 0; r < rows; ++r) {
    std::vector<double> &mu = isImage[r] ? muImage : muText;
    for (uint32_t k = 0; k < dim; ++k)
      mu[k] += x[r * dim + k];
  }
  std::vector<double> diff(dim);
  for (uint32_t k = 0; k < dim; ++k) {
    muImage[k] /= static_cast<double>(images);
    muText[k] /= static_cast<double>(rows - images);
    diff[k] = muImage[k] - muText[k];
  }
  double diffNorm = std::sqrt(dot(diff.data(), diff.data(), dim));
  std::vector<double> within =
      withinClassCovariance(x, rows, dim, isImage, muImage, muText);

  ModalitySubspace result;
  result.dim = dim;
  const int n = static_cast<int>(dim);
  std::vector<double> projector(static_cast<size_t>(dim) * dim);
  std::vector<double> scratch(projector.size()), system(projector.size());
  std::vector<double> w(dim), score(rows);
  for (uint32_t iteration = 0; iteration < dims; ++iteration) {
    // P = I − Bᵀ B over the rows of the basis found so far.
    std::fill(projector.begin(), projector.end(), 0.0);
    for (uint32_t k = 0; k < dim; ++k)
      projector[k * dim + k] = 1.0;
    if (iteration > 0)
      cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n,
                  static_cast<int>(iteration), -1.0, result.basis.data(), n,
                  result.basis.data(), n, 1.0, projector.data(), n);
    // system = P S_w P.
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0,
                within.data(), n, projector.data(), n, 0.0, scratch.data(), n);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0,
                projector.data(), n, scratch.data(), n, 0.0, system.data(), n);
    cblas_dgemv(CblasRowMajor, CblasNoTrans, n, n, 1.0, projector.data(), n,
                diff.data(), 1, 0.0, w.data(), 1);
    // The means coincide in what is left: no linear direction separates
    // them any more.
    if (std::sqrt(dot(w.data(), w.data(), dim)) <= 1e-9 * diffNorm)
      break;

    double trace = 0;
    for (uint32_t k = 0; k < dim; ++k)
      trace += system[k * dim + k];
    double ridge = shrinkage * trace / static_cast<double>(dim);
    if (ridge > 0) {
      for (uint32_t k = 0; k < dim; ++k)
        system[k * dim + k] += ridge;
      if (LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', n, 1, system.data(), n, w.data(),
                        1) != 0)
        break;
    }

    // The solution is orthogonal to the basis in exact arithmetic; remove
    // what rounding left, twice ("twice is enough").
    double before = std::sqrt(dot(w.data(), w.data(), dim));
    for (int pass = 0; pass < 2; ++pass)
      for (uint32_t b = 0; b < iteration; ++b) {
        const double *row = result.basis.data() + b * dim;
        double along = dot(row, w.data(), dim);
        for (uint32_t k = 0; k < dim; ++k)
          w[k] -= along * row[k];
      }
    double after = std::sqrt(dot(w.data(), w.data(), dim));
    if (!std::isfinite(after) || after <= 1e-8 * before)
      break;
    double sign = dot(w.data(), diff.data(), dim) < 0 ? -1.0 : 1.0;
    for (uint32_t k = 0; k < dim; ++k)
      w[k] *= sign / after;

    for (uint64_t r = 0; r < rows; ++r) {
      double sum = 0;
      for (uint32_t k = 0; k < dim; ++k)
        sum += static_cast<double>(x[r * dim + k]) * w[k];
      score[r] = sum;
    }
    result.basis.insert(result.basis.end(), w.begin(), w.end());
    result.accuracy.push_back(
        bestThresholdAccuracy(score.data(), rows, isImage));
  }
  return result;
}

StatusOr<std::vector<double>> prism::subspaceNorms(const ModalitySubspace &m,
                                                   const float *dictionary,
                                                   uint64_t atoms) {
  uint32_t dim = m.dim, dims = m.dims();
  if (dim == 0 || m.basis.size() != static_cast<size_t>(dims) * dim)
    return Status::error("", "modality subspace basis holds " +
                                 std::to_string(m.basis.size()) +
                                 " values, expected a multiple of its "
                                 "dimension " +
                                 std::to_string(dim));
  if (Status s = checkFinite(dictionary, atoms, dim, "the dictionary");
      !s.isOk())
    return s;
  std::vector<double> norms(atoms, 0.0), atom(dim);
  for (uint64_t i = 0; i < atoms; ++i) {
    for (uint32_t k = 0; k < dim; ++k)
      atom[k] = dictionary[i * dim + k];
    double squared = dot(atom.data(), atom.data(), dim);
    if (squared == 0)
      continue;
    double inside = 0;
    for (uint32_t b = 0; b < dims; ++b) {
      double along = dot(m.basis.data() + b * dim, atom.data(), dim);
      inside += along * along;
    }
    norms[i] = std::min(1.0, std::sqrt(inside / squared));
  }
  return norms;
}

StatusOr<std::vector<double>>
prism::directionAccuracies(const float *x, uint64_t rows, uint32_t dim,
                           const uint8_t *isImage, const float *dictionary,
                           uint64_t atoms) {
  if (dim == 0)
    return Status::error("", "embeddings of dimension 0, expected at least 1");
  uint64_t images = 0;
  if (Status s = checkLabels(isImage, rows, images); !s.isOk())
    return s;
  if (Status s = checkFinite(x, rows, dim, "the embeddings"); !s.isOk())
    return s;
  if (Status s = checkFinite(dictionary, atoms, dim, "the dictionary");
      !s.isOk())
    return s;

  std::vector<double> accuracy(atoms);
  if (atoms == 0)
    return accuracy;
  // Atoms per block: their [block, rows] projections fit in kBlockBytes.
  uint64_t blockAtoms = std::max<uint64_t>(1, kBlockBytes / (4 * rows));
  blockAtoms = std::min(blockAtoms, atoms);
  std::vector<float> projection(blockAtoms * rows);
  std::vector<float> image, text;
  image.reserve(images);
  text.reserve(rows - images);
  for (uint64_t start = 0; start < atoms; start += blockAtoms) {
    uint64_t count = std::min(blockAtoms, atoms - start);
    // projection[a, r] = d_(start + a) · x_r: each atom's scores contiguous.
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans,
                static_cast<int>(count), static_cast<int>(rows),
                static_cast<int>(dim), 1.0f, dictionary + start * dim,
                static_cast<int>(dim), x, static_cast<int>(dim), 0.0f,
                projection.data(), static_cast<int>(rows));
    for (uint64_t a = 0; a < count; ++a) {
      const float *score = projection.data() + a * rows;
      image.clear();
      text.clear();
      for (uint64_t r = 0; r < rows; ++r) {
        if (!std::isfinite(score[r]))
          return Status::error(
              "", "the projection of embedding row " + std::to_string(r) +
                      " onto dictionary row " + std::to_string(start + a) +
                      " is " + formatNumber(score[r]) +
                      ", expected a finite number (float32 overflow)");
        (isImage[r] ? image : text).push_back(score[r]);
      }
      accuracy[start + a] = sweepAccuracy(image, text);
    }
  }
  return accuracy;
}
