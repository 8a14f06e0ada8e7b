//===- StabilityRuns.cpp - Stability of every pair of runs ----------------===//

#include "StabilityRuns.h"

#include "prism/runtime/Stability.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

using namespace prism;
using namespace prism::analyze;

/// Records the matching of runs a and b on both sides.
static void recordMatches(RunAnalysis &a, RunAnalysis &b,
                          const Stability &stability) {
  RunAnalysis::Match backward{a.name, std::vector<int>(b.latents, -1),
                              std::vector<double>(b.latents, NAN)};
  for (uint64_t i = 0; i < a.latents; ++i)
    if (stability.match[i] >= 0) {
      backward.concept[stability.match[i]] = static_cast<int>(i);
      backward.cosine[stability.match[i]] = stability.matchedCosine[i];
    }
  a.matches.push_back({b.name, stability.match, stability.matchedCosine});
  b.matches.push_back(std::move(backward));
}

StatusOr<Json> prism::analyze::measureStability(std::vector<RunAnalysis> &runs,
                                                uint32_t dim) {
  Json pairs = Json::array();
  double sum = 0, sumTop = 0;
  for (size_t a = 0; a < runs.size(); ++a)
    for (size_t b = a + 1; b < runs.size(); ++b) {
      RunAnalysis &first = runs[a], &second = runs[b];
      if (first.decoder.shape != second.decoder.shape) {
        std::cerr << "notice: " << first.name << " and " << second.name
                  << " have dictionaries of different sizes (" << first.latents
                  << " and " << second.latents
                  << " concepts); their stability is not measured\n";
        continue;
      }
      auto start = std::chrono::steady_clock::now();
      StatusOr<Stability> stability = dictionaryStability(
          first.decoder.values.data(), second.decoder.values.data(),
          first.latents, dim, first.stats.energy);
      if (!stability.isOk())
        return stability.getStatus();
      std::fprintf(stderr,
                   "analyze: matched %s with %s (%llu concepts, %s): "
                   "stability %.4f, %.1f s\n",
                   first.name.c_str(), second.name.c_str(),
                   static_cast<unsigned long long>(first.latents),
                   first.latents > kDenseMatchLimit
                       ? "certified sparse assignment"
                       : "exact assignment",
                   stability->overall,
                   std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - start)
                       .count());
      sum += stability->overall;
      sumTop += stability->topEnergyBin;
      recordMatches(first, second, *stability);
      pairs.push_back(stabilityPairJson(first.name, second.name, *stability));
    }
  if (pairs.empty())
    return Json(nullptr);
  Json out = Json::object();
  double count = static_cast<double>(pairs.size());
  out["pairs"] = std::move(pairs);
  out["mean"] = number(sum / count);
  out["mean_top_energy_decile"] = number(sumTop / count);
  return out;
}
