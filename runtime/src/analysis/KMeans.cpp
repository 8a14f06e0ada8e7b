//===- KMeans.cpp - k-means baseline --------------------------------------===//
//
// k-means++ seeding (Arthur and Vassilvitskii 2007) and Lloyd's iterations in
// double. Distances to the centroids come from one GEMM per round,
// ‖x − c‖² = ‖x‖² − 2 x·c + ‖c‖², dropping ‖x‖², which is the same for every
// centroid of a row.
//
//===----------------------------------------------------------------------===//

#include "BaselineSupport.h"

#include "prism/runtime/Random.h"

#include <cblas.h>

#include <cmath>
#include <limits>

using namespace prism;
using namespace prism::baselines;

namespace {

double squaredDistance(const float *x, const double *c, uint32_t dim) {
  double sum = 0;
  for (uint32_t j = 0; j < dim; ++j) {
    double d = x[j] - c[j];
    sum += d * d;
  }
  return sum;
}

/// Assigns every row to its nearest centroid; returns the rows that moved.
uint64_t assignRows(const std::vector<double> &x, uint64_t rows, uint32_t dim,
                    const std::vector<double> &centroids, uint64_t k,
                    std::vector<double> &scratch,
                    std::vector<uint32_t> &assignment) {
  scratch.assign(rows * k, 0.0);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, k, dim, -2.0,
              x.data(), dim, centroids.data(), dim, 0.0, scratch.data(), k);
  std::vector<double> norms(k, 0.0);
  for (uint64_t c = 0; c < k; ++c)
    for (uint32_t j = 0; j < dim; ++j)
      norms[c] += centroids[c * dim + j] * centroids[c * dim + j];
  uint64_t moved = 0;
  for (uint64_t r = 0; r < rows; ++r) {
    uint32_t best = 0;
    double bestDistance = std::numeric_limits<double>::infinity();
    for (uint64_t c = 0; c < k; ++c) {
      double d = scratch[r * k + c] + norms[c];
      if (d < bestDistance) {
        bestDistance = d;
        best = static_cast<uint32_t>(c);
      }
    }
    moved += assignment[r] != best;
    assignment[r] = best;
  }
  return moved;
}

} // namespace

/// What kmeansPlusPlus and kmeansLloyd check first.
static Status checkInputs(const float *x, uint64_t rows, uint32_t dim,
                          uint64_t clusters) {
  if (Status s = checkEmbeddings("kmeans", x, rows, dim); !s.isOk())
    return s;
  return checkSize("kmeans", "clusters", clusters, rows, "the number of rows");
}

StatusOr<std::vector<double>> prism::kmeansPlusPlus(const float *x,
                                                    uint64_t rows, uint32_t dim,
                                                    uint64_t clusters,
                                                    uint64_t seed) {
  if (Status s = checkInputs(x, rows, dim, clusters); !s.isOk())
    return s;
  Xoshiro256 rng(seed);
  std::vector<double> centroids(clusters * dim);
  std::vector<double> nearest(rows, std::numeric_limits<double>::infinity());
  uint64_t pick = rng.below(rows);
  for (uint64_t c = 0; c < clusters; ++c) {
    if (c > 0) {
      double total = 0;
      for (double d : nearest)
        total += d;
      if (total > 0) {
        // The first row whose cumulative D² passes a uniform share of the
        // total; rows at distance 0 (already centroids) are never picked.
        double target = uniform01(rng) * total, cumulative = 0;
        pick = rows;
        uint64_t lastPositive = 0;
        for (uint64_t r = 0; r < rows; ++r) {
          if (nearest[r] <= 0)
            continue;
          lastPositive = r;
          cumulative += nearest[r];
          if (cumulative > target) {
            pick = r;
            break;
          }
        }
        if (pick == rows) // rounding left the target unreached
          pick = lastPositive;
      } else {
        // Fewer distinct rows than clusters: repeat a row at random.
        pick = rng.below(rows);
      }
    }
    for (uint32_t j = 0; j < dim; ++j)
      centroids[c * dim + j] = x[pick * dim + j];
    for (uint64_t r = 0; r < rows; ++r)
      nearest[r] = std::min(
          nearest[r], squaredDistance(x + r * dim, &centroids[c * dim], dim));
  }
  return centroids;
}

StatusOr<KMeansFit> prism::kmeansLloyd(const float *x, uint64_t rows,
                                       uint32_t dim,
                                       const std::vector<double> &initial,
                                       uint64_t clusters, unsigned iterations) {
  if (Status s = checkInputs(x, rows, dim, clusters); !s.isOk())
    return s;
  if (Status s = checkIterations("kmeans", iterations); !s.isOk())
    return s;
  if (initial.size() != clusters * dim)
    return Status::error("", "kmeans: the initial centroids hold " +
                                 std::to_string(initial.size()) +
                                 " values, expected clusters x width = " +
                                 std::to_string(clusters * dim));
  for (double v : initial)
    if (!std::isfinite(v))
      return Status::error("", "kmeans: the initial centroids hold a "
                               "non-finite value");
  std::vector<double> xd(x, x + rows * dim), scratch;
  KMeansFit fit;
  fit.centroids = initial;
  fit.assignment.assign(rows, UINT32_MAX);
  std::vector<double> sums(clusters * dim);
  std::vector<uint64_t> counts(clusters);
  for (unsigned it = 0; it < iterations; ++it) {
    uint64_t moved = assignRows(xd, rows, dim, fit.centroids, clusters, scratch,
                                fit.assignment);
    if (it > 0 && moved == 0) {
      fit.converged = true;
      break;
    }
    fit.iterations = it + 1;
    std::fill(sums.begin(), sums.end(), 0.0);
    std::fill(counts.begin(), counts.end(), 0);
    for (uint64_t r = 0; r < rows; ++r) {
      uint32_t c = fit.assignment[r];
      ++counts[c];
      for (uint32_t j = 0; j < dim; ++j)
        sums[c * dim + j] += xd[r * dim + j];
    }
    // An empty cluster keeps its centroid (as SciPy's kmeans2 does).
    for (uint64_t c = 0; c < clusters; ++c)
      if (counts[c] > 0)
        for (uint32_t j = 0; j < dim; ++j)
          fit.centroids[c * dim + j] =
              sums[c * dim + j] / static_cast<double>(counts[c]);
  }
  // The rows' nearest final centroids (unchanged when converged).
  if (assignRows(xd, rows, dim, fit.centroids, clusters, scratch,
                 fit.assignment) == 0)
    fit.converged = true;
  return fit;
}

StatusOr<BaselineSweep>
prism::kmeansSweep(const float *x, uint64_t rows, uint32_t dim,
                   const std::vector<uint64_t> &clusters, uint64_t seed,
                   unsigned iterations) {
  if (Status s = checkEmbeddings("kmeans", x, rows, dim); !s.isOk())
    return s;
  if (Status s = checkSizes("kmeans", "clusters", clusters, rows,
                            "the number of rows");
      !s.isOk())
    return s;
  if (Status s = checkIterations("kmeans", iterations); !s.isOk())
    return s;
  BaselineSweep sweep;
  sweep.method = "kmeans";
  std::vector<float> xhat(rows * dim);
  for (uint64_t k : clusters) {
    StatusOr<std::vector<double>> start =
        kmeansPlusPlus(x, rows, dim, k, derivedSeed(seed, k));
    if (!start.isOk())
      return start.getStatus();
    StatusOr<KMeansFit> fit = kmeansLloyd(x, rows, dim, *start, k, iterations);
    if (!fit.isOk())
      return fit.getStatus();
    for (uint64_t r = 0; r < rows; ++r)
      for (uint32_t j = 0; j < dim; ++j)
        xhat[r * dim + j] =
            static_cast<float>(fit->centroids[fit->assignment[r] * dim + j]);
    sweep.points.push_back(scorePoint(x, xhat.data(), rows, dim, k, 1.0));
  }
  return sweep;
}
