//===- LinearBaselines.h - Linear baselines for the R²–L0 plot --*- C++ -*-===//
//
// `prism analyze` sets the SAEs' reconstruction against linear methods
// (SCIENCE.md §3, "Linear baselines"). Each baseline fits the embeddings X
// (row-major float [rows, dim]), reconstructs every row, and reports, for each
// size of a sweep, R² under both definitions (computed by the same
// ReconstructionAccumulator as the SAE figures) and its L0:
//
//   - pca: x̂ = mean + P Pᵀ (x − mean), P the top-k eigenvectors of the
//     covariance; L0 = k.
//   - kmeans: k-means++ seeding, Lloyd iterations to convergence or the
//     limit; x̂ = the row's nearest centroid; L0 = 1.
//   - semi_nmf: Ding, Li & Jordan's semi-NMF, X − mean ≈ G F with codes
//     G ≥ 0 [rows, k] and a free basis F [k, dim], by their multiplicative
//     updates from a k-means start; L0 = mean count of entries G > 0.
//   - ica: FastICA (symmetric, logcosh) on the PCA-whitened data; x̂ through
//     the mixing matrix; L0 = k. ICA only rotates within the top-k PCA
//     subspace, so its R² is PCA's at the same k.
//   - matching_pursuit: greedy matching pursuit over a given dictionary (an
//     SAE's decoder); L0 = mean count of distinct atoms per row.
//
// Bad input (fewer than two rows, non-finite values, sizes that do not fit)
// is an error naming the argument; nothing is clipped.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_LINEARBASELINES_H
#define PRISM_RUNTIME_LINEARBASELINES_H

#include "prism/runtime/Status.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace prism {

/// One size of a sweep. R² is empty when undefined (constant data).
struct BaselinePoint {
  uint64_t size = 0;
  double l0 = 0;
  std::optional<double> r2PerDim, r2Global;
};

struct BaselineSweep {
  std::string method; // "pca", "kmeans", "semi_nmf", "ica", "matching_pursuit"
  std::vector<BaselinePoint> points; // in the order the sizes were given
};

//===----------------------------------------------------------------------===//
// Sweeps
//===----------------------------------------------------------------------===//

/// PCA with each number of components (1 <= k <= dim).
StatusOr<BaselineSweep> pcaSweep(const float *x, uint64_t rows, uint32_t dim,
                                 const std::vector<uint64_t> &components);

/// k-means with each number of clusters (1 <= k <= rows); the fit for k is
/// seeded by derivedSeed(seed, k).
StatusOr<BaselineSweep> kmeansSweep(const float *x, uint64_t rows, uint32_t dim,
                                    const std::vector<uint64_t> &clusters,
                                    uint64_t seed, unsigned iterations);

/// Semi-NMF with each number of components (1 <= k <= rows); `iterations`
/// bounds the k-means start and is the exact number of update rounds.
StatusOr<BaselineSweep> semiNmfSweep(const float *x, uint64_t rows,
                                     uint32_t dim,
                                     const std::vector<uint64_t> &components,
                                     uint64_t seed, unsigned iterations);

/// FastICA with each number of components (1 <= k <= rank of the data).
StatusOr<BaselineSweep> icaSweep(const float *x, uint64_t rows, uint32_t dim,
                                 const std::vector<uint64_t> &components,
                                 uint64_t seed, unsigned iterations);

/// Matching pursuit over `dictionary` ([atoms, dim], rows normalised here)
/// after each given number of steps (>= 1).
StatusOr<BaselineSweep>
matchingPursuitSweep(const float *x, uint64_t rows, uint32_t dim,
                     const float *dictionary, uint64_t atoms,
                     const std::vector<uint64_t> &steps);

//===----------------------------------------------------------------------===//
// Single fits, for tests and for callers that want the codes
//===----------------------------------------------------------------------===//

struct PcaFit {
  std::vector<double> mean;       // [dim]
  std::vector<double> components; // [k, dim], unit rows, by variance, largest
                                  // first
  std::vector<double> variances;  // [k], the covariance's eigenvalues (1/rows)
};

StatusOr<PcaFit> fitPca(const float *x, uint64_t rows, uint32_t dim,
                        uint64_t components);

/// k-means++ seeding: `clusters` initial centroids [clusters, dim] drawn
/// from the rows with probability proportional to D², from `seed`.
StatusOr<std::vector<double>> kmeansPlusPlus(const float *x, uint64_t rows,
                                             uint32_t dim, uint64_t clusters,
                                             uint64_t seed);

struct KMeansFit {
  std::vector<double> centroids;    // [clusters, dim]
  std::vector<uint32_t> assignment; // [rows], the nearest final centroid
  unsigned iterations = 0;          // Lloyd rounds run
  bool converged = false;           // the last round changed no assignment
};

/// Lloyd's iterations from `initial` centroids ([clusters, dim]). An empty
/// cluster keeps its centroid. Ties go to the lowest cluster index.
StatusOr<KMeansFit> kmeansLloyd(const float *x, uint64_t rows, uint32_t dim,
                                const std::vector<double> &initial,
                                uint64_t clusters, unsigned iterations);

/// Semi-NMF's start: k-means (k-means++ from `seed`, at most `iterations`
/// Lloyd rounds) and G = cluster indicator + 0.2, [rows, components].
StatusOr<std::vector<double>> semiNmfStart(const float *x, uint64_t rows,
                                           uint32_t dim, uint64_t components,
                                           uint64_t seed, unsigned iterations);

struct SemiNmfFit {
  std::vector<double> mean;  // [dim]
  std::vector<double> codes; // G [rows, k], >= 0
  std::vector<double> basis; // F [k, dim]: x̂ = mean + G F
};

/// `iterations` rounds of semi-NMF updates from codes `start` ([rows, k],
/// >= 0): F = (GᵀG)⁻¹ Gᵀ Xc, then G ← G ⊙ sqrt((A⁺ + G B⁻) / (A⁻ + G B⁺))
/// with A = Xc Fᵀ, B = F Fᵀ (an entry whose denominator is 0 is kept); the
/// basis is solved once more for the final codes.
StatusOr<SemiNmfFit> semiNmf(const float *x, uint64_t rows, uint32_t dim,
                             const std::vector<double> &start,
                             uint64_t components, unsigned iterations);

struct IcaFit {
  std::vector<double> mean;     // [dim]
  std::vector<double> unmixing; // [k, dim]: sources s = unmixing (x − mean)
  std::vector<double> mixing;   // [dim, k]: x̂ = mean + mixing s
  unsigned iterations = 0;
  bool converged = false; // max |1 − |⟨w_new, w⟩|| < 1e-4 (as scikit-learn)
};

StatusOr<IcaFit> fitIca(const float *x, uint64_t rows, uint32_t dim,
                        uint64_t components, uint64_t seed,
                        unsigned iterations);

struct MatchingPursuitCodes {
  uint64_t steps = 0;
  std::vector<uint32_t> atoms;       // [rows, steps], the atom of each step
  std::vector<double> coefficients;  // [rows, steps], ⟨r, d⟩ of that step
  std::vector<float> reconstruction; // [rows, dim], mean + Σ coefficient · d
};

/// `steps` steps of matching pursuit: the residual starts at x − mean, each
/// step takes the unit atom d with the largest |⟨r, d⟩| (lowest index on
/// ties) and subtracts ⟨r, d⟩ d.
StatusOr<MatchingPursuitCodes> matchingPursuit(const float *x, uint64_t rows,
                                               uint32_t dim,
                                               const float *dictionary,
                                               uint64_t atoms, uint64_t steps);

} // namespace prism

#endif // PRISM_RUNTIME_LINEARBASELINES_H
