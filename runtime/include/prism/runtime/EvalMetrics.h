//===- EvalMetrics.h - The default evaluation metrics -----------*- C++ -*-===//
//
// What `prism eval` measures when a model brings no metrics block of its own
// (SCIENCE.md §3): both R² definitions, FVU, MSE, L0 and the dead fraction,
// over all evaluated rows and per modality. The accumulators see a model's
// outputs batch by batch and sum in double precision; finalize() gives figures
// that are exact over the whole set, however it was cut into batches:
//
//   - ColumnMoments keeps per-column counts, means and sums of squared
//     deviations, merged batch by batch (Chan, Golub and LeVeque's pairwise
//     update), so no large sum of squares is ever subtracted from another.
//   - ReconstructionAccumulator adds Σ‖x − x̂‖² to the moments of x; the
//     global-scalar denominator follows from the per-column moments by the
//     decomposition Σ(x − m)² = Σ_j [M2_j + N (x̄_j − m)²].
//   - SparsityAccumulator counts non-zero code entries and, per latent, the
//     rows it fired on.
//   - EvalAccumulator runs one of each for the image, the text and the
//     unspecified rows, and merges them for the figures over all rows.
//
// They depend on nothing but their inputs and are unit-tested against
// hand-computed values (test/unittests/runtime/EvalMetricsTest.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_EVALMETRICS_H
#define PRISM_RUNTIME_EVALMETRICS_H

#include "prism/runtime/Dataset.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace prism {

/// Rows of a batch to take: null means all of them, else `count` row indices
/// into the batch (any order, no repeats).
struct RowSelection {
  const uint32_t *rows = nullptr;
  uint64_t count = 0;

  static RowSelection all() { return {}; }
  bool isAll() const { return rows == nullptr; }
};

/// Per-column count, mean and M2 = Σ (x − mean)², in double.
class ColumnMoments {
public:
  explicit ColumnMoments(uint32_t dim = 0);

  /// Adds the selected rows of `x` ([batchRows, dim], row-major).
  void add(const float *x, uint64_t batchRows, RowSelection select = {});
  /// Merges another set of moments of the same width.
  void merge(const ColumnMoments &other);

  uint32_t dim() const { return static_cast<uint32_t>(means.size()); }
  uint64_t count() const { return rows; }
  const std::vector<double> &mean() const { return means; }
  const std::vector<double> &m2() const { return squares; }
  /// Σ_j M2_j: the total squared distance to the per-column means.
  double perColumnSumOfSquares() const;
  /// Σ over all entries of (x − m)², m the mean of all N·dim entries.
  double globalSumOfSquares() const;

private:
  uint64_t rows = 0;
  std::vector<double> means, squares;
  std::vector<double> batchMean, batchSquares; // scratch for add()
};

/// The reconstruction figures of a set of rows. Ratios with a zero
/// denominator (no rows, one row, constant data) are empty.
struct ReconstructionMetrics {
  uint64_t rows = 0;
  double sse = 0;                 // Σ ‖x − x̂‖²
  std::optional<double> mse;      // sse / (rows · dim)
  std::optional<double> r2PerDim; // 1 − sse / Σ ‖x − x̄‖² (SAELens)
  std::optional<double> r2GlobalScalar; // 1 − mean((x − x̂)²) / mean((x − m)²)
  std::optional<double> fvu;            // 1 − r2PerDim
  uint64_t nonfiniteRows = 0;           // rows whose x̂ holds a NaN or Inf
};

class ReconstructionAccumulator {
public:
  explicit ReconstructionAccumulator(uint32_t dim = 0);

  /// Adds the selected rows of the batch: x and xhat are [batchRows, dim].
  void add(const float *x, const float *xhat, uint64_t batchRows,
           RowSelection select = {});
  /// Merges another accumulator of the same width.
  void merge(const ReconstructionAccumulator &other);
  ReconstructionMetrics finalize() const;
  const ColumnMoments &moments() const { return xMoments; }

private:
  ColumnMoments xMoments;
  double sse = 0;
  uint64_t nonfinite = 0;
};

/// The sparsity figures of a set of rows.
struct SparsityMetrics {
  uint64_t rows = 0, latents = 0;
  uint64_t nonzeros = 0;           // Σ over rows of the non-zero code entries
  std::optional<double> l0;        // nonzeros / rows
  uint64_t deadLatents = 0;        // latents that fired on none of the rows
  double deadFraction = 0;         // deadLatents / latents
  std::vector<uint64_t> firedRows; // per latent, the rows it fired on
};

class SparsityAccumulator {
public:
  explicit SparsityAccumulator(uint64_t latents = 0);

  /// Adds the selected rows of z ([batchRows, latents]); an entry fires when
  /// it is non-zero (NaN counts as firing).
  void add(const float *z, uint64_t batchRows, RowSelection select = {});
  /// Merges another accumulator over the same latents.
  void merge(const SparsityAccumulator &other);
  SparsityMetrics finalize() const;

  uint64_t rowCount() const { return rows; }
  uint64_t nonzeroCount() const { return nonzeros; }
  /// Latents that have not fired on any row added so far.
  uint64_t deadLatents() const;

private:
  uint64_t rows = 0, nonzeros = 0;
  std::vector<uint64_t> fired;
};

/// The figures of one group of rows.
struct GroupMetrics {
  ReconstructionMetrics reconstruction;
  SparsityMetrics sparsity;
};

struct EvalMetrics {
  GroupMetrics all;
  /// Present when the evaluated rows include rows of that modality.
  std::optional<GroupMetrics> image, text;
  /// Row-weighted mean of the forward entry's per-batch `loss`, when given.
  std::optional<double> loss;
};

/// The default metric set over all rows and per modality.
class EvalAccumulator {
public:
  EvalAccumulator(uint32_t dim, uint64_t latents);

  /// One batch: x and xhat [rows, dim], z [rows, latents], the modality of
  /// each row (null: all unspecified), and the batch's mean loss if known.
  void add(const float *x, const float *xhat, const float *z, uint64_t rows,
           const Modality *modality = nullptr,
           std::optional<double> batchLoss = std::nullopt);
  EvalMetrics finalize() const;

  /// Running figures for a progress line.
  uint64_t rows() const { return rowCount; }
  double runningL0() const;
  double runningDeadFraction() const;

private:
  struct Group {
    Group(uint32_t dim, uint64_t latents) : recon(dim), sparsity(latents) {}
    ReconstructionAccumulator recon;
    SparsityAccumulator sparsity;
  };
  /// Indexed by Modality: unspecified, image, text.
  std::vector<Group> groups;
  std::vector<uint32_t> selected[3]; // scratch: the batch's rows per group
  uint64_t rowCount = 0;
  uint64_t lossRows = 0;
  double lossSum = 0;
};

} // namespace prism

#endif // PRISM_RUNTIME_EVALMETRICS_H
