//===- Trainer.cpp - The training loop ------------------------------------===//

#include "prism/runtime/Trainer.h"
#include "prism/runtime/AtomicFile.h"
#include "prism/runtime/Checkpoint.h"
#include "prism/runtime/Init.h"
#include "prism/runtime/ProgramInputs.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

using namespace prism;

static const char kCountersName[] = "runtime.samples_since_fired";

//===----------------------------------------------------------------------===//
// The contract
//===----------------------------------------------------------------------===//

static std::string shapeText(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

/// Finds buffer `name` of `kind`; `expected` describes its shape in errors.
static Status findContractBuffer(const ProgramInfo &info,
                                 const std::string &path,
                                 const std::string &name, BufferKind kind,
                                 const std::string &expected, int &index) {
  index = info.findBuffer(name);
  std::string need = std::string(bufferKindName(kind)) + " " + name + expected;
  if (index < 0)
    return Status::error(path, "the program has no buffer '" + name +
                                   "'; train_step needs " + need +
                                   " (docs/formats.md, \"Program entry "
                                   "points\")");
  const BufferInfo &buffer = info.buffers[index];
  if (buffer.kind != kind)
    return Status::error(path, "buffer '" + name + "' is a " +
                                   bufferKindName(buffer.kind) +
                                   " buffer; train_step needs " + need);
  return Status::ok();
}

Status prism::checkTrainContract(const ProgramInfo &info,
                                 const std::string &path) {
  const EntryPointInfo *entry = info.findEntryPoint("train_step");
  if (!entry)
    return Status::error(path, "the program has no entry point 'train_step', "
                               "so it cannot be trained");
  for (const std::string &scalar : entry->scalars)
    if (std::find(std::begin(kTrainScalars), std::end(kTrainScalars), scalar) ==
        std::end(kTrainScalars))
      return Status::error(path, "entry point 'train_step' asks for the "
                                 "scalar '" +
                                     scalar +
                                     "'; the runtime provides lr, "
                                     "bias_correction1 and bias_correction2");
  int x, mask, loss, l0, fired;
  Status status =
      findContractBuffer(info, path, "x", BufferKind::Input, "[-1, d]", x);
  if (status.isOk() &&
      (info.buffers[x].shape.size() != 2 || info.buffers[x].shape[0] != -1 ||
       info.buffers[x].shape[1] <= 0))
    status = Status::error(path, "input 'x' has shape " +
                                     shapeText(info.buffers[x].shape) +
                                     "; train_step needs [-1, d]");
  if (status.isOk())
    status = findContractBuffer(info, path, "dead_mask", BufferKind::ModelState,
                                "[n]", mask);
  if (status.isOk() && info.buffers[mask].shape.size() != 1)
    status = Status::error(path, "buffer 'dead_mask' has shape " +
                                     shapeText(info.buffers[mask].shape) +
                                     "; train_step needs [n]");
  if (status.isOk())
    status = findContractBuffer(info, path, "fired", BufferKind::Output, "[n]",
                                fired);
  if (status.isOk() && info.buffers[fired].shape != info.buffers[mask].shape)
    status = Status::error(path, "buffer 'fired' has shape " +
                                     shapeText(info.buffers[fired].shape) +
                                     ", but 'dead_mask' has shape " +
                                     shapeText(info.buffers[mask].shape));
  for (const char *scalar : {"loss", "l0"}) {
    int *index = std::string(scalar) == "loss" ? &loss : &l0;
    if (status.isOk())
      status = findContractBuffer(info, path, scalar, BufferKind::Output, "[]",
                                  *index);
    if (status.isOk() && info.buffers[*index].numElements(1) != 1)
      status = Status::error(path, std::string("buffer '") + scalar +
                                       "' has shape " +
                                       shapeText(info.buffers[*index].shape) +
                                       "; train_step needs a scalar []");
  }
  return status;
}

//===----------------------------------------------------------------------===//
// Setting up
//===----------------------------------------------------------------------===//

Trainer::Trainer(const Program &program, const Dataset &data,
                 TrainOptions options, TrainPlan plan, DataLoader loader)
    : program(program), data(data), options(std::move(options)),
      settings(std::move(plan)), loader(std::move(loader)),
      tracker(settings.latents, settings.deadWindow) {}

StatusOr<std::unique_ptr<Trainer>>
Trainer::create(const Program &program, const Dataset &data,
                const TrainOptions &options) {
  const ProgramInfo &info = program.info();
  const std::string &path = program.path();
  Status status = checkTrainContract(info, path);
  if (!status.isOk())
    return status;
  status = checkDatasetWidth(info, path, data);
  if (!status.isOk())
    return status;

  TrainConfig config = info.train ? *info.train : TrainConfig();
  TrainPlan plan;
  plan.dim = data.dim();
  plan.latents = static_cast<uint64_t>(
      info.buffers[info.findBuffer("dead_mask")].shape[0]);
  plan.seed = options.seed ? *options.seed : config.seed;
  plan.batch = options.batch      ? *options.batch
               : config.batch > 0 ? static_cast<uint64_t>(config.batch)
                                  : 256;
  plan.holdout = options.holdout;
  plan.mix = options.mix;
  plan.beta1 = config.beta1;
  plan.beta2 = config.beta2;
  plan.deadWindow = config.deadWindow > 0
                        ? static_cast<uint64_t>(config.deadWindow)
                        : kDefaultDeadWindow;

  DataLoaderOptions loaderOptions;
  loaderOptions.batchSize = plan.batch;
  loaderOptions.seed = plan.seed;
  loaderOptions.heldOutFraction = plan.holdout;
  loaderOptions.mixture = plan.mix;
  StatusOr<DataLoader> loader = DataLoader::create(data, loaderOptions);
  if (!loader.isOk())
    return loader.getStatus();
  for (uint64_t row : loader->rows()) {
    plan.imageRows += data.modality(row) == Modality::Image;
    plan.textRows += data.modality(row) == Modality::Text;
  }
  plan.stepsPerEpoch = loader->batchesPerEpoch();

  if (options.steps)
    plan.totalSteps = *options.steps;
  else if (options.epochs)
    plan.totalSteps = *options.epochs * plan.stepsPerEpoch;
  else if (config.steps > 0)
    plan.totalSteps = static_cast<uint64_t>(config.steps);
  else if (config.epochs > 0)
    plan.totalSteps = static_cast<uint64_t>(config.epochs) * plan.stepsPerEpoch;
  if (plan.totalSteps == 0)
    return Status::error(path, "no training length: pass --steps or --epochs "
                               "(the program's train block sets neither)");
  double lr = options.lr ? *options.lr : config.lr;
  StatusOr<LrSchedule> schedule =
      makeLrSchedule(config, lr, plan.totalSteps, plan.stepsPerEpoch, path);
  if (!schedule.isOk())
    return schedule.getStatus();
  plan.schedule = *schedule;

  std::unique_ptr<Trainer> trainer(
      new Trainer(program, data, options, plan, loader.take()));
  StatusOr<std::unique_ptr<Executor>> exec = createExecutor(program);
  if (!exec.isOk())
    return exec.getStatus();
  trainer->exec = exec.take();
  status = trainer->exec->setBatchSize(plan.batch);
  if (!status.isOk())
    return status;
  trainer->xIndex = info.findBuffer("x");
  trainer->maskIndex = info.findBuffer("dead_mask");
  trainer->lossIndex = info.findBuffer("loss");
  trainer->l0Index = info.findBuffer("l0");
  trainer->firedIndex = info.findBuffer("fired");
  trainer->modalityIndex = findModalityInput(info);
  if (trainer->modalityIndex >= 0)
    trainer->batchModality.resize(plan.batch);
  // On a device, the training data stays there when it fits: each step
  // then sends B row numbers instead of B rows.
  std::string why;
  trainer->residentInput = trainer->exec->makeResident(
      trainer->xIndex, data.row(0), data.rows(), data.dim(), why);
  trainer->placement = trainer->residentInput ? "resident" : why;
  if (trainer->residentInput)
    trainer->batchRows.resize(plan.batch);
  trainer->thresholdSlots = findThresholds(info);
  for (const ThresholdSlot &slot : trainer->thresholdSlots)
    trainer->estimates.emplace_back(slot.name);
  return trainer;
}

std::string Trainer::metricsPath() const {
  return options.runDir + "/metrics.jsonl";
}

Status Trainer::initialize() {
  const ProgramInfo &info = exec->info();
  std::vector<float *> storage;
  for (size_t i = 0; i < info.buffers.size(); ++i)
    storage.push_back(exec->buffer(i));
  InitContext context;
  context.runSeed = settings.seed;
  context.dataset = &data;
  context.rows = &loader.rows();
  Status status = initializeParameters(info, storage, context, program.path());
  if (!status.isOk())
    return status;
  tracker.writeMask(exec->buffer(maskIndex));
  if (status = exec->pushState(); !status.isOk())
    return status;
  for (size_t i = 0; i < estimates.size(); ++i)
    estimates[i] = ThresholdEstimate(thresholdSlots[i].name);
  done = 0;
  lossSum = l0Sum = 0;
  sumCount = 0;
  std::ofstream truncate(metricsPath(), std::ios::trunc);
  if (!truncate)
    return Status::error(metricsPath(), "cannot create the metrics file");
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Checkpoints
//===----------------------------------------------------------------------===//

static std::vector<uint64_t> concreteShape(const BufferInfo &buffer) {
  return buffer.concreteShape(0);
}

static bool checkpointed(BufferKind kind) {
  return kind == BufferKind::OptimizerState || kind == BufferKind::ModelState;
}

// The host views of the parameters and optimizer state are current: run()
// pulls them before checking the parameters at every checkpoint step.
Status Trainer::writeCheckpoint() {
  const ProgramInfo &info = exec->info();
  CheckpointData checkpoint;
  CheckpointConfig &config = checkpoint.config;
  bool topk = info.hyper("k").has_value();
  config.architecture = info.findBuffer("threshold") >= 0 ? "jumprelu"
                        : topk                            ? "topk"
                                                          : "standard";
  // A BatchTopK model with its threshold estimated is, at inference, the
  // JumpReLU z = relu(pre) · (pre > θ) with θ the same for every latent: the
  // form SAELens saves BatchTopK SAEs in, and loads as "jumprelu" with a
  // `threshold [d_sae]`. Before θ exists it stays "topk" (per-row top-k).
  std::vector<float> exportedThreshold;
  bool exportThreshold = estimates.size() == 1 && estimates[0].known() &&
                         info.findBuffer("threshold") < 0;
  if (exportThreshold) {
    config.architecture = "jumprelu";
    exportedThreshold.assign(settings.latents,
                             static_cast<float>(estimates[0].value()));
    topk = false;
  }
  config.dIn = settings.dim;
  config.dSae = settings.latents;
  config.model = info.modelName;
  config.step = done;
  config.seed = settings.seed;
  if (settings.mix.active())
    config.mix = settings.mix.str();
  if (topk)
    config.extraJson["k"] =
        std::to_string(static_cast<long long>(std::llround(*info.hyper("k"))));
  for (size_t i = 0; i < info.buffers.size(); ++i) {
    const BufferInfo &buffer = info.buffers[i];
    TensorRef ref{buffer.name, concreteShape(buffer), exec->buffer(i)};
    if (buffer.kind == BufferKind::Parameter)
      checkpoint.weights.push_back(ref);
    else if (checkpointed(buffer.kind))
      checkpoint.state.push_back(ref);
  }
  if (exportThreshold)
    checkpoint.weights.push_back(
        {"threshold", {settings.latents}, exportedThreshold.data()});
  std::vector<float> counters = tracker.encode();
  checkpoint.state.push_back(
      {kCountersName, {2, settings.latents}, counters.data()});
  std::map<std::string, std::string> &meta = checkpoint.stateMetadata;
  meta["step"] = std::to_string(done);
  meta["seed"] = std::to_string(settings.seed);
  meta["batch"] = std::to_string(settings.batch);
  meta["holdout"] = formatMetaDouble(settings.holdout);
  // Only with a mixture, so runs without one write the files they always
  // wrote; "I:T" reads back exactly (Mixture::str).
  if (settings.mix.active())
    meta["mix"] = settings.mix.str();
  meta["total_steps"] = std::to_string(settings.totalSteps);
  meta["loader"] = loader.position().str();
  meta["metrics.loss_sum"] = formatMetaDouble(lossSum);
  meta["metrics.l0_sum"] = formatMetaDouble(l0Sum);
  meta["metrics.count"] = std::to_string(sumCount);
  for (const ThresholdEstimate &estimate : estimates)
    estimate.save(meta);
  CheckpointWriter writer(options.runDir);
  return writer.write(checkpoint);
}

Status Trainer::resume(std::vector<std::string> &warnings) {
  const ProgramInfo &info = exec->info();
  CheckpointExpectation expected;
  for (const BufferInfo &buffer : info.buffers) {
    if (buffer.kind == BufferKind::Parameter)
      expected.weights.push_back({buffer.name, concreteShape(buffer)});
    else if (checkpointed(buffer.kind))
      expected.state.push_back({buffer.name, concreteShape(buffer)});
  }
  expected.state.push_back({kCountersName, {2, settings.latents}});
  StatusOr<Checkpoint> loaded = loadCheckpoint(options.runDir, expected);
  if (!loaded.isOk())
    return loaded.getStatus();
  warnings = loaded->skipped;
  const std::string &where = loaded->directory;
  const std::map<std::string, std::string> &meta = loaded->stateMetadata;

  uint64_t step = 0, seed = 0, batch = 0, count = 0;
  double holdout = 0, lossTotal = 0, l0Total = 0;
  if (!readMeta(meta, "step", step) || !readMeta(meta, "seed", seed) ||
      !readMeta(meta, "batch", batch) || !readMeta(meta, "holdout", holdout) ||
      !readMeta(meta, "metrics.count", count) ||
      !readMeta(meta, "metrics.loss_sum", lossTotal) ||
      !readMeta(meta, "metrics.l0_sum", l0Total) || !meta.count("loader"))
    return Status::error(where, "the checkpoint lacks the training state "
                                "(step, seed, batch, holdout, loader, "
                                "metrics sums); it was not written by "
                                "`prism train`");
  if (seed != settings.seed)
    return Status::error(where, "the run used seed " + std::to_string(seed) +
                                    "; resuming with seed " +
                                    std::to_string(settings.seed) +
                                    " would not continue it (drop --seed)");
  if (batch != settings.batch)
    return Status::error(where, "the run used batch " + std::to_string(batch) +
                                    "; resuming with batch " +
                                    std::to_string(settings.batch) +
                                    " would not continue it (drop --batch)");
  if (holdout != settings.holdout)
    return Status::error(where, "the run held out " + std::to_string(holdout) +
                                    " of the data; resuming with " +
                                    std::to_string(settings.holdout) +
                                    " would not continue it");
  Mixture mix;
  if (meta.count("mix")) {
    std::optional<Mixture> parsed = parseMixture(meta.at("mix"));
    if (!parsed)
      return Status::error(where, "the checkpoint's mix '" + meta.at("mix") +
                                      "' is not I:T with two non-negative "
                                      "numbers, not both zero");
    mix = *parsed;
  }
  if (mix != settings.mix) {
    auto describe = [](const Mixture &m) {
      return m.active() ? "--mix " + m.str() : std::string("no --mix");
    };
    return Status::error(where,
                         "the run used " + describe(mix) + "; resuming with " +
                             describe(settings.mix) + " would not continue it");
  }
  StatusOr<LoaderPosition> position = LoaderPosition::parse(meta.at("loader"));
  if (!position.isOk())
    return Status::error(where, position.getStatus().getMessage());
  Status status = loader.seek(*position);
  if (!status.isOk())
    return status;

  for (size_t i = 0; i < info.buffers.size(); ++i) {
    const BufferInfo &buffer = info.buffers[i];
    const Tensor *tensor =
        buffer.kind == BufferKind::Parameter ? loaded->weight(buffer.name)
        : checkpointed(buffer.kind)          ? loaded->stateTensor(buffer.name)
                                             : nullptr;
    if (tensor)
      std::memcpy(exec->buffer(i), tensor->values.data(),
                  tensor->values.size() * sizeof(float));
  }
  if (status = exec->pushState(); !status.isOk())
    return status;
  status = tracker.decode(loaded->stateTensor(kCountersName)->values, where);
  if (!status.isOk())
    return status;
  for (ThresholdEstimate &estimate : estimates) {
    status = estimate.load(meta, where + "/state.safetensors");
    if (!status.isOk())
      return status;
  }
  tracker.writeMask(exec->buffer(maskIndex));
  done = step;
  lossSum = lossTotal;
  l0Sum = l0Total;
  sumCount = count;

  // Keeps the metrics lines up to the checkpoint: the steps after it run
  // again and log again.
  std::ifstream in(metricsPath());
  std::string kept, line;
  while (std::getline(in, line)) {
    nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
    if (record.is_object() && record.contains("step") &&
        record["step"].is_number_unsigned() &&
        record["step"].get<uint64_t>() <= step)
      kept += line + "\n";
  }
  StatusOr<AtomicFileWriter> writer = AtomicFileWriter::create(metricsPath());
  if (!writer.isOk())
    return writer.getStatus();
  status = writer->write(kept.data(), kept.size());
  return status.isOk() ? writer->commit() : status;
}

//===----------------------------------------------------------------------===//
// The loop
//===----------------------------------------------------------------------===//

static std::string indexText(uint64_t flat,
                             const std::vector<uint64_t> &shape) {
  std::vector<uint64_t> index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    index[d] = flat % shape[d];
    flat /= shape[d];
  }
  std::string text = "[";
  for (size_t d = 0; d < index.size(); ++d)
    text += (d ? ", " : "") + std::to_string(index[d]);
  return text + "]";
}

std::optional<std::string> Trainer::checkParameters() const {
  const ProgramInfo &info = exec->info();
  for (size_t i = 0; i < info.buffers.size(); ++i) {
    const BufferInfo &buffer = info.buffers[i];
    if (buffer.kind != BufferKind::Parameter)
      continue;
    const float *values = exec->buffer(i);
    uint64_t count = buffer.numElements(0);
    for (uint64_t j = 0; j < count; ++j)
      if (!std::isfinite(values[j]))
        return "parameter '" + buffer.name + "' has a non-finite value at " +
               indexText(j, buffer.concreteShape(0));
  }
  return std::nullopt;
}

Status Trainer::appendMetrics(const StepMetrics &metrics) {
  nlohmann::ordered_json line;
  line["step"] = metrics.step;
  line["loss"] = metrics.loss;
  line["l0"] = metrics.l0;
  line["dead_fraction"] = metrics.deadFraction;
  line["lr"] = metrics.lr;
  line["steps_per_s"] = metrics.stepsPerSecond;
  // BatchTopK thresholds, null until estimated.
  for (const ThresholdEstimate &estimate : estimates)
    line[estimate.name()] = estimate.known()
                                ? nlohmann::ordered_json(estimate.value())
                                : nlohmann::ordered_json(nullptr);
  std::ofstream out(metricsPath(), std::ios::app);
  out << line.dump() << "\n";
  out.flush();
  if (!out)
    return Status::error(metricsPath(), "cannot append the metrics line");
  return Status::ok();
}

static std::string nonFiniteName(double value) {
  if (std::isnan(value))
    return "nan";
  return value > 0 ? "inf" : "-inf";
}

StatusOr<TrainReport>
Trainer::run(const std::function<void(const StepMetrics &)> &onStep) {
  using Clock = std::chrono::steady_clock;
  TrainReport report;
  const ProgramInfo &info = exec->info();
  const EntryPointInfo &entry = *info.findEntryPoint("train_step");
  uint64_t end = settings.totalSteps;
  if (options.stopAt && *options.stopAt < end)
    end = std::max(*options.stopAt, done);
  uint64_t logEvery = std::max<uint64_t>(options.logEvery, 1);
  std::vector<float> scalars(entry.scalars.size());
  auto lastLog = Clock::now();
  uint64_t lastLogStep = done;

  while (done < end) {
    uint64_t t = done + 1;
    RowBatchBuffers batch;
    batch.values = residentInput ? nullptr : exec->buffer(xIndex);
    batch.row = residentInput ? batchRows.data() : nullptr;
    if (modalityIndex >= 0)
      batch.modality = batchModality.data();
    uint64_t rows = loader.next(batch);
    if (residentInput)
      exec->setResidentRows(batchRows.data(), rows);
    if (modalityIndex >= 0)
      writeModalityCodes(batchModality.data(), rows,
                         exec->buffer(modalityIndex));
    double lr = settings.schedule.at(t);
    for (size_t i = 0; i < scalars.size(); ++i) {
      const std::string &name = entry.scalars[i];
      double value = name == "lr" ? lr
                     : name == "bias_correction1"
                         ? biasCorrection(settings.beta1, t)
                         : biasCorrection(settings.beta2, t);
      scalars[i] = static_cast<float>(value);
    }
    Status status = exec->run("train_step", scalars);
    if (!status.isOk())
      return status;
    done = t;

    StepMetrics metrics;
    metrics.step = t;
    metrics.lr = lr;
    metrics.loss = *exec->buffer(lossIndex);
    metrics.l0 = *exec->buffer(l0Index);
    if (!std::isfinite(metrics.loss)) {
      report.divergence = "training diverged at step " + std::to_string(t) +
                          ": loss is " + nonFiniteName(metrics.loss);
      break;
    }
    tracker.update(exec->buffer(firedIndex), rows);
    tracker.writeMask(exec->buffer(maskIndex));
    // θ for `infer`: the estimate, rounded to the buffer's float.
    for (size_t i = 0; i < estimates.size(); ++i) {
      const ThresholdSlot &slot = thresholdSlots[i];
      if (estimates[i].observe(t, *exec->buffer(slot.minKeptIndex)) &&
          slot.stateIndex >= 0)
        *exec->buffer(slot.stateIndex) =
            static_cast<float>(estimates[i].value());
    }
    metrics.deadFraction = tracker.deadFraction();
    lossSum += metrics.loss;
    l0Sum += metrics.l0;
    ++sumCount;
    if (onStep)
      onStep(metrics);

    // A stop at --stop-at logs nothing extra: the sums go into the
    // checkpoint, so the resumed run writes the lines an unbroken one would.
    bool log = t % logEvery == 0 || t == settings.totalSteps;
    bool save = t == end ||
                (options.checkpointEvery && t % options.checkpointEvery == 0);
    if (log || save) {
      // A device executor's parameters come to the host views once here,
      // for the check and for the checkpoint below.
      if (status = exec->pullState(); !status.isOk())
        return status;
      if (std::optional<std::string> bad = checkParameters()) {
        report.divergence =
            "training diverged at step " + std::to_string(t) + ": " + *bad;
        break;
      }
    }
    if (log) {
      auto now = Clock::now();
      double seconds = std::chrono::duration<double>(now - lastLog).count();
      StepMetrics logged = metrics;
      logged.loss = lossSum / static_cast<double>(sumCount);
      logged.l0 = l0Sum / static_cast<double>(sumCount);
      logged.stepsPerSecond =
          seconds > 0 ? static_cast<double>(t - lastLogStep) / seconds : 0.0;
      lossSum = l0Sum = 0;
      sumCount = 0;
      lastLog = now;
      lastLogStep = t;
      status = appendMetrics(logged);
      if (!status.isOk())
        return status;
      report.last = logged;
    }
    if (save) {
      auto before = Clock::now();
      status = writeCheckpoint();
      if (!status.isOk())
        return status;
      // steps_per_s measures training, not the fsyncs of a checkpoint.
      lastLog += Clock::now() - before;
    }
  }
  report.step = done;
  report.stopped = !report.divergence && done < settings.totalSteps;
  report.thresholds = estimates;
  return report;
}
