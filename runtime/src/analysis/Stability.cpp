//===- Stability.cpp - Stability of a dictionary across runs --------------===//

#include "prism/runtime/Stability.h"

#include "prism/runtime/Assignment.h"
#include "prism/runtime/SparseAssignment.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

using namespace prism;

StatusOr<Stability>
prism::dictionaryStability(const float *a, const float *b, uint64_t n,
                           uint32_t dim, const std::vector<double> &energyA,
                           unsigned bins) {
  if (energyA.size() != n)
    return Status::error("stability", "expected " + std::to_string(n) +
                                          " concept energies, got " +
                                          std::to_string(energyA.size()));
  if (bins == 0)
    return Status::error("stability", "the number of energy bins must be "
                                      "positive");
  // Up to kDenseMatchLimit concepts the dense solver (n² doubles, 512 MiB at
  // the limit); beyond, the certified sparse one.
  StatusOr<DictionaryMatch> matched =
      n <= kDenseMatchLimit ? matchDictionaries(a, n, b, n, dim)
                            : matchDictionariesSparse(a, b, n, dim);
  if (!matched.isOk())
    return matched.getStatus();
  Stability out;
  out.overall = matched->meanCosine;
  out.matchedCosine.assign(n, 0.0);
  out.match.assign(n, -1);
  for (const MatchedPair &pair : matched->pairs) {
    out.matchedCosine[pair.a] = pair.cosine;
    out.match[pair.a] = pair.b;
  }

  std::vector<uint64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](uint64_t x, uint64_t y) {
    return energyA[x] < energyA[y];
  });
  auto addBin = [&](size_t begin, size_t end, bool dead) {
    if (begin == end)
      return;
    StabilityBin bin;
    bin.dead = dead;
    bin.concepts = end - begin;
    bin.energyLow = energyA[order[begin]];
    bin.energyHigh = energyA[order[end - 1]];
    for (size_t r = begin; r < end; ++r)
      bin.meanCosine += out.matchedCosine[order[r]];
    bin.meanCosine /= static_cast<double>(bin.concepts);
    out.bins.push_back(bin);
  };
  size_t firstAlive = 0;
  while (firstAlive < n && !(energyA[order[firstAlive]] > 0))
    ++firstAlive;
  addBin(0, firstAlive, /*dead=*/true);
  size_t alive = n - firstAlive;
  for (unsigned b = 0; b < bins; ++b)
    addBin(firstAlive + alive * b / bins, firstAlive + alive * (b + 1) / bins,
           /*dead=*/false);
  if (!out.bins.empty())
    out.topEnergyBin = out.bins.back().meanCosine;
  return out;
}
