//===- TrainCommand.cpp - `prism train` -----------------------------------===//
//
// Resolves the program (compiling a .sae with the `prismc` installed beside
// `prism`), then runs the Trainer with a progress display and records the run
// in RUN_DIR/run.json.
//
//===----------------------------------------------------------------------===//

#include "TrainCommand.h"
#include "CommandLine.h"
#include "CompileModel.h"

#include "prism/runtime/AtomicFile.h"
#include "prism/runtime/Checkpoint.h"
#include "prism/runtime/Dataset.h"
#include "prism/runtime/Executor.h"
#include "prism/runtime/Program.h"
#include "prism/runtime/Progress.h"
#include "prism/runtime/Support.h"
#include "prism/runtime/Trainer.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <spawn.h>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

using namespace prism;
using namespace prism::cli;

static const char kTrainUsage[] =
    R"(usage: prism train MODEL.sae|PROGRAM.prism --data DATA [options] -o RUN_DIR

Trains a sparse autoencoder on an embedding dataset. A .sae model is compiled
first by the `prismc` installed beside `prism` (into RUN_DIR/program.prism);
a compiled program is copied there.

options (unset ones come from the model's train block):
  --data DATA             the dataset (.pemb) to train on
  --steps N               train for N steps
  --epochs E              train for E epochs (E x batches per epoch steps)
  --batch B               rows per step (default: the train block, else 256)
  --seed S                seed of the initialisers and the batch order
  --lr X                  peak learning rate
  --holdout FRAC          hold out this fraction of the pairs (default 0)
  --mix I:T               train on image and text rows in the ratio I:T
                          (e.g. 1:1, 3:1, 1:0): all rows of the modality
                          that limits the ratio, a seeded random subset of
                          the other; needs every row to be image or text
  --log-every N           append to RUN_DIR/metrics.jsonl every N steps (100)
  --checkpoint-every N    write a checkpoint every N steps (default: at the
                          end only)
  --stop-at N             stop after step N with a checkpoint, keeping the
                          schedule of the whole run; continue with --resume
  --resume                continue RUN_DIR from its latest checkpoint
  --target T              where to run: cpu (default), cuda (an NVIDIA GPU;
                          the model compiles to CUDA kernels), or auto (the
                          GPU when one answers, else the CPU with a notice)
  -o, --output RUN_DIR    the run directory

Exit status: 0 when done, 1 on an error, 2 when training diverged (a NaN or
Inf loss or parameter; the last good checkpoint is kept).
)";

namespace {

struct TrainArgs {
  std::string model, data, runDir, target = "cpu";
  TrainOptions options;
  bool resume = false;
};

/// A run of `prism train` from the arguments to run.json.
class TrainRun {
public:
  TrainRun(TrainArgs args, std::string commandLine)
      : args(std::move(args)), commandLine(std::move(commandLine)) {}
  int execute();

private:
  int fail(const Status &status) const {
    std::cerr << status.str() << "\n";
    return UserError;
  }
  /// Checks that a GPU answers for --target cuda, and settles auto for a
  /// model (a compiled program keeps its own target: loadProgram).
  Status resolveTarget();
  /// RUN_DIR/program.prism: the model compiled for the target, or the
  /// program copied there and checked against it.
  StatusOr<Program> loadProgram(std::string &programPath);
  Status writeRunJson(const Trainer &trainer, const TrainReport &report,
                      const std::string &programPath, uint64_t startStep);

  TrainArgs args;
  /// Whether a GPU answers (resolveTarget asks for cuda and auto), and
  /// why not.
  bool gpu = false;
  std::string noGpu;
  std::string commandLine;
  std::string started;
};

} // namespace

//===----------------------------------------------------------------------===//
// Arguments
//===----------------------------------------------------------------------===//

static bool parseCount(ArgCursor &cursor, const std::string &option,
                       const std::string &text, uint64_t &out,
                       bool allowZero = false) {
  char *end = nullptr;
  errno = 0;
  unsigned long long value = text.empty() || text[0] == '-'
                                 ? 0
                                 : std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || text[0] == '-' || errno || *end ||
      (!allowZero && !value)) {
    cursor.fail("option '" + option + "' expects a " +
                (allowZero ? "non-negative" : "positive") + " integer, got '" +
                text + "'");
    return false;
  }
  out = value;
  return true;
}

static bool parseNumber(ArgCursor &cursor, const std::string &option,
                        const std::string &text, double &out) {
  char *end = nullptr;
  out = std::strtod(text.c_str(), &end);
  if (text.empty() || *end || !std::isfinite(out)) {
    cursor.fail("option '" + option + "' expects a number, got '" + text + "'");
    return false;
  }
  return true;
}

/// Parses the arguments; returns -1 to go on, else the exit status.
static int parseTrainArgs(ArgCursor &cursor, TrainArgs &out) {
  bool haveSteps = false, haveEpochs = false;
  while (!cursor.done()) {
    std::string arg = cursor.next(), value;
    if (arg == "--help" || arg == "-h") {
      std::cout << kTrainUsage;
      return Success;
    }
    if (arg == "--resume") {
      out.resume = true;
      continue;
    }
    if (arg.empty() || arg[0] != '-') {
      if (!out.model.empty())
        return cursor.fail("more than one model: '" + out.model + "' and '" +
                           arg + "'");
      out.model = arg;
      continue;
    }
    if (!cursor.value(arg, value))
      return UserError;
    uint64_t count = 0;
    double number = 0;
    if (arg == "--data") {
      out.data = value;
    } else if (arg == "-o" || arg == "--output") {
      out.runDir = value;
    } else if (arg == "--target") {
      out.target = value;
    } else if (arg == "--steps" || arg == "--epochs" || arg == "--batch" ||
               arg == "--log-every" || arg == "--checkpoint-every" ||
               arg == "--stop-at") {
      if (!parseCount(cursor, arg, value, count))
        return UserError;
      if (arg == "--steps")
        out.options.steps = count, haveSteps = true;
      else if (arg == "--epochs")
        out.options.epochs = count, haveEpochs = true;
      else if (arg == "--batch")
        out.options.batch = count;
      else if (arg == "--log-every")
        out.options.logEvery = count;
      else if (arg == "--checkpoint-every")
        out.options.checkpointEvery = count;
      else
        out.options.stopAt = count;
    } else if (arg == "--seed") {
      if (!parseCount(cursor, arg, value, count, /*allowZero=*/true))
        return UserError;
      out.options.seed = count;
    } else if (arg == "--lr") {
      if (!parseNumber(cursor, arg, value, number))
        return UserError;
      if (number <= 0)
        return cursor.fail("option '--lr' expects a positive number, got '" +
                           value + "'");
      out.options.lr = number;
    } else if (arg == "--holdout") {
      if (!parseNumber(cursor, arg, value, number))
        return UserError;
      if (number < 0 || number >= 1)
        return cursor.fail("option '--holdout' expects a fraction in [0, 1), "
                           "got '" +
                           value + "'");
      out.options.holdout = number;
    } else if (arg == "--mix") {
      std::optional<Mixture> mix = parseMixture(value);
      if (!mix)
        return cursor.fail("option '--mix' expects I:T, two non-negative "
                           "numbers not both zero, got '" +
                           value + "'");
      out.options.mix = *mix;
    } else {
      return cursor.fail("unknown option '" + arg +
                         "'; see `prism train --help`");
    }
  }
  if (out.model.empty())
    return cursor.fail("no model: pass MODEL.sae or PROGRAM.prism");
  if (out.data.empty())
    return cursor.fail("no dataset: pass --data DATA");
  if (out.runDir.empty())
    return cursor.fail("no run directory: pass -o RUN_DIR");
  if (haveSteps && haveEpochs)
    return cursor.fail("--steps and --epochs are exclusive");
  if (out.target != "cpu" && out.target != "cuda" && out.target != "auto")
    return cursor.fail("unknown target '" + out.target +
                       "' (expected cpu, cuda or auto)");
  out.options.runDir = out.runDir;
  return -1;
}

//===----------------------------------------------------------------------===//
// The program
//===----------------------------------------------------------------------===//

static bool endsWith(const std::string &text, const std::string &suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

static Status makeDirectories(const std::string &path) {
  std::string prefix;
  std::stringstream parts(path);
  std::string part;
  if (!path.empty() && path[0] == '/')
    prefix = "/";
  while (std::getline(parts, part, '/')) {
    if (part.empty())
      continue;
    prefix += part + "/";
    if (::mkdir(prefix.c_str(), 0777) != 0 && errno != EEXIST)
      return Status::error(path, std::string("cannot create the run "
                                             "directory: ") +
                                     std::strerror(errno));
  }
  struct stat info;
  if (::stat(path.c_str(), &info) != 0 || !S_ISDIR(info.st_mode))
    return Status::error(path, "not a directory");
  return Status::ok();
}

static Status copyFile(const std::string &from, const std::string &to) {
  std::ifstream in(from, std::ios::binary);
  if (!in)
    return Status::error(from,
                         std::string("cannot open: ") + std::strerror(errno));
  std::stringstream bytes;
  bytes << in.rdbuf();
  std::string text = bytes.str();
  StatusOr<AtomicFileWriter> writer = AtomicFileWriter::create(to);
  if (!writer.isOk())
    return writer.getStatus();
  Status status = writer->write(text.data(), text.size());
  return status.isOk() ? writer->commit() : status;
}

static bool sameFile(const std::string &a, const std::string &b) {
  struct stat x, y;
  return ::stat(a.c_str(), &x) == 0 && ::stat(b.c_str(), &y) == 0 &&
         x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

Status TrainRun::resolveTarget() {
  if (args.target == "cpu")
    return Status::ok();
  gpu = cudaAvailable(noGpu);
  if (args.target == "cuda")
    return gpu ? Status::ok() : Status::error("", "--target cuda: " + noGpu);
  if (!endsWith(args.model, ".sae"))
    return Status::ok();
  if (gpu) {
    args.target = "cuda";
  } else {
    std::cerr << "notice: --target auto: " << noGpu
              << "; training on the CPU\n";
    args.target = "cpu";
  }
  return Status::ok();
}

StatusOr<Program> TrainRun::loadProgram(std::string &programPath) {
  programPath = args.runDir + "/program.prism";
  if (endsWith(args.model, ".sae")) {
    Status status = compileModel(args.model, programPath,
                                 args.target == "cuda"
                                     ? std::vector<std::string>{"-target=cuda"}
                                     : std::vector<std::string>{});
    if (!status.isOk())
      return status;
    return Program::open(programPath);
  }
  Status status = sameFile(args.model, programPath)
                      ? Status::ok()
                      : copyFile(args.model, programPath);
  if (!status.isOk())
    return status;
  StatusOr<Program> program = Program::open(programPath);
  if (!program.isOk())
    return program;
  bool cuda = program->info().target == ProgramTarget::Cuda;
  if (args.target == "auto") {
    if (cuda && !gpu)
      return Status::error(args.model, "a CUDA program, and " + noGpu);
    args.target = cuda ? "cuda" : "cpu";
  }
  if (cuda != (args.target == "cuda"))
    return Status::error(args.model,
                         std::string("a ") + (cuda ? "CUDA" : "CPU") +
                             " program, but the target is " + args.target +
                             " (compile the model with prismc -emit=program "
                             "-target=" +
                             args.target + ", or pass --target " +
                             (cuda ? "cuda" : "cpu") + ")");
  return program;
}

//===----------------------------------------------------------------------===//
// The run
//===----------------------------------------------------------------------===//

Status TrainRun::writeRunJson(const Trainer &trainer, const TrainReport &report,
                              const std::string &programPath,
                              uint64_t startStep) {
  const TrainPlan &plan = trainer.plan();
  nlohmann::ordered_json run;
  run["schema_version"] = 1;
  run["command"] = commandLine;
  run["model"] = args.model;
  run["program"] = programPath;
  run["dataset"] = args.data;
  run["target"] = trainer.executor().targetName();
  run["device"] = trainer.executor().deviceDescription();
  run["data_placement"] = trainer.dataPlacement();
  run["seed"] = plan.seed;
  run["batch"] = plan.batch;
  run["steps"] = plan.totalSteps;
  run["steps_per_epoch"] = plan.stepsPerEpoch;
  run["lr"] = plan.schedule.lr;
  run["holdout"] = plan.holdout;
  if (plan.mix.active())
    run["mix"] = {{"ratio", plan.mix.str()},
                  {"image_rows", plan.imageRows},
                  {"text_rows", plan.textRows}};
  else
    run["mix"] = nullptr;
  run["dead_window"] = plan.deadWindow;
  run["resumed_from_step"] =
      args.resume ? nlohmann::ordered_json(startStep) : nullptr;
  run["started_utc"] = started;
  run["finished_utc"] = utcNow();
  run["status"] = report.divergence ? "diverged"
                  : report.stopped  ? "stopped"
                                    : "completed";
  run["steps_done"] = report.step;
  run["error"] =
      report.divergence ? nlohmann::ordered_json(*report.divergence) : nullptr;
  if (report.last) {
    const StepMetrics &last = *report.last;
    run["final_metrics"] = {{"step", last.step},
                            {"loss", last.loss},
                            {"l0", last.l0},
                            {"dead_fraction", last.deadFraction},
                            {"lr", last.lr}};
  } else {
    run["final_metrics"] = nullptr;
  }
  // BatchTopK inference thresholds (null until estimated).
  if (!report.thresholds.empty()) {
    nlohmann::ordered_json thresholds = nlohmann::ordered_json::object();
    for (const ThresholdEstimate &estimate : report.thresholds)
      thresholds[estimate.name()] =
          estimate.known() ? nlohmann::ordered_json(estimate.value())
                           : nlohmann::ordered_json(nullptr);
    run["thresholds"] = thresholds;
  }
  std::string text = run.dump(2) + "\n";
  return writeFileAtomically(args.runDir + "/run.json", text);
}

int TrainRun::execute() {
  started = utcNow();
  if (Status status = makeDirectories(args.runDir); !status.isOk())
    return fail(status);
  if (!args.resume && !listCheckpointSteps(args.runDir).empty())
    return fail(Status::error(args.runDir,
                              "already holds a training run (checkpoints/); "
                              "pass --resume to continue it, or choose "
                              "another directory"));
  if (Status status = resolveTarget(); !status.isOk())
    return fail(status);
  std::string programPath;
  StatusOr<Program> program = loadProgram(programPath);
  if (!program.isOk())
    return fail(program.getStatus());
  StatusOr<Dataset> data = Dataset::open(args.data);
  if (!data.isOk())
    return fail(data.getStatus());
  StatusOr<std::unique_ptr<Trainer>> created =
      Trainer::create(*program, *data, args.options);
  if (!created.isOk())
    return fail(created.getStatus());
  Trainer &trainer = **created;
  if (args.target == "cuda")
    std::cout << "training on " << trainer.executor().deviceDescription()
              << (trainer.dataPlacement() == "resident"
                      ? ", the data resident on the GPU"
                      : ", batches sent from the host: " +
                            trainer.dataPlacement())
              << "\n";
  if (const TrainPlan &plan = trainer.plan(); plan.mix.active())
    std::cout << "mix " << plan.mix.str() << ": training on " << plan.imageRows
              << " image and " << plan.textRows << " text rows\n";

  if (args.resume) {
    std::vector<std::string> warnings;
    if (Status status = trainer.resume(warnings); !status.isOk())
      return fail(status);
    for (const std::string &warning : warnings)
      std::cerr << "warning: " << warning << "\n";
  } else if (Status status = trainer.initialize(); !status.isOk()) {
    return fail(status);
  }
  uint64_t startStep = trainer.step();

  StatusOr<TrainReport> report = [&] {
    ProgressOptions progressOptions;
    progressOptions.logEvery = args.options.logEvery;
    ProgressReporter progress(trainer.plan().totalSteps, progressOptions);
    return trainer.run([&](const StepMetrics &metrics) {
      progress.update(metrics.step, metrics.loss, metrics.l0,
                      metrics.deadFraction);
    });
  }();
  if (!report.isOk())
    return fail(report.getStatus());
  if (Status status = writeRunJson(trainer, *report, programPath, startStep);
      !status.isOk())
    return fail(status);
  if (report->divergence) {
    std::cerr << args.runDir << ": error: " << *report->divergence << "\n";
    return Diverged;
  }
  std::cout << (report->stopped ? "stopped " : "trained ") << args.model
            << " for " << report->step << "/" << trainer.plan().totalSteps
            << " steps";
  if (report->last)
    std::cout << ": loss " << report->last->loss << ", L0 " << report->last->l0
              << ", dead " << 100.0 * report->last->deadFraction << "%";
  for (const ThresholdEstimate &estimate : report->thresholds) {
    std::cout << ", " << estimate.name() << " ";
    if (estimate.known())
      std::cout << estimate.value();
    else
      std::cout << "not estimated (warm-up of " << kThresholdWarmupSteps
                << " steps)";
  }
  std::cout << " -> " << args.runDir << "\n";
  return Success;
}

int prism::cli::runTrainCommand(const std::vector<std::string> &args,
                                const std::string &commandLine) {
  ArgCursor cursor("train", args);
  TrainArgs parsed;
  int early = parseTrainArgs(cursor, parsed);
  if (early >= 0)
    return early;
  return TrainRun(std::move(parsed), commandLine).execute();
}
