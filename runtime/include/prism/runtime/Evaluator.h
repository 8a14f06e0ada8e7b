//===- Evaluator.h - Running a trained model over a dataset -----*- C++ -*-===//
//
// `prism eval`'s engine: loads a checkpoint's parameters into a program's
// buffers, runs the `forward` entry point (docs/formats.md, "Program entry
// points") over a dataset in order, batch by batch, the last partial batch
// included, and feeds x, xhat and z to an EvalAccumulator (EvalMetrics.h).
// Every row of the chosen split is seen exactly once.
//
// A model with BatchTopK selections is evaluated with its `infer` entry
// point instead, each selection replaced by the threshold θ the training
// run estimated (BatchThreshold.h), so a row's code does not depend on the
// batch; until the checkpoint has θ (a run shorter than the warm-up) it
// keeps `forward`'s batch rule, and says so.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_EVALUATOR_H
#define PRISM_RUNTIME_EVALUATOR_H

#include "prism/runtime/Checkpoint.h"
#include "prism/runtime/DataLoader.h"
#include "prism/runtime/Dataset.h"
#include "prism/runtime/EvalMetrics.h"
#include "prism/runtime/Executor.h"
#include "prism/runtime/Program.h"
#include "prism/runtime/Status.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace prism {

/// Checks that `info` has what evaluation needs: an entry point `forward`
/// without scalars, reading no Input but x [-1, d] and, optionally,
/// modality [-1] (the rows' modality codes, as in training), and writing
/// Output xhat [-1, d] and z [-1, n]. Errors name `path`.
Status checkEvalContract(const ProgramInfo &info, const std::string &path);

/// Checks that `entry` can run under evaluation: no scalars, and no Input
/// but x and modality [-1], which evaluation fills. Errors name `path`.
Status checkEvaluatedEntry(const ProgramInfo &info, const std::string &path,
                           const EntryPointInfo &entry);

/// Loads the checkpoint to evaluate: `path` is a checkpoint directory
/// (RUN/checkpoints/step-N) or a run directory (its latest checkpoint).
/// Every Parameter of the program, and every ModelState that `forward` reads,
/// must be there with the program's shape (an error names the file, the
/// tensor and both shapes).
StatusOr<Checkpoint> loadEvalCheckpoint(const ProgramInfo &info,
                                        const std::string &path);

/// The metrics blocks compiled into `info`: those with entry points
/// metrics.B.init, metrics.B.pass0 (and on) and metrics.B.finalize
/// (docs/formats.md, "Program entry points"), in entry-point order.
std::vector<std::string> compiledMetricsBlocks(const ProgramInfo &info);

/// One result of a compiled metrics block: a scalar (empty shape), a
/// per-concept vector or a matrix. NaN where the formula is undefined (a dead
/// latent's modality score is 0 / 0).
struct BlockMetric {
  std::string name;
  std::vector<uint64_t> shape;
  std::vector<float> values;

  /// How many values are finite, and their sum (in double), for summaries
  /// of a per-concept metric.
  uint64_t finiteCount() const;
  double finiteSum() const;
};

enum class EvalSplit : uint8_t { All, HeldOut };

/// How the evaluated codes were selected.
enum class SelectionRule : uint8_t {
  Forward,   // the model has no batch-level selection: `forward`
  Threshold, // BatchTopK at inference: `infer` with the estimated θ
  Batch,     // BatchTopK's training rule (no θ yet): `forward`, per batch
};

/// "forward", "threshold", "batch".
const char *selectionRuleName(SelectionRule rule);

struct EvalOptions {
  uint64_t batch = 1024;
  /// HeldOut: the rows the run held out (--holdout), found from the seed and
  /// the fraction in the checkpoint's state metadata.
  EvalSplit split = EvalSplit::All;
};

class Evaluator {
public:
  /// Checks the contract, the dataset's width against x, builds the executor
  /// and copies the checkpoint's tensors into it. `program` and `data` must
  /// outlive the evaluator; `checkpoint` need not.
  static StatusOr<std::unique_ptr<Evaluator>>
  create(const Program &program, const Dataset &data,
         const Checkpoint &checkpoint, const EvalOptions &options);

  /// Rows of the split and the batches they make.
  uint64_t rows() const { return loader.rows().size(); }
  uint64_t batches() const { return loader.batchesPerEpoch(); }
  /// Rows per entry-point call (the --batch, at most the split's rows).
  uint64_t batchRows() const { return batchSize; }
  uint32_t dim() const { return data.dim(); }
  uint64_t latents() const { return numLatents; }
  /// The held-out fraction and seed of the split (0 and 0 for All).
  double heldOutFraction() const { return holdout; }
  uint64_t splitSeed() const { return seed; }
  /// The entry point run, the selection rule, the thresholds it used (name
  /// and value, for Threshold), and why it fell back to the batch rule.
  const std::string &entryPoint() const { return entryName; }
  SelectionRule rule() const { return selection; }
  const std::vector<std::pair<std::string, double>> &thresholds() const {
    return thresholdValues;
  }
  const std::string &notice() const { return ruleNotice; }

  /// The dataset rows of the split, in the order run() visits them.
  const std::vector<uint64_t> &splitRows() const { return loader.rows(); }
  /// One batch's codes as run() hands them on: z is [rows, latents],
  /// row-major, for the split's rows [first, first + rows).
  using CodeSink =
      std::function<void(const float *z, uint64_t first, uint64_t rows)>;
  /// One pass over the split. `onBatch` sees the number of batches done and
  /// the running accumulator after each; `onCodes`, each batch's codes.
  StatusOr<EvalMetrics>
  run(const std::function<void(uint64_t, const EvalAccumulator &)> &onBatch =
          nullptr,
      const CodeSink &onCodes = nullptr);

  /// The passes over the split that compiled metrics block `block` makes.
  unsigned metricsPasses(const std::string &block) const;
  /// Streams the split through compiled metrics block `block`: its init
  /// entry, each pass over every row in order, then finalize; returns the
  /// block's metrics in declaration order. `onBatch` sees the batches done
  /// over all passes. The program must be the one the evaluator was created
  /// with and hold the block (compiledMetricsBlocks).
  StatusOr<std::vector<BlockMetric>>
  runMetricsBlock(const std::string &block,
                  const std::function<void(uint64_t)> &onBatch = nullptr);

private:
  Evaluator(const Dataset &data, DataLoader loader)
      : data(data), loader(std::move(loader)) {}

  /// Loads the next `want` rows of the split into x (and their modality
  /// codes into `modality` and the modality input, when there is one),
  /// resizing the batch first when it differs.
  Status loadBatch(uint64_t want, std::vector<Modality> &modality);

  const Dataset &data;
  DataLoader loader;
  std::unique_ptr<Executor> exec;
  int xIndex = -1, xhatIndex = -1, zIndex = -1, lossIndex = -1,
      modalityIndex = -1;
  uint64_t numLatents = 0;
  uint64_t batchSize = 0;
  double holdout = 0;
  uint64_t seed = 0;
  std::string entryName = "forward";
  SelectionRule selection = SelectionRule::Forward;
  std::vector<std::pair<std::string, double>> thresholdValues;
  std::string ruleNotice;
};

} // namespace prism

#endif // PRISM_RUNTIME_EVALUATOR_H
