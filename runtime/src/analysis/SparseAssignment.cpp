//===- SparseAssignment.cpp - Certified matching of large dictionaries ----===//
//
// Costs are minimised: cᵢⱼ = −cos(aᵢ, bⱼ). The augmenting-path step is the
// dense solver's (Assignment.cpp) with its scan over all columns replaced by
// a scan over the row's edges and a lazy binary heap for the nearest column.
//
//===----------------------------------------------------------------------===//

#include "prism/runtime/SparseAssignment.h"

#include "AugmentingPath.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <queue>
#include <string>
#include <vector>

using namespace prism;

namespace {

constexpr double kTolerance = 1e-6;

struct Edge {
  uint32_t col;
  float cost;
};
using Graph = std::vector<std::vector<Edge>>;

StatusOr<std::vector<float>> unitRows(const float *x, size_t n, size_t d,
                                      const char *name) {
  std::vector<float> out(x, x + n * d);
  for (size_t r = 0; r < n; ++r) {
    double norm = 0;
    for (size_t c = 0; c < d; ++c) {
      double v = out[r * d + c];
      if (!std::isfinite(v))
        return Status::error("", std::string("dictionary ") + name + ", row " +
                                     std::to_string(r) +
                                     ": a value is not finite");
      norm += v * v;
    }
    float scale = norm > 0 ? static_cast<float>(1 / std::sqrt(norm)) : 0.0f;
    for (size_t c = 0; c < d; ++c)
      out[r * d + c] *= scale;
  }
  return out;
}

/// Calls f(first, rows, block) for blocks of `x`'s rows, block[r * n + j]
/// the cosine of row first + r of x with row j of y (both unit, [n, d]).
void forEachBlock(const std::vector<float> &x, const std::vector<float> &y,
                  size_t n, size_t d, size_t blockRows,
                  const std::function<void(size_t, size_t, const float *)> &f) {
  std::vector<float> block(blockRows * n);
  for (size_t first = 0; first < n; first += blockRows) {
    size_t rows = std::min(blockRows, n - first);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(rows),
                static_cast<int>(n), static_cast<int>(d), 1.0f,
                x.data() + first * d, static_cast<int>(d), y.data(),
                static_cast<int>(d), 0.0f, block.data(), static_cast<int>(n));
    f(first, rows, block.data());
  }
}

void addEdge(Graph &graph, size_t row, size_t col, float cosine) {
  graph[row].push_back({static_cast<uint32_t>(col), -cosine});
}

/// Sorts each row's edges by column and drops repeats.
uint64_t tidy(Graph &graph) {
  uint64_t edges = 0;
  for (auto &row : graph) {
    std::sort(row.begin(), row.end(),
              [](const Edge &x, const Edge &y) { return x.col < y.col; });
    row.erase(std::unique(
                  row.begin(), row.end(),
                  [](const Edge &x, const Edge &y) { return x.col == y.col; }),
              row.end());
    edges += row.size();
  }
  return edges;
}

/// Shortest augmenting paths on a sparse square problem.
class SparseSolver {
public:
  explicit SparseSolver(const Graph &graph)
      : graph(graph), n(graph.size()), u(n, 0.0), v(n, 0.0), shortest(n),
        path(n, -1), col4row(n, -1), row4col(n, -1), seen(n, 0), scanned(n, 0) {
  }

  /// False when a row has no augmenting path (no perfect matching).
  bool solve() {
    for (size_t row = 0; row < n; ++row)
      if (!augment(static_cast<int>(row)))
        return false;
    return true;
  }

  const std::vector<int> &assignment() const { return col4row; }
  const std::vector<double> &rowDuals() const { return u; }
  const std::vector<double> &colDuals() const { return v; }

private:
  bool augment(int curRow) {
    ++stamp;
    using Item = std::pair<double, int>;
    std::priority_queue<Item, std::vector<Item>, std::greater<Item>> heap;
    visitedRows.clear();
    visitedCols.clear();
    double minVal = 0;
    int i = curRow, sink = -1;
    while (sink == -1) {
      visitedRows.push_back(i);
      for (const Edge &e : graph[i]) {
        int j = static_cast<int>(e.col);
        if (scanned[j] == stamp)
          continue;
        double reduced = minVal + e.cost - u[i] - v[j];
        if (seen[j] != stamp || reduced < shortest[j]) {
          seen[j] = stamp;
          shortest[j] = reduced;
          path[j] = i;
          heap.push({reduced, j});
        }
      }
      int j = -1;
      while (!heap.empty()) {
        auto [distance, col] = heap.top();
        heap.pop();
        if (scanned[col] != stamp && distance == shortest[col]) {
          j = col;
          break;
        }
      }
      if (j < 0)
        return false;
      minVal = shortest[j];
      scanned[j] = stamp;
      visitedCols.push_back(j);
      if (row4col[j] == -1)
        sink = j;
      else
        i = row4col[j];
    }
    assignment::finishAugmentation({u, v, shortest, path, col4row, row4col},
                                   curRow, sink, minVal, visitedRows,
                                   visitedCols);
    return true;
  }

  const Graph &graph;
  size_t n;
  std::vector<double> u, v, shortest;
  std::vector<int> path, col4row, row4col;
  std::vector<uint64_t> seen, scanned; // stamps, for O(edges) per search
  uint64_t stamp = 0;
  std::vector<int> visitedRows, visitedCols;
};

/// Adds each row's `k` largest entries of a cosine block as edges, rows of
/// the block being graph rows (or columns, `transposed`).
void addCandidates(Graph &graph, size_t first, size_t rows, const float *block,
                   size_t n, unsigned k, bool transposed) {
  std::vector<uint32_t> order(n);
  size_t keep = std::min<size_t>(k, n);
  for (size_t r = 0; r < rows; ++r) {
    const float *cos = block + r * n;
    for (size_t j = 0; j < n; ++j)
      order[j] = static_cast<uint32_t>(j);
    std::nth_element(order.begin(), order.begin() + (keep - 1), order.end(),
                     [&](uint32_t x, uint32_t y) { return cos[x] > cos[y]; });
    for (size_t t = 0; t < keep; ++t) {
      size_t other = order[t];
      if (transposed)
        addEdge(graph, other, first + r, cos[other]);
      else
        addEdge(graph, first + r, other, cos[other]);
    }
  }
}

} // namespace

StatusOr<DictionaryMatch>
prism::matchDictionariesSparse(const float *a, const float *b, size_t n,
                               size_t d, const SparseMatchOptions &options,
                               SparseMatchStats *stats) {
  if (n == 0)
    return DictionaryMatch{};
  if (n >= static_cast<size_t>(INT32_MAX) || d == 0 || options.blockRows == 0 ||
      options.candidates == 0)
    return Status::error("", "sparse matching of " + std::to_string(n) +
                                 " rows of width " + std::to_string(d) +
                                 ": expected 0 < n < 2^31, d > 0, and "
                                 "positive candidates and block rows");
  StatusOr<std::vector<float>> ua = unitRows(a, n, d, "a");
  if (!ua.isOk())
    return ua.getStatus();
  StatusOr<std::vector<float>> ub = unitRows(b, n, d, "b");
  if (!ub.isOk())
    return ub.getStatus();
  size_t blockRows = std::min(options.blockRows, n);

  Graph graph(n);
  forEachBlock(
      *ua, *ub, n, d, blockRows,
      [&](size_t first, size_t rows, const float *block) {
        addCandidates(graph, first, rows, block, n, options.candidates, false);
        // The diagonal keeps a perfect matching in the graph.
        for (size_t r = 0; r < rows; ++r)
          addEdge(graph, first + r, first + r, block[r * n + first + r]);
      });
  forEachBlock(*ub, *ua, n, d, blockRows,
               [&](size_t first, size_t rows, const float *block) {
                 addCandidates(graph, first, rows, block, n, options.candidates,
                               true);
               });

  SparseMatchStats local;
  SparseMatchStats &s = stats ? *stats : local;
  s = {};
  for (unsigned round = 1; round <= options.maxRounds; ++round) {
    s.rounds = round;
    s.edges = tidy(graph);
    SparseSolver solver(graph);
    if (!solver.solve())
      return Status::error("", "sparse matching: the candidate graph has no "
                               "perfect matching");
    const std::vector<double> &u = solver.rowDuals(), &v = solver.colDuals();
    // The certificate: −cos − u − v ≥ 0 on every entry.
    uint64_t violators = 0;
    forEachBlock(*ua, *ub, n, d, blockRows,
                 [&](size_t first, size_t rows, const float *block) {
                   for (size_t r = 0; r < rows; ++r) {
                     size_t i = first + r;
                     for (size_t j = 0; j < n; ++j) {
                       float cos = block[r * n + j];
                       if (-double(cos) - u[i] - v[j] < -kTolerance) {
                         addEdge(graph, i, j, cos);
                         ++violators;
                       }
                     }
                   }
                 });
    s.violators += violators;
    if (violators)
      continue;

    DictionaryMatch match;
    double total = 0;
    const std::vector<int> &assignment = solver.assignment();
    for (size_t i = 0; i < n; ++i) {
      int j = assignment[i];
      double dot = 0;
      for (size_t c = 0; c < d; ++c)
        dot += double((*ua)[i * d + c]) * (*ub)[size_t(j) * d + c];
      match.pairs.push_back({static_cast<int>(i), j, dot});
      total += dot;
    }
    match.meanCosine = total / static_cast<double>(n);
    return match;
  }
  return Status::error("", "sparse matching: entries still break the "
                           "optimality certificate after " +
                               std::to_string(options.maxRounds) +
                               " rounds; raise the candidates");
}
