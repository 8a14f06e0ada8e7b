//===- DeadLatents.h - Which latents stopped firing -------------*- C++ -*-===//
//
// A latent is dead when it has not fired in the last `window` training
// samples (SCIENCE.md section 2: "dead = not fired in the last N samples";
// docs/language.md, train block `dead_window`). After each step the tracker
// adds the batch's rows to the count of every latent that did not fire and
// resets the others to 0; dead_mask[i] = 1 when count_i >= window. Counts
// saturate at the window, which changes no answer and bounds them.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_DEADLATENTS_H
#define PRISM_RUNTIME_DEADLATENTS_H

#include "prism/runtime/Status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace prism {

/// The window when the program's train block leaves dead_window at 0: the
/// value docs/language.md's train block shows. (Gao et al. 2024 use 10M
/// tokens for language models; embedding sets are far smaller.)
constexpr uint64_t kDefaultDeadWindow = 1000000;

class DeadLatentTracker {
public:
  DeadLatentTracker(size_t latents, uint64_t window);

  /// Records a step over `rows` samples; fired[i] != 0 where latent i fired.
  void update(const float *fired, uint64_t rows);
  /// mask[i] = 1.0f for dead latents, 0.0f for the others.
  void writeMask(float *mask) const;
  size_t deadCount() const;
  double deadFraction() const;
  size_t size() const { return counts.size(); }
  uint64_t window() const { return samplesWindow; }
  const std::vector<uint64_t> &samplesSinceFired() const { return counts; }

  /// The counts as float32 for a checkpoint, exactly: a [2, n] tensor whose
  /// rows are count / 2^24 and count % 2^24 (counts stay below 2^48).
  std::vector<float> encode() const;
  /// Restores encode()'s output; errors name `where`.
  Status decode(const std::vector<float> &values, const std::string &where);

private:
  std::vector<uint64_t> counts;
  uint64_t samplesWindow;
};

} // namespace prism

#endif // PRISM_RUNTIME_DEADLATENTS_H
