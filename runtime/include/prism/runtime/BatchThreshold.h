//===- BatchThreshold.h - BatchTopK's inference threshold -------*- C++ -*-===//
//
// BatchTopK (Bussmann, Leask and Nanda 2024, arXiv 2412.06410) keeps the B·k
// largest activations of a whole batch while training, so a row's code
// depends on the rows beside it. At inference one global threshold θ
// replaces the batch: z = v · (v > θ). θ is estimated during training from
// the smallest activation each batch kept, which the training step reports
// as the Output `NAME.min_kept` (prismc's -sae-train-statistics), where the
// program's `infer` entry point reads θ from the rank-0 ModelState `NAME`
// (`batchtopk.theta` for the first selection of a model). docs/formats.md,
// "BatchTopK thresholds", states the contract.
//
// The estimate follows the reference implementation (dictionary_learning's
// BatchTopK trainer): an exponential moving average with β = 0.999 that
// starts after a warm-up of 1000 steps, the first sample after the warm-up
// setting θ outright (rather than averaging it with the initial 0, which
// would need ~1/(1-β) = 1000 more steps to forget). A batch that kept no
// positive activation leaves θ as it is (as SAELens does): it says nothing
// about where the kept activations end.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_BATCHTHRESHOLD_H
#define PRISM_RUNTIME_BATCHTHRESHOLD_H

#include "prism/runtime/Program.h"
#include "prism/runtime/Status.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace prism {

/// θ ← β θ + (1 − β) min_kept after the first sample.
constexpr double kThresholdBeta = 0.999;
/// Steps 1..kThresholdWarmupSteps leave θ unestimated.
constexpr uint64_t kThresholdWarmupSteps = 1000;

/// A threshold of a program: the train_step Output `name + ".min_kept"`
/// ([]) that samples it and, when the program has it, the ModelState `name`
/// ([]) that `infer` reads.
struct ThresholdSlot {
  std::string name;
  int minKeptIndex = -1;
  int stateIndex = -1; // -1: no such ModelState
};

/// The thresholds of `info`, in buffer order: every Output `NAME.min_kept`
/// of one element that `train_step` writes.
std::vector<ThresholdSlot> findThresholds(const ProgramInfo &info);

/// The running estimate of one threshold.
class ThresholdEstimate {
public:
  explicit ThresholdEstimate(std::string name)
      : thresholdName(std::move(name)) {}

  /// Folds in `minKept`, the smallest activation step `step` (1-based) kept.
  /// Ignored during the warm-up and when it is not a finite positive number
  /// (the batch kept nothing positive: the step reports +inf). Returns
  /// whether θ changed.
  bool observe(uint64_t step, double minKept);

  const std::string &name() const { return thresholdName; }
  /// Whether θ has been estimated (some step after the warm-up kept a
  /// positive activation).
  bool known() const { return samples > 0; }
  double value() const { return theta; }
  uint64_t count() const { return samples; }

  /// Metadata keys of a checkpoint's state.safetensors: `NAME.ema` (θ, a
  /// hexadecimal double, exact) and `NAME.samples` (how many steps it
  /// averages).
  std::string valueKey() const { return thresholdName + ".ema"; }
  std::string countKey() const { return thresholdName + ".samples"; }
  void save(std::map<std::string, std::string> &meta) const;
  /// Restores what save wrote; an error naming `where` when a key is missing
  /// or malformed.
  Status load(const std::map<std::string, std::string> &meta,
              const std::string &where);

private:
  std::string thresholdName;
  double theta = 0;
  uint64_t samples = 0;
};

} // namespace prism

#endif // PRISM_RUNTIME_BATCHTHRESHOLD_H
