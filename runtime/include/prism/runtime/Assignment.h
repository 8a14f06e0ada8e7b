//===- Assignment.h - Linear assignment, dictionary matching ----*- C++ -*-===//
//
// Stability across runs (SCIENCE.md §3) matches the concepts of two
// dictionaries one-to-one so that the summed cosine is as large as possible.
// That is a linear assignment problem, solved here exactly by the shortest
// augmenting path method of Jonker and Volgenant (as described by Crouse,
// "On implementing 2D rectangular assignment algorithms", IEEE TAES 2016):
// O(rows^2 * cols) time in the worst case, O(rows * cols) memory for the
// caller's cost matrix and O(rows + cols) for the solver.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_ASSIGNMENT_H
#define PRISM_RUNTIME_ASSIGNMENT_H

#include "prism/runtime/Status.h"

#include <cstddef>
#include <vector>

namespace prism {

/// Solves the rectangular linear assignment problem on the row-major
/// `rows` x `cols` matrix `cost`: every row is matched to a distinct column
/// when rows <= cols, every column to a distinct row otherwise, so that the
/// total cost of the matched entries is smallest (largest with `maximize`).
/// Returns, for each row, its column, or -1 for a row left unmatched (only
/// when rows > cols). Any optimal assignment may come back when there are
/// ties. Fails on a NaN or infinite cost, naming the entry.
StatusOr<std::vector<int>> solveAssignment(const double *cost, size_t rows,
                                           size_t cols, bool maximize);

/// The sum of `cost` over the matched entries of `assignment`.
double assignmentTotal(const double *cost, size_t cols,
                       const std::vector<int> &assignment);

/// The row-major `na` x `nb` matrix of cosine similarities between the rows
/// of `a` (`na` x `d`) and of `b` (`nb` x `d`). A row of zero norm has cosine
/// 0 with every row. Fails on a NaN or infinite value, naming its row.
StatusOr<std::vector<double>> cosineMatrix(const float *a, size_t na,
                                           const float *b, size_t nb, size_t d);

/// One matched concept pair.
struct MatchedPair {
  int a = -1; // row of the first dictionary
  int b = -1; // row of the second
  double cosine = 0;
};

struct DictionaryMatch {
  /// min(na, nb) pairs, ordered by their row of `a`.
  std::vector<MatchedPair> pairs;
  /// Mean cosine of the pairs: the stability of SCIENCE.md §3 when na == nb.
  double meanCosine = 0;
};

/// Matches the rows of dictionary `a` (`na` x `d`, row-major) one-to-one to
/// the rows of `b` (`nb` x `d`) so that the summed cosine is largest. When
/// na != nb, the larger dictionary keeps |na - nb| rows unmatched. Rows need
/// not be unit norm.
StatusOr<DictionaryMatch> matchDictionaries(const float *a, size_t na,
                                            const float *b, size_t nb,
                                            size_t d);

} // namespace prism

#endif // PRISM_RUNTIME_ASSIGNMENT_H
