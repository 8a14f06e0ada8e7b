//===- AugmentingPath.h - The end of a shortest augmenting path -*- C++ -*-===//
//
// Shared by the dense (Assignment.cpp) and sparse (SparseAssignment.cpp)
// Jonker-Volgenant solvers, which differ only in how they search: once a
// search from `curRow` has reached the free column `sink` at distance
// `minVal`, the duals of the rows and columns it scanned are moved so that
// reduced costs stay non-negative (and zero on the path), and the matching
// is flipped along the path.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_ANALYSIS_AUGMENTINGPATH_H
#define PRISM_RUNTIME_ANALYSIS_AUGMENTINGPATH_H

#include <utility>
#include <vector>

namespace prism::assignment {

struct AugmentingState {
  std::vector<double> &u, &v;          // row and column duals
  const std::vector<double> &shortest; // distance of each column reached
  const std::vector<int> &path;        // the row each column was reached from
  std::vector<int> &col4row, &row4col; // the matching
};

inline void finishAugmentation(AugmentingState s, int curRow, int sink,
                               double minVal,
                               const std::vector<int> &visitedRows,
                               const std::vector<int> &visitedCols) {
  s.u[curRow] += minVal;
  for (int row : visitedRows)
    if (row != curRow)
      s.u[row] += minVal - s.shortest[s.col4row[row]];
  for (int col : visitedCols)
    s.v[col] -= minVal - s.shortest[col];
  for (int j = sink;;) {
    int row = s.path[j];
    s.row4col[j] = row;
    std::swap(s.col4row[row], j);
    if (row == curRow)
      break;
  }
}

} // namespace prism::assignment

#endif // PRISM_RUNTIME_ANALYSIS_AUGMENTINGPATH_H
