//===- ModalitySubspace.h - Image-vs-text subspace of embeddings -*- C++
//-*-===//
//
// The modality subspace of SCIENCE.md §3: the directions along which a
// linear classifier tells image embeddings from text embeddings. It is found
// by iterated nullspace projection (INLP, Ravfogel et al. 2020) with a
// shrinkage LDA classifier at each step. Per concept (a row of an SAE's
// decoder) the analysis reports how much of its direction lies in that
// subspace and how well it separates the modalities on its own.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_MODALITYSUBSPACE_H
#define PRISM_RUNTIME_MODALITYSUBSPACE_H

#include "prism/runtime/Status.h"

#include <cstdint>
#include <vector>

namespace prism {

/// The ridge added to the within-class covariance, relative to its mean
/// eigenvalue (see fitModalitySubspace).
constexpr double kDefaultModalityShrinkage = 1e-3;

struct ModalitySubspace {
  /// Dimension of the embeddings.
  uint32_t dim = 0;
  /// dims() x dim, row-major, orthonormal rows in the order they were found.
  /// Each row points from the text side to the image side: b · (μ_image −
  /// μ_text) > 0.
  std::vector<double> basis;
  /// Per basis row: the training accuracy of that iteration's classifier on
  /// the data projected off the earlier rows (best threshold, either
  /// orientation, as in directionAccuracies).
  std::vector<double> accuracy;

  uint32_t dims() const {
    return dim == 0 ? 0 : static_cast<uint32_t>(basis.size() / dim);
  }
};

/// Fits a modality subspace of at most `dims` dimensions to the row-major
/// embeddings `x` [rows, dim], row r being an image when isImage[r] is 1 and
/// a text when it is 0. In double precision, with S_w the pooled
/// within-class covariance (1/rows) Σ_r (x_r − μ_class(r))(x_r −
/// μ_class(r))ᵀ and P the projection off the directions found so far, each
/// iteration solves (P S_w P + c·I) w = P (μ_image − μ_text) with c =
/// shrinkage · tr(P S_w P) / dim (LAPACK dposv), orthogonalises w against
/// the earlier directions (Gram-Schmidt, twice), normalises it and records
/// its accuracy. When the classes have no within-class spread left (c = 0)
/// w is the projected mean difference, the limit of the ridge solution.
/// Fewer than `dims` rows come back when a direction becomes degenerate:
/// the projected mean difference vanishes (below 1e-9 of the original), the
/// system is not positive definite, or w lies in the span of the earlier
/// directions.
/// Fails, naming the value, when `dim` or `dims` is 0, dims > dim,
/// `shrinkage` is not a finite number > 0, a label is neither 0 nor 1, a
/// value of `x` is not finite, or either modality has no rows.
StatusOr<ModalitySubspace> fitModalitySubspace(const float *x, uint64_t rows,
                                               uint32_t dim,
                                               const uint8_t *isImage,
                                               uint32_t dims, double shrinkage);

/// Per row d_i of the row-major `dictionary` [atoms, m.dim]: ‖P_M d_i‖ /
/// ‖d_i‖, the norm of its projection onto the subspace after normalising,
/// in [0, 1]. A zero row lies in no subspace: its value is 0. Fails on a
/// non-finite value of the dictionary, naming its row and column, or on a
/// subspace whose basis is not dims() x dim.
StatusOr<std::vector<double>> subspaceNorms(const ModalitySubspace &m,
                                            const float *dictionary,
                                            uint64_t atoms);

/// Per row d_i of the row-major `dictionary` [atoms, dim]: its accuracy as a
/// 1-D modality classifier of the embeddings `x` [rows, dim], i.e. the
/// largest share of rows classified correctly by "image iff x·d_i > t" or
/// by "image iff x·d_i <= t" over every threshold t (including ±∞, so at
/// least the larger modality's share). Projections are float32 (sgemm) over
/// blocks of atoms of at most 64 MiB; each atom's rows are then sorted per
/// modality and swept once, O(rows log rows) per atom. Fails like
/// fitModalitySubspace on labels, values of `x` or of the dictionary, and
/// rows of a modality; and on a projection that overflows.
StatusOr<std::vector<double>> directionAccuracies(const float *x, uint64_t rows,
                                                  uint32_t dim,
                                                  const uint8_t *isImage,
                                                  const float *dictionary,
                                                  uint64_t atoms);

/// The best-threshold accuracy (either orientation) of the 1-D scores
/// `score` [rows] for the labels `isImage`; the rule of directionAccuracies.
/// Scores must be finite (not checked); 0 when there are no rows.
double bestThresholdAccuracy(const double *score, uint64_t rows,
                             const uint8_t *isImage);

} // namespace prism

#endif // PRISM_RUNTIME_MODALITYSUBSPACE_H
