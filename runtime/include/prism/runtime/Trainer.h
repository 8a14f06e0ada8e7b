//===- Trainer.h - The training loop ----------------------------*- C++ -*-===//
//
// Runs a program's `train_step` over a dataset (the contract is in
// docs/formats.md, "Program entry points"): batches from the DataLoader, the
// learning rate and Adam bias corrections per step, dead-latent tracking,
// divergence checks, metrics (RUN/metrics.jsonl) and checkpoints
// (RUN/checkpoints, Checkpoint.h). A run stopped at any checkpoint and
// resumed continues bit for bit as if it had never stopped.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_TRAINER_H
#define PRISM_RUNTIME_TRAINER_H

#include "prism/runtime/BatchThreshold.h"
#include "prism/runtime/DataLoader.h"
#include "prism/runtime/Dataset.h"
#include "prism/runtime/DeadLatents.h"
#include "prism/runtime/Executor.h"
#include "prism/runtime/Mixture.h"
#include "prism/runtime/Program.h"
#include "prism/runtime/Schedule.h"
#include "prism/runtime/Status.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace prism {

/// The scalars `train_step` may ask for, by name.
constexpr const char *kTrainScalars[] = {"lr", "bias_correction1",
                                         "bias_correction2"};

/// Checks that `info` has what training needs: the entry point train_step
/// asking only for known scalars, Input x [-1, d], ModelState dead_mask [n],
/// Output loss [] and l0 [], Output fired [n]. Errors name `path`.
Status checkTrainContract(const ProgramInfo &info, const std::string &path);

/// Settings from the command line; unset ones come from the program's train
/// block.
struct TrainOptions {
  std::string runDir;
  std::optional<uint64_t> steps, epochs, batch, seed;
  std::optional<double> lr;
  double holdout = 0;
  /// The image:text ratio of the training rows (Mixture.h); inactive: all.
  Mixture mix;
  uint64_t logEvery = 100;
  /// 0: a checkpoint at the end only.
  uint64_t checkpointEvery = 0;
  /// Stop after this step (with a checkpoint) without changing the
  /// schedule, to be continued with a resume.
  std::optional<uint64_t> stopAt;
};

/// What a run resolved from the options and the train block.
struct TrainPlan {
  uint64_t totalSteps = 0, batch = 0, seed = 0, stepsPerEpoch = 0;
  LrSchedule schedule;
  double beta1 = 0.9, beta2 = 0.999;
  uint64_t deadWindow = 0;
  double holdout = 0;
  Mixture mix;
  /// The training rows the loader visits, by modality.
  uint64_t imageRows = 0, textRows = 0;
  uint32_t dim = 0;     // width of x
  uint64_t latents = 0; // size of dead_mask and fired
};

struct StepMetrics {
  uint64_t step = 0;
  double loss = 0, l0 = 0, deadFraction = 0, lr = 0;
  double stepsPerSecond = 0;
};

struct TrainReport {
  /// "training diverged at step S: ..." when it did.
  std::optional<std::string> divergence;
  /// True when it stopped at TrainOptions::stopAt before the last step.
  bool stopped = false;
  uint64_t step = 0; // steps done
  /// The last metrics line written, if any.
  std::optional<StepMetrics> last;
  /// The BatchTopK thresholds after the last step (BatchThreshold.h).
  std::vector<ThresholdEstimate> thresholds;
};

class Trainer {
public:
  /// Checks the program against the contract and the dataset, resolves the
  /// plan and builds the executor and the data loader. `program` and `data`
  /// must outlive the trainer.
  static StatusOr<std::unique_ptr<Trainer>> create(const Program &program,
                                                   const Dataset &data,
                                                   const TrainOptions &options);

  const TrainPlan &plan() const { return settings; }
  uint64_t step() const { return done; }
  /// The program's BatchTopK inference thresholds (BatchThreshold.h).
  const std::vector<ThresholdEstimate> &thresholds() const { return estimates; }
  Executor &executor() { return *exec; }
  /// Where the batches come from on a device: "resident" (the dataset in
  /// device memory) or why it is not.
  const std::string &dataPlacement() const { return placement; }
  const Executor &executor() const { return *exec; }

  /// A fresh start: initialises the parameters (Init.h) and empties
  /// RUN/metrics.jsonl.
  Status initialize();
  /// Continues from the run directory's latest checkpoint; `warnings` gets
  /// one line per damaged checkpoint skipped on the way. Metrics lines past
  /// the checkpoint's step are dropped.
  Status resume(std::vector<std::string> &warnings);

  /// Trains until the last step (or TrainOptions::stopAt). `onStep` sees
  /// every step's metrics (loss and L0 of that batch). Divergence is a
  /// report, not an error: the last good checkpoint is kept.
  StatusOr<TrainReport>
  run(const std::function<void(const StepMetrics &)> &onStep = nullptr);

private:
  Trainer(const Program &program, const Dataset &data, TrainOptions options,
          TrainPlan plan, DataLoader loader);

  /// The first non-finite parameter value, as a divergence message.
  std::optional<std::string> checkParameters() const;
  Status writeCheckpoint();
  Status appendMetrics(const StepMetrics &metrics);
  std::string metricsPath() const;

  const Program &program;
  const Dataset &data;
  TrainOptions options;
  TrainPlan settings;
  DataLoader loader;
  std::unique_ptr<Executor> exec;
  DeadLatentTracker tracker;
  int xIndex = -1, maskIndex = -1, lossIndex = -1, l0Index = -1,
      firedIndex = -1;
  // The optional per-row `modality` input (1 image, 2 text, 0 unspecified)
  // of models that filter or select by modality.
  int modalityIndex = -1;
  std::vector<Modality> batchModality;
  /// Whether x is gathered on the device from the resident dataset
  /// (Executor::makeResident), and the rows of the current batch.
  bool residentInput = false;
  std::string placement;
  std::vector<uint64_t> batchRows;
  // BatchTopK thresholds: where each is sampled and kept, and its estimate.
  std::vector<ThresholdSlot> thresholdSlots;
  std::vector<ThresholdEstimate> estimates;
  uint64_t done = 0;
  // Sums since the last metrics line; checkpointed, so a resumed run writes
  // the same lines.
  double lossSum = 0, l0Sum = 0;
  uint64_t sumCount = 0;
};

} // namespace prism

#endif // PRISM_RUNTIME_TRAINER_H
