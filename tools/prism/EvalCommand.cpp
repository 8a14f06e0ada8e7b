//===- EvalCommand.cpp - `prism eval` -------------------------------------===//
//
// Resolves the program and the checkpoint (a run directory's latest, or the
// one --checkpoint names), runs the Evaluator over the dataset with a
// progress display, and writes the default metric set as JSON, with a short
// table for people.
//
//===----------------------------------------------------------------------===//

#include "EvalCommand.h"
#include "CommandLine.h"
#include "CompileModel.h"

#include "prism/runtime/AtomicFile.h"
#include "prism/runtime/Checkpoint.h"
#include "prism/runtime/Dataset.h"
#include "prism/runtime/EvalMetrics.h"
#include "prism/runtime/Evaluator.h"
#include "prism/runtime/Program.h"
#include "prism/runtime/Progress.h"
#include "prism/runtime/Support.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace prism;
using namespace prism::cli;

static const char kEvalUsage[] =
    R"(usage: prism eval RUN_DIR|PROGRAM.prism --data DATA [options]

Runs a trained model's `forward` over a dataset, in order and in batches (the
last partial batch included), and reports the default metrics: R² (both
definitions: r2_per_dim and r2_global_scalar), FVU, MSE, L0 and the dead
fraction, over all rows and per modality. A BatchTopK model runs its `infer`
entry point instead, with the threshold the training run estimated, so the
figures do not depend on --batch; before the run has one it keeps the batch
rule and says so. Then every `metrics ... over rows` block compiled into the
program (or into --metrics FILE), streamed over the same rows in the passes
the compiler planned.

options:
  --data DATA             the dataset (.pemb) to evaluate on
  --checkpoint DIR        a checkpoint directory (RUN/checkpoints/step-N) or a
                          run directory (its latest checkpoint); default: the
                          latest checkpoint of RUN_DIR. Needed with a PROGRAM.
  --metrics FILE.sae      also evaluate the metrics blocks of FILE (which
                          imports the run's model, e.g. examples/concepts.sae);
                          compiled with the prismc beside prism for the run's
                          model. Blocks over pairs are not compiled yet.
  --batch B               rows per forward call (default 1024)
  --split all|holdout     every row (default), or only the rows the run held
                          out with `prism train --holdout`
  -o, --json FILE         write the metrics JSON to FILE (and a table to
                          stdout); without it, or with -o -, the JSON goes
                          to stdout

Exit status: 0 when done, 1 on an error.
)";

namespace {

struct EvalArgs {
  std::string source, data, checkpoint, output, metrics;
  uint64_t batch = 1024;
  EvalSplit split = EvalSplit::All;
};

} // namespace

static bool isDirectory(const std::string &path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

static bool endsWith(const std::string &text, const std::string &suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// Parses the arguments; returns -1 to go on, else the exit status.
static int parseEvalArgs(ArgCursor &cursor, EvalArgs &out) {
  while (!cursor.done()) {
    std::string arg = cursor.next(), value;
    if (arg == "--help" || arg == "-h") {
      std::cout << kEvalUsage;
      return Success;
    }
    if (arg.empty() || arg[0] != '-') {
      if (!out.source.empty())
        return cursor.fail("more than one run or program: '" + out.source +
                           "' and '" + arg + "'");
      out.source = arg;
      continue;
    }
    if (!cursor.value(arg, value))
      return UserError;
    if (arg == "--data") {
      out.data = value;
    } else if (arg == "--checkpoint") {
      out.checkpoint = value;
    } else if (arg == "--metrics") {
      out.metrics = value;
    } else if (arg == "-o" || arg == "--json" || arg == "--output") {
      out.output = value;
    } else if (arg == "--batch") {
      char *end = nullptr;
      errno = 0;
      unsigned long long count = value.empty() || value[0] == '-'
                                     ? 0
                                     : std::strtoull(value.c_str(), &end, 10);
      if (value.empty() || value[0] == '-' || errno || *end || !count)
        return cursor.fail(
            "option '--batch' expects a positive integer, got '" + value + "'");
      out.batch = count;
    } else if (arg == "--split") {
      if (value == "all")
        out.split = EvalSplit::All;
      else if (value == "holdout")
        out.split = EvalSplit::HeldOut;
      else
        return cursor.fail("option '--split' expects all or holdout, got '" +
                           value + "'");
    } else {
      return cursor.fail("unknown option '" + arg +
                         "'; see `prism eval --help`");
    }
  }
  if (out.source.empty())
    return cursor.fail("no run: pass RUN_DIR (or PROGRAM.prism with "
                       "--checkpoint)");
  if (out.data.empty())
    return cursor.fail("no dataset: pass --data DATA");
  return -1;
}

//===----------------------------------------------------------------------===//
// Output
//===----------------------------------------------------------------------===//

static nlohmann::ordered_json optionalNumber(const std::optional<double> &v) {
  if (!v || !std::isfinite(*v))
    return nullptr;
  return *v;
}

static nlohmann::ordered_json groupJson(const GroupMetrics &group) {
  const ReconstructionMetrics &r = group.reconstruction;
  const SparsityMetrics &s = group.sparsity;
  nlohmann::ordered_json out;
  out["rows"] = r.rows;
  out["r2_per_dim"] = optionalNumber(r.r2PerDim);
  out["r2_global_scalar"] = optionalNumber(r.r2GlobalScalar);
  out["fvu"] = optionalNumber(r.fvu);
  out["mse"] = optionalNumber(r.mse);
  out["l0"] = optionalNumber(s.l0);
  out["dead_fraction"] = s.deadFraction;
  out["dead_latents"] = s.deadLatents;
  out["latents"] = s.latents;
  return out;
}

static nlohmann::ordered_json definitionsJson() {
  return {
      {"r2_per_dim", "1 - sum ||x - xhat||^2 / sum ||x - xbar||^2, xbar the "
                     "per-dimension mean of the group's rows (SAELens-style)"},
      {"r2_global_scalar",
       "1 - mean((x - xhat)^2) / mean((x - m)^2), m the mean of all entries "
       "of the group's rows"},
      {"fvu", "1 - r2_per_dim"},
      {"mse", "mean over rows and dimensions of (x - xhat)^2"},
      {"l0", "mean number of non-zero entries of z per row"},
      {"dead_fraction",
       "share of latents whose z is zero on every row of the group"},
      {"dead_latents", "number of latents whose z is zero on every row of the "
                       "group"},
      {"loss", "row-weighted mean of the forward entry's per-batch loss"},
  };
}

static std::string fixed(std::optional<double> value, int digits) {
  if (!value || !std::isfinite(*value))
    return "-";
  char text[48];
  std::snprintf(text, sizeof(text), "%.*f", digits, *value);
  return text;
}

static std::string scientific(std::optional<double> value) {
  if (!value || !std::isfinite(*value))
    return "-";
  char text[48];
  std::snprintf(text, sizeof(text), "%.3e", *value);
  return text;
}

static void printRow(std::ostream &out, const char *name,
                     const GroupMetrics &group) {
  const ReconstructionMetrics &r = group.reconstruction;
  const SparsityMetrics &s = group.sparsity;
  char line[256];
  std::snprintf(
      line, sizeof(line),
      "  %-6s %9llu  %10s  %10s  %8s  %10s  %8s  %6.2f%% (%llu/%llu)\n", name,
      static_cast<unsigned long long>(r.rows), fixed(r.r2PerDim, 4).c_str(),
      fixed(r.r2GlobalScalar, 4).c_str(), fixed(r.fvu, 4).c_str(),
      scientific(r.mse).c_str(), fixed(s.l0, 2).c_str(), 100.0 * s.deadFraction,
      static_cast<unsigned long long>(s.deadLatents),
      static_cast<unsigned long long>(s.latents));
  out << line;
}

/// The selection rule as JSON: {"rule", "entry_point", "thresholds"}.
static nlohmann::ordered_json selectionJson(const Evaluator &evaluator) {
  nlohmann::ordered_json out;
  out["rule"] = selectionRuleName(evaluator.rule());
  out["entry_point"] = evaluator.entryPoint();
  out["thresholds"] = nlohmann::ordered_json::object();
  for (const auto &[name, value] : evaluator.thresholds())
    out["thresholds"][name] = value;
  return out;
}

static std::string selectionText(const Evaluator &evaluator) {
  switch (evaluator.rule()) {
  case SelectionRule::Forward:
    return "";
  case SelectionRule::Threshold: {
    std::string text = "BatchTopK threshold";
    for (const auto &[name, value] : evaluator.thresholds()) {
      char number[48];
      std::snprintf(number, sizeof(number), "%.6g", value);
      text += std::string(" ") + name + " = " + number;
    }
    return text + " (entry point infer; codes do not depend on the batch)";
  }
  case SelectionRule::Batch:
    return "BatchTopK batch rule (no threshold yet; codes depend on the batch "
           "of " +
           std::to_string(evaluator.batchRows()) + " rows)";
  }
  return "";
}

static void printTable(std::ostream &out, const std::string &source,
                       const Checkpoint &checkpoint, const std::string &data,
                       const EvalMetrics &metrics, const char *split,
                       const std::string &selection) {
  out << "evaluated " << source << " (step " << checkpoint.config.step
      << ") on " << data << ", split " << split << "\n";
  if (!selection.empty())
    out << "  selection: " << selection << "\n";
  char header[256];
  std::snprintf(header, sizeof(header),
                "  %-6s %9s  %10s  %10s  %8s  %10s  %8s  %s\n", "", "rows",
                "R2 per-dim", "R2 global", "FVU", "MSE", "L0", "dead");
  out << header;
  printRow(out, "all", metrics.all);
  if (metrics.image)
    printRow(out, "image", *metrics.image);
  if (metrics.text)
    printRow(out, "text", *metrics.text);
  if (metrics.loss) {
    char line[64];
    std::snprintf(line, sizeof(line), "  loss %.6g\n", *metrics.loss);
    out << line;
  }
}

static Status writeText(const std::string &path, const std::string &text) {
  // A device or a pipe (/dev/stdout, /dev/null, a FIFO) is written in place:
  // renaming a temporary file over it would replace the device node.
  struct stat info;
  if (::stat(path.c_str(), &info) == 0 && !S_ISREG(info.st_mode)) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    out.flush();
    if (!out)
      return Status::error(path, "cannot write the metrics");
    return Status::ok();
  }
  return writeFileAtomically(path, text);
}

//===----------------------------------------------------------------------===//
// The command
//===----------------------------------------------------------------------===//

static int fail(const Status &status) {
  std::cerr << status.str() << "\n";
  return UserError;
}

/// A metric's values as JSON: a number, or nested arrays by its shape; NaN
/// and infinities as null.
static nlohmann::ordered_json metricJson(const BlockMetric &metric) {
  auto number = [](float v) -> nlohmann::ordered_json {
    if (!std::isfinite(v))
      return nullptr;
    return static_cast<double>(v);
  };
  if (metric.shape.empty())
    return number(metric.values.front());
  uint64_t inner = 1;
  for (size_t i = 1; i < metric.shape.size(); ++i)
    inner *= metric.shape[i];
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (uint64_t r = 0; r < metric.shape[0]; ++r) {
    if (metric.shape.size() == 1) {
      rows.push_back(number(metric.values[r]));
      continue;
    }
    nlohmann::ordered_json row = nlohmann::ordered_json::array();
    for (uint64_t c = 0; c < inner; ++c)
      row.push_back(number(metric.values[r * inner + c]));
    rows.push_back(std::move(row));
  }
  return rows;
}

/// One line per metric of a block: a scalar's value, or an array's shape,
/// how many of its entries are finite and their mean.
static void printBlock(std::ostream &out, const std::string &block,
                       unsigned passes,
                       const std::vector<BlockMetric> &metrics) {
  out << "metrics block '" << block << "' (" << passes
      << (passes == 1 ? " pass" : " passes") << " over the rows):\n";
  for (const BlockMetric &metric : metrics) {
    char line[256];
    if (metric.shape.empty()) {
      std::snprintf(line, sizeof(line), "  %-12s %.6g\n", metric.name.c_str(),
                    static_cast<double>(metric.values.front()));
    } else {
      std::string shape = "[";
      for (size_t i = 0; i < metric.shape.size(); ++i)
        shape += (i ? ", " : "") + std::to_string(metric.shape[i]);
      shape += "]";
      uint64_t finite = metric.finiteCount();
      double sum = metric.finiteSum();
      std::snprintf(line, sizeof(line), "  %-12s %s, %llu finite, mean %s\n",
                    metric.name.c_str(), shape.c_str(),
                    static_cast<unsigned long long>(finite),
                    finite ? std::to_string(sum / finite).c_str() : "-");
    }
    out << line;
  }
}

/// Compiles the metrics file `sae` for `model` into a temporary directory;
/// returns the program's path there.
static StatusOr<std::string> compileMetrics(const std::string &sae,
                                            const std::string &model,
                                            std::string &directory) {
  char pattern[] = "/tmp/prism-eval-XXXXXX";
  if (!::mkdtemp(pattern))
    return Status::error(sae, std::string("cannot create a temporary "
                                          "directory to compile it in: ") +
                                  std::strerror(errno));
  directory = pattern;
  std::string out = directory + "/metrics.prism";
  Status status = compileModel(sae, out, {"-model=" + model});
  if (!status.isOk())
    return status;
  return out;
}

static int runEval(const EvalArgs &args, const std::string &commandLine) {
  std::string programPath, checkpointPath = args.checkpoint;
  if (isDirectory(args.source)) {
    programPath = args.source + "/program.prism";
    if (::access(programPath.c_str(), F_OK) != 0)
      return fail(Status::error(args.source, "not a run directory: it has no "
                                             "program.prism (expected " +
                                                 programPath + ")"));
    if (checkpointPath.empty())
      checkpointPath = args.source;
  } else {
    if (::access(args.source.c_str(), F_OK) != 0)
      return fail(
          Status::error(args.source, "no such run directory or program"));
    if (endsWith(args.source, ".sae"))
      return fail(Status::error(
          args.source, "a .sae model holds no trained weights; evaluate a "
                       "run directory (prism train ... -o RUN_DIR) or a "
                       "compiled program with --checkpoint"));
    programPath = args.source;
    if (checkpointPath.empty())
      return fail(Status::error(args.source,
                                "a program holds no trained weights; pass "
                                "--checkpoint RUN_DIR or --checkpoint "
                                "RUN_DIR/checkpoints/step-N"));
  }

  StatusOr<Program> program = Program::open(programPath);
  if (!program.isOk())
    return fail(program.getStatus());
  // --metrics FILE.sae: the same model compiled with FILE's metrics blocks
  // replaces the run's program (the checkpoint is checked against it).
  std::string scratch;
  struct RemoveScratch {
    std::string &directory;
    ~RemoveScratch() {
      if (directory.empty())
        return;
      ::unlink((directory + "/metrics.prism").c_str());
      ::rmdir(directory.c_str());
    }
  } removeScratch{scratch};
  if (!args.metrics.empty()) {
    std::string metricsProgram = args.metrics;
    if (endsWith(args.metrics, ".sae")) {
      StatusOr<std::string> compiled =
          compileMetrics(args.metrics, program->info().modelName, scratch);
      if (!compiled.isOk())
        return fail(compiled.getStatus());
      metricsProgram = *compiled;
    }
    StatusOr<Program> withMetrics = Program::open(metricsProgram);
    if (!withMetrics.isOk())
      return fail(withMetrics.getStatus());
    if (withMetrics->info().modelName != program->info().modelName)
      return fail(Status::error(args.metrics,
                                "its metrics are for model '" +
                                    withMetrics->info().modelName + "', but " +
                                    programPath + " trains '" +
                                    program->info().modelName + "'"));
    if (compiledMetricsBlocks(withMetrics->info()).empty())
      return fail(
          Status::error(args.metrics, "defines no metrics block over rows for "
                                      "model '" +
                                          program->info().modelName + "'"));
    program = std::move(withMetrics);
    programPath = args.metrics;
  }
  if (Status status = checkEvalContract(program->info(), programPath);
      !status.isOk())
    return fail(status);
  StatusOr<Dataset> data = Dataset::open(args.data);
  if (!data.isOk())
    return fail(data.getStatus());
  StatusOr<Checkpoint> checkpoint =
      loadEvalCheckpoint(program->info(), checkpointPath);
  if (!checkpoint.isOk())
    return fail(checkpoint.getStatus());
  std::vector<std::string> warnings = checkpoint->skipped;
  for (const std::string &warning : warnings)
    std::cerr << "warning: " << warning << "\n";

  EvalOptions options;
  options.batch = args.batch;
  options.split = args.split;
  StatusOr<std::unique_ptr<Evaluator>> created =
      Evaluator::create(*program, *data, *checkpoint, options);
  if (!created.isOk())
    return fail(created.getStatus());
  Evaluator &evaluator = **created;
  if (!evaluator.notice().empty()) {
    std::cerr << "notice: " << evaluator.notice() << "\n";
    warnings.push_back(evaluator.notice());
  }

  StatusOr<EvalMetrics> result = [&] {
    ProgressOptions progressOptions;
    progressOptions.logEvery = std::max<uint64_t>(1, evaluator.batches() / 10);
    ProgressReporter progress(evaluator.batches(), progressOptions);
    return evaluator.run([&](uint64_t batches, const EvalAccumulator &acc) {
      progress.update(batches, std::nullopt, acc.runningL0(),
                      acc.runningDeadFraction());
    });
  }();
  if (!result.isOk())
    return fail(result.getStatus());
  const EvalMetrics &metrics = *result;
  if (metrics.all.reconstruction.nonfiniteRows) {
    std::string warning =
        std::to_string(metrics.all.reconstruction.nonfiniteRows) +
        " rows have a non-finite reconstruction (NaN or Inf in xhat); the "
        "reconstruction metrics are null";
    std::cerr << "warning: " << warning << "\n";
    warnings.push_back(warning);
  }

  // The compiled metrics blocks, over the same rows.
  nlohmann::ordered_json blocks = nlohmann::ordered_json::object();
  std::vector<std::pair<std::string, std::vector<BlockMetric>>> blockResults;
  for (const std::string &block : compiledMetricsBlocks(program->info())) {
    unsigned passes = evaluator.metricsPasses(block);
    ProgressOptions progressOptions;
    progressOptions.logEvery =
        std::max<uint64_t>(1, evaluator.batches() * passes / 10);
    StatusOr<std::vector<BlockMetric>> values = [&] {
      ProgressReporter progress(evaluator.batches() * passes, progressOptions);
      return evaluator.runMetricsBlock(
          block, [&](uint64_t batches) { progress.update(batches); });
    }();
    if (!values.isOk())
      return fail(values.getStatus());
    nlohmann::ordered_json json = nlohmann::ordered_json::object();
    json["passes"] = passes;
    for (const BlockMetric &metric : *values)
      json["metrics"][metric.name] = metricJson(metric);
    blocks[block] = std::move(json);
    blockResults.emplace_back(block, values.take());
  }

  const char *split = args.split == EvalSplit::All ? "all" : "holdout";
  nlohmann::ordered_json out;
  out["schema_version"] = 1;
  out["command"] = commandLine;
  out["program"] = programPath;
  out["checkpoint"] = checkpoint->directory;
  out["step"] = checkpoint->config.step;
  out["model"] = program->info().modelName;
  out["dataset"] = data->path();
  out["split"] = split;
  out["holdout_fraction"] = evaluator.heldOutFraction();
  out["batch"] = args.batch;
  out["rows"] = evaluator.rows();
  out["dim"] = evaluator.dim();
  out["latents"] = evaluator.latents();
  out["selection"] = selectionJson(evaluator);
  out["evaluated_utc"] = utcNow();
  out["metrics"] = groupJson(metrics.all);
  out["metrics"]["loss"] = optionalNumber(metrics.loss);
  out["by_modality"] = nlohmann::ordered_json::object();
  if (metrics.image)
    out["by_modality"]["image"] = groupJson(*metrics.image);
  if (metrics.text)
    out["by_modality"]["text"] = groupJson(*metrics.text);
  out["definitions"] = definitionsJson();
  // Each block's metrics as its .sae file defines them; null where the
  // formula is undefined (0 / 0).
  out["model_metrics"] = blocks;
  out["warnings"] = warnings;
  std::string text = out.dump(2) + "\n";

  if (!args.output.empty() && args.output != "-") {
    if (Status status = writeText(args.output, text); !status.isOk())
      return fail(status);
    printTable(std::cout, args.source, *checkpoint, data->path(), metrics,
               split, selectionText(evaluator));
    for (const auto &[block, values] : blockResults)
      printBlock(std::cout, block, evaluator.metricsPasses(block), values);
    std::cout << "wrote " << args.output << "\n";
  } else {
    if (::isatty(STDERR_FILENO)) {
      printTable(std::cerr, args.source, *checkpoint, data->path(), metrics,
                 split, selectionText(evaluator));
      for (const auto &[block, values] : blockResults)
        printBlock(std::cerr, block, evaluator.metricsPasses(block), values);
    }
    std::cout << text;
  }
  return Success;
}

int prism::cli::runEvalCommand(const std::vector<std::string> &args,
                               const std::string &commandLine) {
  ArgCursor cursor("eval", args);
  EvalArgs parsed;
  int early = parseEvalArgs(cursor, parsed);
  if (early >= 0)
    return early;
  return runEval(parsed, commandLine);
}
