//===- AnalyzeRun.cpp - One trained run under `prism analyze` -------------===//

#include "AnalyzeRun.h"

#include "prism/runtime/DataLoader.h"
#include "prism/runtime/Evaluator.h"
#include "prism/runtime/Program.h"
#include "prism/runtime/Progress.h"

#include <algorithm>
#include <iostream>
#include <memory>
#include <sys/stat.h>

using namespace prism;
using namespace prism::analyze;

StatusOr<DataPairs> prism::analyze::alignedPairs(const Dataset &data) {
  DataPairs out;
  if (data.numPairs() == 0)
    return out;
  DataLoaderOptions options;
  options.shuffle = false;
  options.dropLast = false;
  options.batchSize = 1024;
  StatusOr<PairLoader> loader = PairLoader::create(data, options);
  if (!loader.isOk())
    return loader.getStatus();
  uint64_t total = loader->pairsPerEpoch();
  std::vector<int64_t> ids(options.batchSize);
  std::vector<uint64_t> image(options.batchSize), text(options.batchSize);
  while (out.rows.size() < total) {
    uint64_t got =
        loader->next({nullptr, nullptr, ids.data(), image.data(), text.data()});
    if (got == 0)
      break;
    for (uint64_t p = 0; p < got; ++p) {
      out.rows.push_back({image[p], text[p]});
      out.ids.push_back(ids[p]);
    }
  }
  return out;
}

static std::string lastComponent(std::string path) {
  while (path.size() > 1 && path.back() == '/')
    path.pop_back();
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

StatusOr<RunAnalysis> prism::analyze::analyzeRun(const std::string &path,
                                                 const Dataset &data,
                                                 const DataPairs &pairs,
                                                 const RunOptions &options) {
  std::string programPath = path + "/program.prism";
  struct stat info;
  if (::stat(path.c_str(), &info) != 0 || !S_ISDIR(info.st_mode))
    return Status::error(path, "no such run directory");
  if (::stat(programPath.c_str(), &info) != 0)
    return Status::error(path, "not a run directory: it has no program.prism "
                               "(expected " +
                                   programPath + ")");
  StatusOr<Program> program = Program::open(programPath);
  if (!program.isOk())
    return program.getStatus();
  if (Status status = checkEvalContract(program->info(), programPath);
      !status.isOk())
    return status;
  StatusOr<Checkpoint> checkpoint = loadEvalCheckpoint(program->info(), path);
  if (!checkpoint.isOk())
    return checkpoint.getStatus();

  RunAnalysis run;
  run.name = lastComponent(path);
  run.path = path;
  run.model = program->info().modelName;
  run.architecture = checkpoint->config.architecture;
  run.step = checkpoint->config.step;
  run.seed = checkpoint->config.seed;
  run.notices = checkpoint->skipped;

  EvalOptions evalOptions;
  evalOptions.batch = options.batch;
  StatusOr<std::unique_ptr<Evaluator>> created =
      Evaluator::create(*program, data, *checkpoint, evalOptions);
  if (!created.isOk())
    return created.getStatus();
  Evaluator &evaluator = **created;
  if (!evaluator.notice().empty())
    run.notices.push_back(evaluator.notice());
  run.selection = selectionRuleName(evaluator.rule());
  run.latents = evaluator.latents();
  const Tensor *decoder = checkpoint->weight("W_dec");
  const std::string weights =
      checkpoint->directory + "/sae_weights.safetensors";
  if (!decoder)
    return Status::error(weights, "no tensor 'W_dec': concept analysis needs "
                                  "the decoder's rows as the concepts");
  if (decoder->shape.size() != 2 || decoder->shape[1] != data.dim())
    return Status::error(
        weights, "tensor 'W_dec' should be [d_sae, " +
                     std::to_string(data.dim()) + "] for " + data.path() +
                     ", but it has " + std::to_string(decoder->shape.size()) +
                     " dimensions" +
                     (decoder->shape.size() == 2
                          ? " and width " + std::to_string(decoder->shape[1])
                          : std::string()));
  run.decoder = *decoder;
  if (run.latents != decoder->shape[0])
    return Status::error(weights, "tensor 'W_dec' has " +
                                      std::to_string(decoder->shape[0]) +
                                      " rows, but the program's code z has " +
                                      std::to_string(run.latents) + " latents");

  // Codes come in the split's order; with every row in it, that is the
  // data's order, which the pairs index.
  const std::vector<uint64_t> &order = evaluator.splitRows();
  for (uint64_t r = 0; r < order.size(); ++r)
    if (order[r] != r)
      return Status::error(data.path(), "evaluation visited row " +
                                            std::to_string(order[r]) +
                                            " as row " + std::to_string(r));
  run.codes = SparseCodes(run.latents);
  StatusOr<EvalMetrics> metrics = [&] {
    ProgressOptions progressOptions;
    progressOptions.logEvery = std::max<uint64_t>(1, evaluator.batches() / 4);
    ProgressReporter progress(evaluator.batches(), progressOptions);
    return evaluator.run(
        [&](uint64_t batches, const EvalAccumulator &acc) {
          progress.update(batches, std::nullopt, acc.runningL0(),
                          acc.runningDeadFraction());
        },
        [&](const float *z, uint64_t, uint64_t rows) {
          run.codes.appendDense(z, rows);
        });
  }();
  if (!metrics.isOk())
    return metrics.getStatus();
  run.metrics = metrics.take();
  for (const std::string &block : compiledMetricsBlocks(program->info())) {
    StatusOr<std::vector<BlockMetric>> values =
        evaluator.runMetricsBlock(block);
    if (!values.isOk())
      return values.getStatus();
    run.modelMetrics.emplace_back(block, values.take());
  }

  std::vector<Modality> modality(data.rows());
  for (uint64_t r = 0; r < data.rows(); ++r)
    modality[r] = data.modality(r);
  StatusOr<ConceptStats> stats = conceptStats(run.codes, modality);
  if (!stats.isOk())
    return stats.getStatus();
  run.stats = stats.take();

  if (!pairs.rows.empty()) {
    StatusOr<BridgeAnalysis> bridge = BridgeAnalysis::create(
        run.codes, pairs.rows, run.decoder.values.data(), data.dim());
    if (!bridge.isOk())
      return bridge.getStatus();
    run.bridge = bridge.take();
  }
  return run;
}
