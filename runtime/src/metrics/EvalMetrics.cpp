//===- EvalMetrics.cpp - The default evaluation metrics -------------------===//

#include "prism/runtime/EvalMetrics.h"

#include <algorithm>
#include <cmath>

using namespace prism;

/// Calls `body(row)` for every selected row index of a batch.
template <typename Body>
static void forEachRow(uint64_t batchRows, RowSelection select, Body body) {
  if (select.isAll()) {
    for (uint64_t r = 0; r < batchRows; ++r)
      body(r);
    return;
  }
  for (uint64_t i = 0; i < select.count; ++i)
    body(static_cast<uint64_t>(select.rows[i]));
}

static uint64_t selectedCount(uint64_t batchRows, RowSelection select) {
  return select.isAll() ? batchRows : select.count;
}

/// a / b, or nothing when b is zero or either is not finite.
static std::optional<double> ratio(double a, double b) {
  if (b == 0 || !std::isfinite(a) || !std::isfinite(b))
    return std::nullopt;
  return a / b;
}

//===----------------------------------------------------------------------===//
// ColumnMoments
//===----------------------------------------------------------------------===//

ColumnMoments::ColumnMoments(uint32_t dim)
    : means(dim, 0.0), squares(dim, 0.0), batchMean(dim, 0.0),
      batchSquares(dim, 0.0) {}

void ColumnMoments::add(const float *x, uint64_t batchRows,
                        RowSelection select) {
  uint64_t count = selectedCount(batchRows, select);
  if (count == 0)
    return;
  size_t d = means.size();
  // Two passes over the batch: its own mean, then its squared deviations.
  std::fill(batchMean.begin(), batchMean.end(), 0.0);
  std::fill(batchSquares.begin(), batchSquares.end(), 0.0);
  forEachRow(batchRows, select, [&](uint64_t r) {
    const float *row = x + r * d;
    for (size_t j = 0; j < d; ++j)
      batchMean[j] += row[j];
  });
  for (size_t j = 0; j < d; ++j)
    batchMean[j] /= static_cast<double>(count);
  forEachRow(batchRows, select, [&](uint64_t r) {
    const float *row = x + r * d;
    for (size_t j = 0; j < d; ++j) {
      double delta = row[j] - batchMean[j];
      batchSquares[j] += delta * delta;
    }
  });
  // Chan et al.: merge (rows, means, squares) with (count, batch moments).
  double n = static_cast<double>(rows), m = static_cast<double>(count);
  double total = n + m;
  for (size_t j = 0; j < d; ++j) {
    double delta = batchMean[j] - means[j];
    means[j] += delta * (m / total);
    squares[j] += batchSquares[j] + delta * delta * (n * m / total);
  }
  rows += count;
}

void ColumnMoments::merge(const ColumnMoments &other) {
  if (other.rows == 0)
    return;
  if (rows == 0) {
    rows = other.rows;
    means = other.means;
    squares = other.squares;
    return;
  }
  double n = static_cast<double>(rows), m = static_cast<double>(other.rows);
  double total = n + m;
  for (size_t j = 0; j < means.size(); ++j) {
    double delta = other.means[j] - means[j];
    means[j] += delta * (m / total);
    squares[j] += other.squares[j] + delta * delta * (n * m / total);
  }
  rows += other.rows;
}

double ColumnMoments::perColumnSumOfSquares() const {
  double sum = 0;
  for (double s : squares)
    sum += s;
  return sum;
}

double ColumnMoments::globalSumOfSquares() const {
  if (means.empty())
    return 0;
  // Every column has `rows` entries, so the mean of all entries is the mean
  // of the column means; each column adds its M2 plus N (x̄_j − m)².
  double grand = 0;
  for (double mean : means)
    grand += mean;
  grand /= static_cast<double>(means.size());
  double sum = 0;
  for (size_t j = 0; j < means.size(); ++j) {
    double delta = means[j] - grand;
    sum += squares[j] + static_cast<double>(rows) * delta * delta;
  }
  return sum;
}

//===----------------------------------------------------------------------===//
// ReconstructionAccumulator
//===----------------------------------------------------------------------===//

ReconstructionAccumulator::ReconstructionAccumulator(uint32_t dim)
    : xMoments(dim) {}

void ReconstructionAccumulator::add(const float *x, const float *xhat,
                                    uint64_t batchRows, RowSelection select) {
  xMoments.add(x, batchRows, select);
  size_t d = xMoments.dim();
  forEachRow(batchRows, select, [&](uint64_t r) {
    const float *a = x + r * d, *b = xhat + r * d;
    double rowSum = 0;
    for (size_t j = 0; j < d; ++j) {
      double delta = static_cast<double>(a[j]) - static_cast<double>(b[j]);
      rowSum += delta * delta;
    }
    if (!std::isfinite(rowSum))
      ++nonfinite;
    sse += rowSum;
  });
}

void ReconstructionAccumulator::merge(const ReconstructionAccumulator &other) {
  xMoments.merge(other.xMoments);
  sse += other.sse;
  nonfinite += other.nonfinite;
}

ReconstructionMetrics ReconstructionAccumulator::finalize() const {
  ReconstructionMetrics out;
  out.rows = xMoments.count();
  out.sse = sse;
  out.nonfiniteRows = nonfinite;
  double entries =
      static_cast<double>(out.rows) * static_cast<double>(xMoments.dim());
  out.mse = ratio(sse, entries);
  if (std::optional<double> fvu =
          ratio(sse, xMoments.perColumnSumOfSquares())) {
    out.fvu = *fvu;
    out.r2PerDim = 1.0 - *fvu;
  }
  // mean((x − x̂)²) / mean((x − m)²): both means are over the same N·d
  // entries, so the ratio is that of the sums.
  if (std::optional<double> r = ratio(sse, xMoments.globalSumOfSquares()))
    out.r2GlobalScalar = 1.0 - *r;
  return out;
}

//===----------------------------------------------------------------------===//
// SparsityAccumulator
//===----------------------------------------------------------------------===//

SparsityAccumulator::SparsityAccumulator(uint64_t latents)
    : fired(latents, 0) {}

void SparsityAccumulator::add(const float *z, uint64_t batchRows,
                              RowSelection select) {
  size_t n = fired.size();
  uint64_t *counts = fired.data();
  forEachRow(batchRows, select, [&](uint64_t r) {
    const float *row = z + r * n;
    uint64_t rowNonzeros = 0;
    for (size_t j = 0; j < n; ++j) {
      uint64_t fires = !(row[j] == 0.0f); // NaN fires
      counts[j] += fires;
      rowNonzeros += fires;
    }
    nonzeros += rowNonzeros;
  });
  rows += selectedCount(batchRows, select);
}

void SparsityAccumulator::merge(const SparsityAccumulator &other) {
  rows += other.rows;
  nonzeros += other.nonzeros;
  for (size_t j = 0; j < fired.size() && j < other.fired.size(); ++j)
    fired[j] += other.fired[j];
}

uint64_t SparsityAccumulator::deadLatents() const {
  return static_cast<uint64_t>(std::count(fired.begin(), fired.end(), 0));
}

SparsityMetrics SparsityAccumulator::finalize() const {
  SparsityMetrics out;
  out.rows = rows;
  out.latents = fired.size();
  out.nonzeros = nonzeros;
  out.l0 = ratio(static_cast<double>(nonzeros), static_cast<double>(rows));
  out.deadLatents = deadLatents();
  out.deadFraction = fired.empty() ? 0.0
                                   : static_cast<double>(out.deadLatents) /
                                         static_cast<double>(fired.size());
  out.firedRows = fired;
  return out;
}

//===----------------------------------------------------------------------===//
// EvalAccumulator
//===----------------------------------------------------------------------===//

EvalAccumulator::EvalAccumulator(uint32_t dim, uint64_t latents) {
  for (int i = 0; i < 3; ++i)
    groups.emplace_back(dim, latents);
}

static size_t groupIndex(Modality modality) {
  switch (modality) {
  case Modality::Image:
    return 1;
  case Modality::Text:
    return 2;
  default:
    return 0;
  }
}

void EvalAccumulator::add(const float *x, const float *xhat, const float *z,
                          uint64_t rows, const Modality *modality,
                          std::optional<double> batchLoss) {
  if (rows == 0)
    return;
  if (!modality) {
    groups[0].recon.add(x, xhat, rows);
    groups[0].sparsity.add(z, rows);
  } else {
    for (std::vector<uint32_t> &list : selected)
      list.clear();
    for (uint64_t r = 0; r < rows; ++r)
      selected[groupIndex(modality[r])].push_back(static_cast<uint32_t>(r));
    for (size_t g = 0; g < groups.size(); ++g) {
      if (selected[g].empty())
        continue;
      RowSelection select{selected[g].data(), selected[g].size()};
      groups[g].recon.add(x, xhat, rows, select);
      groups[g].sparsity.add(z, rows, select);
    }
  }
  rowCount += rows;
  if (batchLoss) {
    lossSum += *batchLoss * static_cast<double>(rows);
    lossRows += rows;
  }
}

double EvalAccumulator::runningL0() const {
  uint64_t nonzeros = 0;
  for (const Group &group : groups)
    nonzeros += group.sparsity.nonzeroCount();
  return rowCount ? static_cast<double>(nonzeros) / rowCount : 0.0;
}

double EvalAccumulator::runningDeadFraction() const {
  SparsityAccumulator merged = groups[0].sparsity;
  merged.merge(groups[1].sparsity);
  merged.merge(groups[2].sparsity);
  SparsityMetrics metrics = merged.finalize();
  return metrics.deadFraction;
}

EvalMetrics EvalAccumulator::finalize() const {
  EvalMetrics out;
  ReconstructionAccumulator recon = groups[0].recon;
  SparsityAccumulator sparsity = groups[0].sparsity;
  for (size_t g = 1; g < groups.size(); ++g) {
    recon.merge(groups[g].recon);
    sparsity.merge(groups[g].sparsity);
  }
  out.all = {recon.finalize(), sparsity.finalize()};
  for (size_t g = 1; g < groups.size(); ++g) {
    if (groups[g].sparsity.rowCount() == 0)
      continue;
    GroupMetrics metrics{groups[g].recon.finalize(),
                         groups[g].sparsity.finalize()};
    (g == 1 ? out.image : out.text) = std::move(metrics);
  }
  if (lossRows)
    out.loss = lossSum / static_cast<double>(lossRows);
  return out;
}
