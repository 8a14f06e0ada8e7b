//===- SparseAssignment.h - Certified matching of large dictionaries -*- C++
//-*-===//
//
// Stability at n = 32768 cannot afford the dense n × n cosine matrix (8.6 GB
// in double) that matchDictionaries solves. This solves the same problem on
// candidate lists and proves the answer optimal:
//
//  1. blocked GEMMs of the unit dictionaries keep, for each row of either
//     dictionary, its `candidates` most similar rows of the other (and the
//     pair (i, i), so that a perfect matching exists);
//  2. shortest augmenting paths (Jonker-Volgenant, as LAPJVsp does, with a
//     heap over the candidate columns) solve the assignment on those edges
//     and leave dual variables u, v with cᵢⱼ − uᵢ − vⱼ ≥ 0 on every edge;
//  3. one more blocked pass checks that inequality on all n² entries; by LP
//     duality the matching is optimal over all of them when it holds. Each
//     entry that breaks it becomes an edge and the solve is repeated.
//
// Memory is O(n · candidates) plus one block of cosines. Costs are the
// float32 cosines of the GEMM; "optimal" is up to a tolerance of 1e-6 per
// entry on them.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_SPARSEASSIGNMENT_H
#define PRISM_RUNTIME_SPARSEASSIGNMENT_H

#include "prism/runtime/Assignment.h"
#include "prism/runtime/Status.h"

#include <cstddef>
#include <cstdint>

namespace prism {

struct SparseMatchOptions {
  unsigned candidates = 32; // per row of each dictionary
  size_t blockRows = 1024;  // rows per GEMM block
  unsigned maxRounds = 50;  // solve-and-check rounds before giving up
};

struct SparseMatchStats {
  unsigned rounds = 0;    // solves, the last one certified
  uint64_t edges = 0;     // candidate edges of the last solve
  uint64_t violators = 0; // entries added by the checks, over all rounds
};

/// Matches the rows of `a` and `b` (both [n, d], row-major) one-to-one for
/// the largest summed cosine, as matchDictionaries does, in O(n · candidates)
/// memory. Fails on a non-finite value (naming the dictionary and row), or
/// when `maxRounds` rounds leave entries that break the certificate.
StatusOr<DictionaryMatch>
matchDictionariesSparse(const float *a, const float *b, size_t n, size_t d,
                        const SparseMatchOptions &options = {},
                        SparseMatchStats *stats = nullptr);

} // namespace prism

#endif // PRISM_RUNTIME_SPARSEASSIGNMENT_H
