//===- BridgeScore.h - Concepts that bridge images and captions -*- C++ -*-===//
//
// SCIENCE.md §3: over aligned pairs p (an image and its caption), with codes
// zᴵ_p and zᵀ_p and unit decoder rows dᵢ,
//
//   B_ij = C_ij · cos(dᵢ, dⱼ),   C_ij = (1/P) Σ_p zᴵ_{p,i} zᵀ_{p,j},
//
// rows the concept on the image side, columns on the caption side. C is a
// sparse outer-product accumulation (at most k² entries per pair), kept as
// a sorted list of its non-zero entries; B is only ever evaluated on C's
// support, so nothing here is n x n dense. The cross-correlation variant
// centres each side's codes and divides by √(Var_image · Var_text):
//
//   ρ_ij = (C_ij − mᴵᵢ mᵀⱼ) / √(vᴵᵢ vᵀⱼ),
//
// m and v the mean and variance of a concept's code over the pairs' images
// (ᴵ) or captions (ᵀ); its bridge form ρ_ij · cos(dᵢ, dⱼ) does not favour
// frequent concepts, whose C is large by chance alone: under a random pairing
// C_ij is mᴵᵢ mᵀⱼ on average. The null model shuffles which caption goes with
// which image and recomputes C, so that what survives the shuffle is
// co-occurrence by chance.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_BRIDGESCORE_H
#define PRISM_RUNTIME_BRIDGESCORE_H

#include "prism/runtime/SparseCodes.h"
#include "prism/runtime/Status.h"

#include <cstdint>
#include <utility>
#include <vector>

namespace prism {

/// An image row and its caption's row, as rows of the codes.
struct AlignedPair {
  uint64_t image = 0, text = 0;
};

/// One entry of the Bridge Score matrix.
struct BridgeEntry {
  uint32_t image = 0, text = 0; // concept on each side
  double score = 0;             // B_ij
  double coactivation = 0;      // C_ij
  double cosine = 0;            // cos(dᵢ, dⱼ)
  double crossCorrelation = 0;  // ρ_ij, NaN when a side never varies
  double chanceCoactivation = 0; // mᴵᵢ mᵀⱼ, C_ij's mean under random pairing
};

/// What ranks the entries of B.
enum class BridgeRanking : uint8_t {
  Score,            // B_ij
  CrossCorrelation, // ρ_ij · cos(dᵢ, dⱼ), over well-supported concepts
};

/// The cross-correlation ranking leaves out concepts that fire on fewer
/// pairs than this on their side: two concepts that each fire once, on the
/// same pair, have ρ = 1 and say nothing.
constexpr uint64_t kMinCorrelationPairs = 5;

/// Totals of B with the pairing shuffled, over several shuffles.
struct BridgeNullModel {
  unsigned shuffles = 0;
  double totalMean = 0;    // mean over shuffles of Σ_ij B_ij
  double topScoreMean = 0; // of the largest off-diagonal B_ij
  double topScoreMax = 0;
};

class BridgeAnalysis {
public:
  /// Accumulates C over `pairs`; `dictionary` is [codes.latents(), dim],
  /// row-major (zero rows have cosine 0 with everything).
  static StatusOr<BridgeAnalysis> create(const SparseCodes &codes,
                                         const std::vector<AlignedPair> &pairs,
                                         const float *dictionary, uint32_t dim);

  uint64_t pairs() const { return numPairs; }
  /// Non-zero entries of C.
  uint64_t support() const { return entries.size(); }
  /// Σ_ij B_ij and its diagonal part Σ_i B_ii (a concept firing on both the
  /// image and its caption, which is sharing rather than bridging).
  double total() const { return totalScore; }
  double diagonal() const { return diagonalScore; }
  /// Row sums (a concept on the image side) and column sums (on the caption
  /// side) of B: the per-concept bridge energy.
  const std::vector<double> &imageSideEnergy() const { return rowSums; }
  const std::vector<double> &textSideEnergy() const { return columnSums; }

  /// The `count` off-diagonal entries (i ≠ j) of C's support that rank
  /// highest, highest first.
  std::vector<BridgeEntry>
  top(unsigned count, BridgeRanking ranking = BridgeRanking::Score) const;
  /// Entry (i, j): all zeros but the cosine when C_ij is zero.
  BridgeEntry entry(uint32_t image, uint32_t text) const;
  /// The pairs (indices into `pairs`) contributing most to C_ij, largest
  /// zᴵ_{p,i} zᵀ_{p,j} first, at most `count`, none contributing zero.
  std::vector<uint64_t> topPairs(const SparseCodes &codes,
                                 const std::vector<AlignedPair> &pairs,
                                 uint32_t image, uint32_t text,
                                 unsigned count) const;

  /// Σ B and the largest off-diagonal B_ij with captions assigned to images
  /// by `shuffles` seeded random permutations.
  BridgeNullModel nullModel(const SparseCodes &codes,
                            const std::vector<AlignedPair> &pairs,
                            unsigned shuffles, uint64_t seed) const;

private:
  BridgeAnalysis() = default;
  double cosine(uint32_t i, uint32_t j) const;

  uint64_t numPairs = 0, latents = 0;
  uint32_t dim = 0;
  std::vector<float> unitRows; // the dictionary, rows normalised
  /// C's non-zero entries, (i * latents + j, C_ij), sorted by key.
  std::vector<std::pair<uint64_t, double>> entries;
  /// cos(dᵢ, dⱼ) of each entry of C, computed once: every ranking reads it.
  std::vector<double> supportCosine;
  std::vector<double> imageMean, imageVar, textMean, textVar;
  std::vector<uint64_t> imageFires, textFires; // pairs firing, per side
  double totalScore = 0, diagonalScore = 0;
  std::vector<double> rowSums, columnSums;
};

} // namespace prism

#endif // PRISM_RUNTIME_BRIDGESCORE_H
