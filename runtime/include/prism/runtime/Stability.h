//===- Stability.h - Stability of a dictionary across runs ------*- C++ -*-===//
//
// SCIENCE.md §3: Stability = (1/n) max over permutations π of
// Σᵢ cos(dᵢ, d′_π(i)), by exact assignment (Assignment.h, or for large n
// the certified sparse solver of SparseAssignment.h). The matched
// cosine of each concept is binned by the concept's energy in the first run,
// since frequent concepts are expected to recur and rare ones not.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_STABILITY_H
#define PRISM_RUNTIME_STABILITY_H

#include "prism/runtime/Status.h"

#include <cstdint>
#include <vector>

namespace prism {

/// Dictionaries larger than this are matched by matchDictionariesSparse
/// (SparseAssignment.h) instead of the dense solver.
constexpr uint64_t kDenseMatchLimit = 8192;

struct StabilityBin {
  double energyLow = 0, energyHigh = 0; // of the bin's concepts
  uint64_t concepts = 0;
  double meanCosine = 0;
  bool dead = false; // the bin of the concepts that never fired
};

struct Stability {
  double overall = 0;                // mean matched cosine
  std::vector<double> matchedCosine; // per concept of the first dictionary
  std::vector<int> match;            // its concept in the second
  /// The concepts that never fired (energy 0) first, when there are any,
  /// then `bins` equal-count bins of the others by ascending energy.
  std::vector<StabilityBin> bins;
  double topEnergyBin = 0; // mean matched cosine of the last bin
};

/// Matches `a` and `b` (both [n, dim], row-major) and bins by `energyA`
/// (n values: each concept's energy in the run of `a`).
StatusOr<Stability> dictionaryStability(const float *a, const float *b,
                                        uint64_t n, uint32_t dim,
                                        const std::vector<double> &energyA,
                                        unsigned bins = 10);

} // namespace prism

#endif // PRISM_RUNTIME_STABILITY_H
