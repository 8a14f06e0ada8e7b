//===- Evaluator.cpp - Running a trained model over a dataset -------------===//

#include "prism/runtime/Evaluator.h"
#include "prism/runtime/BatchThreshold.h"
#include "prism/runtime/Checkpoint.h"
#include "prism/runtime/ProgramInputs.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <sys/stat.h>

using namespace prism;

static std::string shapeText(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

static bool isDirectory(const std::string &path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

static bool contains(const std::vector<uint32_t> &list, uint32_t value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

/// Finds the Output `name` of shape [-1, width] that `forward` writes.
static Status findForwardOutput(const ProgramInfo &info,
                                const EntryPointInfo &forward,
                                const std::string &path,
                                const std::string &name, int &index) {
  index = info.findBuffer(name);
  if (index < 0 || !contains(forward.writes, static_cast<uint32_t>(index)))
    return Status::error(path, "entry point '" + forward.name +
                                   "' does not write '" + name +
                                   "'; evaluation needs Output " + name +
                                   " [-1, " + (name == "z" ? "n" : "d") +
                                   "] (docs/formats.md, \"Program entry "
                                   "points\")");
  const BufferInfo &buffer = info.buffers[index];
  if (buffer.kind != BufferKind::Output)
    return Status::error(path, "buffer '" + name + "' is a " +
                                   bufferKindName(buffer.kind) +
                                   " buffer; evaluation needs it as an Output");
  if (buffer.shape.size() != 2 || buffer.shape[0] != -1 || buffer.shape[1] <= 0)
    return Status::error(
        path, "output '" + name + "' has shape " + shapeText(buffer.shape) +
                  "; evaluation needs [-1, " + (name == "z" ? "n" : "d") + "]");
  return Status::ok();
}

const char *prism::selectionRuleName(SelectionRule rule) {
  switch (rule) {
  case SelectionRule::Forward:
    return "forward";
  case SelectionRule::Threshold:
    return "threshold";
  case SelectionRule::Batch:
    return "batch";
  }
  return "forward";
}

/// The thresholds `infer` reads: its rank-0 ModelState buffers that
/// `forward` does not read.
static std::vector<uint32_t> inferThresholds(const ProgramInfo &info) {
  std::vector<uint32_t> thresholds;
  const EntryPointInfo *infer = info.findEntryPoint("infer");
  const EntryPointInfo *forward = info.findEntryPoint("forward");
  if (!infer || !forward)
    return thresholds;
  for (uint32_t index : infer->reads)
    if (info.buffers[index].kind == BufferKind::ModelState &&
        info.buffers[index].numElements(1) == 1 &&
        !contains(forward->reads, index))
      thresholds.push_back(index);
  return thresholds;
}

Status prism::checkEvaluatedEntry(const ProgramInfo &info,
                                  const std::string &path,
                                  const EntryPointInfo &entry) {
  if (!entry.scalars.empty())
    return Status::error(
        path, "entry point '" + entry.name + "' asks for the scalar '" +
                  entry.scalars.front() + "'; evaluation provides none");
  for (uint32_t index : entry.reads) {
    const BufferInfo &buffer = info.buffers[index];
    if (buffer.kind != BufferKind::Input || buffer.name == "x")
      continue;
    if (buffer.name != "modality")
      return Status::error(path, "entry point '" + entry.name +
                                     "' reads the input '" + buffer.name +
                                     "', which evaluation cannot fill (it "
                                     "fills x and modality)");
    if (buffer.shape != std::vector<int64_t>{-1})
      return Status::error(path, "input 'modality' has shape " +
                                     shapeText(buffer.shape) +
                                     "; evaluation fills it as [-1]");
  }
  return Status::ok();
}

Status prism::checkEvalContract(const ProgramInfo &info,
                                const std::string &path) {
  const EntryPointInfo *forward = info.findEntryPoint("forward");
  if (!forward)
    return Status::error(path, "the program has no entry point 'forward', so "
                               "it cannot be evaluated (prismc -emit=program "
                               "adds one for every model)");
  int x = info.findBuffer("x");
  if (x < 0 || info.buffers[x].kind != BufferKind::Input)
    return Status::error(path, "the program has no Input buffer 'x'; "
                               "evaluation needs x [-1, d]");
  const BufferInfo &input = info.buffers[x];
  if (input.shape.size() != 2 || input.shape[0] != -1 || input.shape[1] <= 0)
    return Status::error(path, "input 'x' has shape " + shapeText(input.shape) +
                                   "; evaluation needs [-1, d]");
  int xhat, z;
  Status status = checkEvaluatedEntry(info, path, *forward);
  if (status.isOk())
    status = findForwardOutput(info, *forward, path, "xhat", xhat);
  if (status.isOk())
    status = findForwardOutput(info, *forward, path, "z", z);
  // The inference forward of BatchTopK models: the same outputs, and no
  // input or scalar that forward does not have.
  if (const EntryPointInfo *infer = info.findEntryPoint("infer");
      infer && status.isOk()) {
    if (Status own = checkEvaluatedEntry(info, path, *infer); !own.isOk())
      return own;
    for (uint32_t index : infer->reads)
      if (info.buffers[index].kind == BufferKind::Input &&
          !contains(forward->reads, index))
        return Status::error(path, "entry point 'infer' reads the input '" +
                                       info.buffers[index].name +
                                       "', which 'forward' does not read");
    status = findForwardOutput(info, *infer, path, "xhat", xhat);
    if (status.isOk())
      status = findForwardOutput(info, *infer, path, "z", z);
  }
  if (status.isOk() && info.buffers[xhat].shape[1] != input.shape[1])
    return Status::error(
        path, "output 'xhat' has shape " + shapeText(info.buffers[xhat].shape) +
                  ", but input 'x' has shape " + shapeText(input.shape));
  return status;
}

StatusOr<Checkpoint> prism::loadEvalCheckpoint(const ProgramInfo &info,
                                               const std::string &path) {
  CheckpointExpectation expected;
  const EntryPointInfo *forward = info.findEntryPoint("forward");
  for (size_t i = 0; i < info.buffers.size(); ++i) {
    const BufferInfo &buffer = info.buffers[i];
    TensorSpec spec{buffer.name, buffer.concreteShape(0)};
    if (buffer.kind == BufferKind::Parameter)
      expected.weights.push_back(spec);
    else if (buffer.kind == BufferKind::ModelState && forward &&
             contains(forward->reads, static_cast<uint32_t>(i)))
      expected.state.push_back(spec);
  }
  struct stat entry;
  // A run directory, with or without checkpoints: loadCheckpoint says which.
  if (isDirectory(path + "/checkpoints") ||
      ::stat((path + "/program.prism").c_str(), &entry) == 0)
    return loadCheckpoint(path, expected);
  if (::stat(path.c_str(), &entry) != 0)
    return Status::error(path, "no such checkpoint or run directory");
  if (!isDirectory(path) ||
      ::stat((path + "/manifest.json").c_str(), &entry) != 0)
    return Status::error(path, "neither a checkpoint directory (it has no "
                               "manifest.json) nor a run directory (it has "
                               "no checkpoints/)");
  return loadCheckpointDirectory(path, expected);
}

StatusOr<std::unique_ptr<Evaluator>>
Evaluator::create(const Program &program, const Dataset &data,
                  const Checkpoint &checkpoint, const EvalOptions &options) {
  const ProgramInfo &info = program.info();
  const std::string &path = program.path();
  Status status = checkEvalContract(info, path);
  if (!status.isOk())
    return status;
  status = checkDatasetWidth(info, path, data);
  if (!status.isOk())
    return status;
  if (options.batch == 0)
    return Status::error(path, "the batch size must be positive");

  DataLoaderOptions loaderOptions;
  loaderOptions.shuffle = false;
  loaderOptions.dropLast = false;
  double holdout = 0;
  uint64_t seed = 0;
  if (options.split == EvalSplit::HeldOut) {
    const std::string where = checkpoint.directory + "/state.safetensors";
    if (!readMeta(checkpoint.stateMetadata, "holdout", holdout) ||
        !readMeta(checkpoint.stateMetadata, "seed", seed))
      return Status::error(where, "the checkpoint does not record the run's "
                                  "held-out split (holdout and seed); "
                                  "evaluate --split all");
    if (holdout <= 0)
      return Status::error(where, "the run held nothing out (trained "
                                  "without --holdout); evaluate --split all");
    loaderOptions.heldOutFraction = holdout;
    loaderOptions.seed = seed;
    loaderOptions.split = DataSplit::HeldOut;
  }
  // Sized to the split, so a large --batch on a small set allocates no more
  // than the rows.
  loaderOptions.batchSize = options.batch;
  StatusOr<DataLoader> probe = DataLoader::create(data, loaderOptions);
  if (!probe.isOk())
    return probe.getStatus();
  loaderOptions.batchSize =
      std::min<uint64_t>(options.batch, probe->rows().size());
  StatusOr<DataLoader> loader = DataLoader::create(data, loaderOptions);
  if (!loader.isOk())
    return loader.getStatus();

  std::unique_ptr<Evaluator> evaluator(new Evaluator(data, loader.take()));
  evaluator->batchSize = loaderOptions.batchSize;
  evaluator->holdout = holdout;
  evaluator->seed = seed;
  StatusOr<std::unique_ptr<Executor>> exec = createExecutor(program);
  if (!exec.isOk())
    return exec.getStatus();
  evaluator->exec = exec.take();
  Executor &executor = *evaluator->exec;

  // The checkpoint's parameters and model state, by name; loadEvalCheckpoint
  // has checked the shapes, but a checkpoint from elsewhere may not have.
  for (size_t i = 0; i < info.buffers.size(); ++i) {
    const BufferInfo &buffer = info.buffers[i];
    const Tensor *tensor = buffer.kind == BufferKind::Parameter
                               ? checkpoint.weight(buffer.name)
                           : buffer.kind == BufferKind::ModelState
                               ? checkpoint.stateTensor(buffer.name)
                               : nullptr;
    if (!tensor) {
      if (buffer.kind == BufferKind::Parameter)
        return Status::error(checkpoint.directory + "/sae_weights.safetensors",
                             "no tensor '" + buffer.name +
                                 "', a parameter of " + path);
      continue;
    }
    if (tensor->values.size() != buffer.numElements(0))
      return Status::error(checkpoint.directory,
                           "tensor '" + buffer.name + "' has " +
                               std::to_string(tensor->values.size()) +
                               " values; " + path + " expects " +
                               std::to_string(buffer.numElements(0)));
    std::memcpy(executor.buffer(i), tensor->values.data(),
                tensor->values.size() * sizeof(float));
  }
  if (Status pushed = executor.pushState(); !pushed.isOk())
    return pushed;
  // BatchTopK: the inference forward when the checkpoint has every θ.
  std::vector<uint32_t> thresholds = inferThresholds(info);
  if (!thresholds.empty()) {
    std::vector<std::pair<std::string, double>> values;
    std::string missing;
    for (uint32_t index : thresholds) {
      const std::string &name = info.buffers[index].name;
      ThresholdEstimate estimate(name);
      const Tensor *tensor = checkpoint.stateTensor(name);
      Status loaded =
          estimate.load(checkpoint.stateMetadata,
                        checkpoint.directory + "/state.safetensors");
      if (loaded.isOk() && estimate.known() && tensor &&
          tensor->values.size() == 1)
        values.push_back({name, tensor->values[0]});
      else
        missing += (missing.empty() ? "'" : ", '") + name + "'";
    }
    if (missing.empty()) {
      evaluator->entryName = "infer";
      evaluator->selection = SelectionRule::Threshold;
      evaluator->thresholdValues = std::move(values);
    } else {
      evaluator->selection = SelectionRule::Batch;
      evaluator->ruleNotice =
          checkpoint.directory + ": the BatchTopK threshold " + missing +
          " is not estimated yet (training estimates it after a warm-up of " +
          std::to_string(kThresholdWarmupSteps) +
          " steps; this checkpoint is at step " +
          std::to_string(checkpoint.config.step) +
          "), so evaluation keeps the batch rule: each code depends on the "
          "other rows of its --batch";
    }
  }
  evaluator->xIndex = info.findBuffer("x");
  evaluator->xhatIndex = info.findBuffer("xhat");
  evaluator->zIndex = info.findBuffer("z");
  evaluator->numLatents =
      static_cast<uint64_t>(info.buffers[evaluator->zIndex].shape[1]);
  evaluator->modalityIndex = findModalityInput(info);
  int loss = info.findBuffer("loss");
  const EntryPointInfo &forward = *info.findEntryPoint(evaluator->entryName);
  if (loss >= 0 && info.buffers[loss].kind == BufferKind::Output &&
      info.buffers[loss].numElements(1) == 1 &&
      contains(forward.writes, static_cast<uint32_t>(loss)))
    evaluator->lossIndex = loss;
  return evaluator;
}

Status Evaluator::loadBatch(uint64_t want, std::vector<Modality> &modality) {
  // The last partial batch re-sizes the batch buffers once.
  if (exec->batchSize() != want) {
    Status status = exec->setBatchSize(want);
    if (!status.isOk())
      return status;
  }
  uint64_t got =
      loader.next({exec->buffer(xIndex), modality.data(), nullptr, nullptr});
  if (got != want)
    return Status::error(data.path(),
                         "the data loader returned " + std::to_string(got) +
                             " rows, expected " + std::to_string(want));
  // Models that filter or select by modality read its code per row.
  if (modalityIndex >= 0)
    writeModalityCodes(modality.data(), got, exec->buffer(modalityIndex));
  return Status::ok();
}

StatusOr<EvalMetrics> Evaluator::run(
    const std::function<void(uint64_t, const EvalAccumulator &)> &onBatch,
    const CodeSink &onCodes) {
  EvalAccumulator accumulator(data.dim(), numLatents);
  uint64_t total = rows(), done = 0, batch = 0;
  std::vector<Modality> modality(batchSize);
  while (done < total) {
    uint64_t got = std::min(batchSize, total - done);
    Status status = loadBatch(got, modality);
    if (status.isOk())
      status = exec->run(entryName, {});
    if (!status.isOk())
      return status;
    std::optional<double> loss;
    if (lossIndex >= 0)
      loss = *exec->buffer(lossIndex);
    accumulator.add(exec->buffer(xIndex), exec->buffer(xhatIndex),
                    exec->buffer(zIndex), got, modality.data(), loss);
    if (onCodes)
      onCodes(exec->buffer(zIndex), done, got);
    done += got;
    ++batch;
    if (onBatch)
      onBatch(batch, accumulator);
  }
  return accumulator.finalize();
}
