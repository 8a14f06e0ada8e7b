//===- Mixture.h - Training on an image:text mixture ------------*- C++ -*-===//
//
// `prism train --mix I:T` trains on a subset of the training split whose
// image and text rows are in the ratio I:T. The subset keeps as many rows as
// the ratio allows: every row of the modality that limits it, and a seeded
// random subset of the other. With n_I image and n_T text rows:
//
//   T = 0, or n_I * T <= n_T * I:  all n_I images, round(n_I * T / I) texts
//   otherwise:                     all n_T texts, round(n_T * I / T) images
//
// (round half away from zero). The subset of the other modality is the
// first k of its rows shuffled with stream kMixStream of the run seed, so a
// seed gives the same rows on every platform.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_MIXTURE_H
#define PRISM_RUNTIME_MIXTURE_H

#include "prism/runtime/Dataset.h"
#include "prism/runtime/Status.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace prism {

/// The stream the mixture's subset draws from (kSplitStream is ~0).
constexpr uint64_t kMixStream = ~uint64_t(0) - 1;

/// An image:text ratio. 0:0 means no mixture: every training row.
struct Mixture {
  double image = 0, text = 0;

  bool active() const { return image > 0 || text > 0; }
  /// "I:T", each number in its shortest form that reads back exactly
  /// ("3:1", "0.5:1"); "none" when inactive.
  std::string str() const;
  bool operator==(const Mixture &other) const {
    return image == other.image && text == other.text;
  }
  bool operator!=(const Mixture &other) const { return !(*this == other); }
};

/// Parses "I:T": two non-negative decimal numbers, not both zero. Nothing
/// when `text` is anything else; the caller names the option in its error.
std::optional<Mixture> parseMixture(const std::string &text);

/// The rows a mixture keeps, ascending, and how many of each modality.
struct MixtureRows {
  std::vector<uint64_t> rows;
  uint64_t imageRows = 0, textRows = 0;
};

/// Selects from `rows` (ascending rows of `data`) as the file comment
/// says. An error names the dataset when it has rows of unspecified
/// modality, which no ratio can place.
StatusOr<MixtureRows> selectMixture(const Dataset &data,
                                    const std::vector<uint64_t> &rows,
                                    const Mixture &mixture, uint64_t seed);

} // namespace prism

#endif // PRISM_RUNTIME_MIXTURE_H
