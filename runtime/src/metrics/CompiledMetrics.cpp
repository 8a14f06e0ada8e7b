//===- CompiledMetrics.cpp - Running a compiled metrics block -------------===//
//
// A `metrics` block compiles into entry points (prismc's -sae-plan-metrics):
// metrics.B.init sets its accumulators, metrics.B.passP folds one batch into
// them, metrics.B.finalize writes the Outputs metrics.B.NAME. The runtime
// only calls them in order over the split; what is summed, counted or
// maximised, and in which pass, the compiler decided.
//
//===----------------------------------------------------------------------===//

#include "prism/runtime/Evaluator.h"

#include <cmath>

using namespace prism;

static const char kPrefix[] = "metrics.";
static const char kFinalize[] = ".finalize";

static std::string metricsEntry(const std::string &block,
                                const std::string &what) {
  return kPrefix + block + "." + what;
}

std::vector<std::string> prism::compiledMetricsBlocks(const ProgramInfo &info) {
  const size_t prefix = sizeof(kPrefix) - 1, suffix = sizeof(kFinalize) - 1;
  std::vector<std::string> blocks;
  for (const EntryPointInfo &entry : info.entryPoints) {
    const std::string &name = entry.name;
    if (name.size() > prefix + suffix &&
        name.compare(0, prefix, kPrefix) == 0 &&
        name.compare(name.size() - suffix, suffix, kFinalize) == 0)
      blocks.push_back(name.substr(prefix, name.size() - prefix - suffix));
  }
  return blocks;
}

unsigned Evaluator::metricsPasses(const std::string &block) const {
  unsigned passes = 0;
  while (
      exec->hasEntryPoint(metricsEntry(block, "pass" + std::to_string(passes))))
    ++passes;
  return passes;
}

/// Checks that entry point `name` exists and can run under evaluation.
static Status checkMetricsEntry(const ProgramInfo &info,
                                const std::string &path,
                                const std::string &name) {
  const EntryPointInfo *entry = info.findEntryPoint(name);
  if (!entry)
    return Status::error(path, "the program has no entry point '" + name +
                                   "' (a compiled metrics block has init, "
                                   "pass0 and finalize entry points)");
  return checkEvaluatedEntry(info, path, *entry);
}

uint64_t BlockMetric::finiteCount() const {
  uint64_t count = 0;
  for (float v : values)
    count += std::isfinite(v) ? 1 : 0;
  return count;
}

double BlockMetric::finiteSum() const {
  double sum = 0;
  for (float v : values)
    if (std::isfinite(v))
      sum += v;
  return sum;
}

StatusOr<std::vector<BlockMetric>>
Evaluator::runMetricsBlock(const std::string &block,
                           const std::function<void(uint64_t)> &onBatch) {
  const ProgramInfo &info = exec->info();
  const std::string &path = exec->path();
  const unsigned passes = metricsPasses(block);
  std::vector<std::string> entries = {metricsEntry(block, "init")};
  for (unsigned pass = 0; pass < passes; ++pass)
    entries.push_back(metricsEntry(block, "pass" + std::to_string(pass)));
  entries.push_back(metricsEntry(block, "finalize"));
  for (const std::string &entry : entries)
    if (Status status = checkMetricsEntry(info, path, entry); !status.isOk())
      return status;

  Status status = exec->run(entries.front(), {});
  uint64_t batches = 0;
  std::vector<Modality> modality(batchSize);
  for (unsigned pass = 0; pass < passes && status.isOk(); ++pass) {
    const std::string &entry = entries[1 + pass];
    for (uint64_t done = 0, total = rows(); done < total && status.isOk();) {
      uint64_t want = std::min(batchSize, total - done);
      status = loadBatch(want, modality);
      if (status.isOk())
        status = exec->run(entry, {});
      done += want;
      if (onBatch && status.isOk())
        onBatch(++batches);
    }
  }
  if (status.isOk())
    status = exec->run(entries.back(), {});
  if (!status.isOk())
    return status;

  std::vector<BlockMetric> metrics;
  const std::string prefix = metricsEntry(block, "");
  for (uint32_t index : info.findEntryPoint(entries.back())->writes) {
    const BufferInfo &buffer = info.buffers[index];
    if (buffer.kind != BufferKind::Output ||
        buffer.name.compare(0, prefix.size(), prefix) != 0)
      continue;
    BlockMetric metric;
    metric.name = buffer.name.substr(prefix.size());
    metric.shape = exec->shape(index);
    const float *values = exec->buffer(index);
    metric.values.assign(values, values + exec->numElements(index));
    metrics.push_back(std::move(metric));
  }
  return metrics;
}
