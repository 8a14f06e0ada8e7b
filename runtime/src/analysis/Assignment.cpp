//===- Assignment.cpp - Linear assignment, dictionary matching ------------===//
//
// The solver follows Crouse (2016), the shortest augmenting path form of
// Jonker-Volgenant that SciPy's linear_sum_assignment also uses: rows are
// added one at a time, each by a Dijkstra search over reduced costs
// cost - u - v, after which the duals are updated and the path flipped.
//
//===----------------------------------------------------------------------===//

#include "prism/runtime/Assignment.h"

#include "AugmentingPath.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>
#include <string>

using namespace prism;

namespace {

/// Minimises (or maximises, by the sign) over a rows <= cols matrix.
class AugmentingPathSolver {
public:
  AugmentingPathSolver(const double *cost, size_t rows, size_t cols,
                       double sign)
      : cost(cost), rows(rows), cols(cols), sign(sign), u(rows, 0.0),
        v(cols, 0.0), shortest(cols), path(cols, -1), col4row(rows, -1),
        row4col(cols, -1), remaining(cols) {}

  /// False only when reduced costs overflowed to a non-finite value.
  bool solve() {
    for (size_t row = 0; row < rows; ++row)
      if (!augment(static_cast<int>(row)))
        return false;
    return true;
  }

  std::vector<int> take() { return std::move(col4row); }

private:
  bool augment(int curRow) {
    const double inf = std::numeric_limits<double>::infinity();
    int numRemaining = static_cast<int>(cols);
    for (int it = 0; it < numRemaining; ++it)
      remaining[it] = numRemaining - 1 - it;
    std::fill(shortest.begin(), shortest.end(), inf);
    visitedRows.clear();
    visitedCols.clear();

    double minVal = 0;
    int i = curRow, sink = -1;
    while (sink == -1) {
      visitedRows.push_back(i);
      const double *costRow = cost + static_cast<size_t>(i) * cols;
      double ui = u[i];
      double lowest = inf;
      int index = -1;
      for (int it = 0; it < numRemaining; ++it) {
        int j = remaining[it];
        double reduced = minVal + sign * costRow[j] - ui - v[j];
        if (reduced < shortest[j]) {
          path[j] = i;
          shortest[j] = reduced;
        }
        // Among equal distances prefer a free column: it ends the search.
        if (shortest[j] < lowest ||
            (shortest[j] == lowest && row4col[j] == -1)) {
          lowest = shortest[j];
          index = it;
        }
      }
      if (index < 0 || !std::isfinite(lowest))
        return false;
      minVal = lowest;
      int j = remaining[index];
      if (row4col[j] == -1)
        sink = j;
      else
        i = row4col[j];
      visitedCols.push_back(j);
      remaining[index] = remaining[--numRemaining];
    }

    assignment::finishAugmentation({u, v, shortest, path, col4row, row4col},
                                   curRow, sink, minVal, visitedRows,
                                   visitedCols);
    return true;
  }

  const double *cost;
  size_t rows, cols;
  double sign;
  std::vector<double> u, v, shortest;
  std::vector<int> path, col4row, row4col, remaining;
  std::vector<int> visitedRows, visitedCols;
};

} // namespace

StatusOr<std::vector<int>> prism::solveAssignment(const double *cost,
                                                  size_t rows, size_t cols,
                                                  bool maximize) {
  if (rows >= static_cast<size_t>(INT_MAX) ||
      cols >= static_cast<size_t>(INT_MAX))
    return Status::error("", "assignment problem of " + std::to_string(rows) +
                                 " x " + std::to_string(cols) +
                                 " is too large (at most " +
                                 std::to_string(INT_MAX - 1) + " per side)");
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c)
      if (!std::isfinite(cost[r * cols + c]))
        return Status::error("", "assignment cost [" + std::to_string(r) +
                                     ", " + std::to_string(c) + "] is " +
                                     std::to_string(cost[r * cols + c]) +
                                     ", expected a finite number");
  if (rows == 0 || cols == 0)
    return std::vector<int>(rows, -1);

  double sign = maximize ? -1.0 : 1.0;
  const char *overflow = "assignment costs are too large: reduced costs "
                         "overflowed (rescale them)";
  if (rows <= cols) {
    AugmentingPathSolver solver(cost, rows, cols, sign);
    if (!solver.solve())
      return Status::error("", overflow);
    return solver.take();
  }

  // More rows than columns: match every column to a row on the transpose.
  std::vector<double> transposed(rows * cols);
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c)
      transposed[c * rows + r] = cost[r * cols + c];
  AugmentingPathSolver solver(transposed.data(), cols, rows, sign);
  if (!solver.solve())
    return Status::error("", overflow);
  std::vector<int> rowOfCol = solver.take();
  std::vector<int> colOfRow(rows, -1);
  for (size_t c = 0; c < cols; ++c)
    colOfRow[rowOfCol[c]] = static_cast<int>(c);
  return colOfRow;
}

double prism::assignmentTotal(const double *cost, size_t cols,
                              const std::vector<int> &assignment) {
  double total = 0;
  for (size_t r = 0; r < assignment.size(); ++r)
    if (assignment[r] >= 0)
      total += cost[r * cols + static_cast<size_t>(assignment[r])];
  return total;
}

//===----------------------------------------------------------------------===//
// Cosine matrix and dictionary matching
//===----------------------------------------------------------------------===//

/// Copies the rows of `m` scaled to unit norm (zero rows stay zero).
static Status normalizedRows(const float *m, size_t n, size_t d,
                             const char *name, std::vector<float> &out) {
  out.resize(n * d);
  for (size_t r = 0; r < n; ++r) {
    const float *row = m + r * d;
    double sumSq = 0;
    for (size_t k = 0; k < d; ++k) {
      if (!std::isfinite(row[k]))
        return Status::error("", std::string("row ") + std::to_string(r) +
                                     " of dictionary " + name +
                                     " holds a non-finite value at column " +
                                     std::to_string(k));
      sumSq += static_cast<double>(row[k]) * row[k];
    }
    float scale = sumSq > 0 ? static_cast<float>(1.0 / std::sqrt(sumSq)) : 0;
    for (size_t k = 0; k < d; ++k)
      out[r * d + k] = row[k] * scale;
  }
  return Status::ok();
}

// Column block: R rows of `a` times this many rows of `b` stay in L1, and the
// d x kBlock slice of b's transpose is reused by every group of R rows.
static const size_t kBlock = 256;

/// out[r][j] = sum_k a[r][k] * bt[k][j] for R rows of `a` and the columns
/// [j0, j0 + jn) of `bt` (d x nb). The inner loop runs along `bt`'s rows so it
/// vectorises without reassociating the sums.
template <size_t R>
static void dotBlock(const float *a, const float *bt, size_t d, size_t nb,
                     size_t j0, size_t jn, double *out) {
  float acc[R][kBlock] = {};
  for (size_t k = 0; k < d; ++k) {
    const float *btRow = bt + k * nb + j0;
    float coef[R];
    for (size_t r = 0; r < R; ++r)
      coef[r] = a[r * d + k];
    for (size_t r = 0; r < R; ++r)
      for (size_t j = 0; j < jn; ++j)
        acc[r][j] += coef[r] * btRow[j];
  }
  for (size_t r = 0; r < R; ++r)
    for (size_t j = 0; j < jn; ++j)
      out[r * nb + j0 + j] =
          std::min(1.0, std::max(-1.0, static_cast<double>(acc[r][j])));
}

StatusOr<std::vector<double>> prism::cosineMatrix(const float *a, size_t na,
                                                  const float *b, size_t nb,
                                                  size_t d) {
  std::vector<float> an, bn;
  if (Status s = normalizedRows(a, na, d, "A", an); !s.isOk())
    return s;
  if (Status s = normalizedRows(b, nb, d, "B", bn); !s.isOk())
    return s;
  std::vector<float> bt(d * nb);
  for (size_t j = 0; j < nb; ++j)
    for (size_t k = 0; k < d; ++k)
      bt[k * nb + j] = bn[j * d + k];

  std::vector<double> out(na * nb);
  const size_t group = 4;
  for (size_t j0 = 0; j0 < nb; j0 += kBlock) {
    size_t jn = std::min(kBlock, nb - j0);
    size_t i = 0;
    for (; i + group <= na; i += group)
      dotBlock<group>(an.data() + i * d, bt.data(), d, nb, j0, jn,
                      out.data() + i * nb);
    for (; i < na; ++i)
      dotBlock<1>(an.data() + i * d, bt.data(), d, nb, j0, jn,
                  out.data() + i * nb);
  }
  return out;
}

StatusOr<DictionaryMatch> prism::matchDictionaries(const float *a, size_t na,
                                                   const float *b, size_t nb,
                                                   size_t d) {
  StatusOr<std::vector<double>> cosine = cosineMatrix(a, na, b, nb, d);
  if (!cosine.isOk())
    return cosine.getStatus();
  StatusOr<std::vector<int>> assignment =
      solveAssignment(cosine->data(), na, nb, /*maximize=*/true);
  if (!assignment.isOk())
    return assignment.getStatus();

  DictionaryMatch match;
  double total = 0;
  for (size_t i = 0; i < na; ++i) {
    int j = (*assignment)[i];
    if (j < 0)
      continue;
    double c = (*cosine)[i * nb + static_cast<size_t>(j)];
    match.pairs.push_back({static_cast<int>(i), j, c});
    total += c;
  }
  if (!match.pairs.empty())
    match.meanCosine = total / static_cast<double>(match.pairs.size());
  return match;
}
