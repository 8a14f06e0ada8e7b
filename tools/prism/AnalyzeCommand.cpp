//===- AnalyzeCommand.cpp - `prism analyze` -------------------------------===//
//
// Runs each run over the data (analyze/AnalyzeRun.h), matches the runs'
// dictionaries pairwise, and writes the report (docs/analysis.md).
//
//===----------------------------------------------------------------------===//

#include "AnalyzeCommand.h"

#include "CommandLine.h"
#include "analyze/AnalyzeRun.h"
#include "analyze/Baselines.h"
#include "analyze/ModalityMeasures.h"
#include "analyze/ReportJson.h"
#include "analyze/StabilityRuns.h"
#include "report/AnalysisReport.h"

#include "prism/runtime/AtomicFile.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sys/stat.h>

using namespace prism;
using namespace prism::analyze;
using namespace prism::cli;

static const char kAnalyzeUsage[] =
    R"(usage: prism analyze RUN_DIR... --data DATA -o REPORT_DIR [options]

Measures the concepts of trained runs on one dataset (SCIENCE.md §3,
docs/analysis.md): R² (both definitions), L0 and dead concepts; per concept
its energy and modality score; the Bridge Score over the aligned image-caption
pairs with its null model; the modality subspace of the data and each
concept's share of it; the stability of the dictionaries across runs; and
linear baselines (PCA, k-means, semi-NMF, ICA, matching pursuit over the
first run's dictionary) for the R²-L0 comparison. Every run is evaluated over
every row of DATA, as `prism eval --split all`. Writes REPORT_DIR/report.json,
the plots (*.svg), a self-contained REPORT_DIR/report.html, and
REPORT_DIR/concepts-RUN.tsv (one line per concept).

options:
  --data DATA          the dataset (.pemb) to analyse on
  -o, --output DIR     the report directory (created if needed)
  --batch B            rows per forward call (default 1024)
  --top K              bridge pairs to list, with their captions (default 5)
  --null-shuffles S    shuffled pairings for the bridge null model (default 5)
  --seed N             seed of the shuffles and the baselines (default 0)
  --subspace-dims R    directions of the modality subspace (default 4)
  --no-baselines       skip the linear baselines
  --baseline-rows N    fit the baselines on a random sample of at most N rows
                       (default 20000; 0: every row)

Exit status: 0 when done, 1 on an error.
)";

namespace {

struct AnalyzeArgs {
  std::vector<std::string> runs;
  std::string data, output;
  uint64_t batch = 1024;
  BridgeOptions bridge;
  uint32_t subspaceDims = 4;
  bool baselines = true;
  uint64_t baselineRows = 20000;
};

} // namespace

static bool parseCount(const std::string &text, uint64_t &out, bool allowZero) {
  if (text.empty() || text[0] < '0' || text[0] > '9')
    return false;
  char *end = nullptr;
  errno = 0;
  unsigned long long value = std::strtoull(text.c_str(), &end, 10);
  if (errno || *end || (!allowZero && value == 0))
    return false;
  out = value;
  return true;
}

/// Returns -1 to go on, else the exit status.
static int parseAnalyzeArgs(ArgCursor &cursor, AnalyzeArgs &out) {
  while (!cursor.done()) {
    std::string arg = cursor.next(), value;
    if (arg == "--help" || arg == "-h") {
      std::cout << kAnalyzeUsage;
      return Success;
    }
    if (arg.empty() || arg[0] != '-') {
      out.runs.push_back(arg);
      continue;
    }
    if (arg == "--no-baselines") {
      out.baselines = false;
      continue;
    }
    if (!cursor.value(arg, value))
      return UserError;
    uint64_t count = 0;
    auto expectCount = [&](bool allowZero) {
      if (parseCount(value, count, allowZero))
        return true;
      cursor.fail("option '" + arg + "' expects a " +
                  (allowZero ? "non-negative" : "positive") +
                  " integer, got '" + value + "'");
      return false;
    };
    if (arg == "--data") {
      out.data = value;
    } else if (arg == "-o" || arg == "--output") {
      out.output = value;
    } else if (arg == "--batch") {
      if (!expectCount(false))
        return UserError;
      out.batch = count;
    } else if (arg == "--top") {
      if (!expectCount(false))
        return UserError;
      out.bridge.top = static_cast<unsigned>(std::min<uint64_t>(count, 1000));
    } else if (arg == "--null-shuffles") {
      if (!expectCount(true))
        return UserError;
      out.bridge.nullShuffles =
          static_cast<unsigned>(std::min<uint64_t>(count, 1000));
    } else if (arg == "--seed") {
      if (!expectCount(true))
        return UserError;
      out.bridge.seed = count;
    } else if (arg == "--baseline-rows") {
      if (!expectCount(true))
        return UserError;
      out.baselineRows = count;
    } else if (arg == "--subspace-dims") {
      if (!expectCount(false))
        return UserError;
      out.subspaceDims =
          static_cast<uint32_t>(std::min<uint64_t>(count, 1u << 20));
    } else {
      return cursor.fail("unknown option '" + arg +
                         "'; see `prism analyze --help`");
    }
  }
  if (out.runs.empty())
    return cursor.fail("no run: pass one or more RUN_DIR");
  if (out.data.empty())
    return cursor.fail("no dataset: pass --data DATA");
  if (out.output.empty())
    return cursor.fail("no report directory: pass -o REPORT_DIR");
  return -1;
}

static double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

static int fail(const Status &status) {
  std::cerr << status.str() << "\n";
  return UserError;
}

static Status makeDirectory(const std::string &path) {
  struct stat info;
  if (::stat(path.c_str(), &info) == 0)
    return S_ISDIR(info.st_mode)
               ? Status::ok()
               : Status::error(path, "exists and is not a directory");
  if (::mkdir(path.c_str(), 0777) != 0)
    return Status::error(path, std::string("cannot create the report "
                                           "directory: ") +
                                   std::strerror(errno));
  return Status::ok();
}

/// One line per concept, for spreadsheets and pandas.
static std::string conceptTable(const RunAnalysis &run) {
  std::string out = "concept\tenergy\tfired_rows\timage_mean\ttext_mean\t"
                    "modality\tnorm_in_subspace\tclassifier_accuracy\t"
                    "bridge_image_side\tbridge_text_side";
  for (const RunAnalysis::Match &match : run.matches)
    out += "\tmatch_" + match.other + "\tmatched_cosine_" + match.other;
  out += "\n";
  char line[512];
  for (uint64_t i = 0; i < run.latents; ++i) {
    const ConceptStats &s = run.stats;
    std::snprintf(line, sizeof(line), "%llu\t%.9g\t%llu\t%.9g\t%.9g\t%.9g\t",
                  static_cast<unsigned long long>(i), s.energy[i],
                  static_cast<unsigned long long>(s.fired[i]), s.imageMean[i],
                  s.textMean[i], s.modality[i]);
    out += line;
    std::snprintf(line, sizeof(line), "%.9g\t%.9g\t", run.normInSubspace[i],
                  run.classifierAccuracy[i]);
    out += line;
    if (run.bridge)
      std::snprintf(line, sizeof(line), "%.9g\t%.9g",
                    run.bridge->imageSideEnergy()[i],
                    run.bridge->textSideEnergy()[i]);
    else
      std::snprintf(line, sizeof(line), "nan\tnan");
    out += line;
    for (const RunAnalysis::Match &match : run.matches) {
      std::snprintf(line, sizeof(line), "\t%d\t%.9g", match.concept[i],
                    match.cosine[i]);
      out += line;
    }
    out += "\n";
  }
  return out;
}

static std::string fixed(const Json &value, int digits) {
  if (!value.is_number())
    return "n/a";
  char text[64];
  std::snprintf(text, sizeof(text), "%.*f", digits, value.get<double>());
  return text;
}

static int runAnalyze(const AnalyzeArgs &args, const std::string &commandLine) {
  StatusOr<Dataset> data = Dataset::open(args.data);
  if (!data.isOk())
    return fail(data.getStatus());
  StatusOr<DataPairs> pairs = alignedPairs(*data);
  if (!pairs.isOk())
    return fail(pairs.getStatus());
  if (pairs->rows.empty())
    std::cerr << "notice: " << data->path()
              << " has no aligned image-caption pairs; the Bridge Score is "
                 "left out\n";
  if (Status status = makeDirectory(args.output); !status.isOk())
    return fail(status);

  std::vector<RunAnalysis> runs;
  RunOptions runOptions;
  runOptions.batch = args.batch;
  for (const std::string &path : args.runs) {
    std::cerr << "analyze: " << path << "\n";
    auto start = std::chrono::steady_clock::now();
    StatusOr<RunAnalysis> run = analyzeRun(path, *data, *pairs, runOptions);
    if (!run.isOk())
      return fail(run.getStatus());
    std::fprintf(stderr,
                 "analyze: evaluated %s over %llu rows, codes, concept "
                 "statistics and co-activation: %.1f s\n",
                 path.c_str(), static_cast<unsigned long long>(data->rows()),
                 secondsSince(start));
    for (const std::string &notice : run->notices)
      std::cerr << "notice: " << notice << "\n";
    // Names key the report; a repeated directory name gets a suffix.
    std::string name = run->name;
    for (unsigned copy = 2;; ++copy) {
      bool taken = false;
      for (const RunAnalysis &other : runs)
        taken |= other.name == name;
      if (!taken)
        break;
      name = run->name + "-" + std::to_string(copy);
    }
    run->name = name;
    runs.push_back(run.take());
  }

  LabelledRows labelled = labelledRows(*data);
  StatusOr<Json> modality = measureModality(
      *data, labelled, runs, args.subspaceDims, args.bridge.seed);
  if (!modality.isOk())
    return fail(modality.getStatus());

  Json report = Json::object();
  report["format"] = "prism-analysis-report";
  report["version"] = 1;
  report["command"] = commandLine;
  report["definitions"] = definitionsJson();
  Json dataJson = Json::object();
  dataJson["path"] = data->path();
  dataJson["rows"] = data->rows();
  dataJson["image_rows"] = labelled.images;
  dataJson["text_rows"] = labelled.rows - labelled.images;
  dataJson["pairs"] = pairs->rows.size();
  dataJson["dim"] = data->dim();
  report["data"] = std::move(dataJson);
  report["modality_subspace"] = modality.take();

  Json runsJson = Json::array();
  Json pareto = Json::array();
  for (const RunAnalysis &run : runs) {
    auto start = std::chrono::steady_clock::now();
    Json json = runJson(run, *data, *pairs, args.bridge);
    std::fprintf(stderr,
                 "analyze: concepts and bridges of %s (top pairs, %u "
                 "shuffled pairings): %.1f s\n",
                 run.name.c_str(), args.bridge.nullShuffles,
                 secondsSince(start));
    pareto.push_back(paretoPoint(run.name, "sae", json));
    runsJson.push_back(std::move(json));
  }
  report["runs"] = std::move(runsJson);

  Json baselines = Json::array();
  if (args.baselines) {
    BaselineOptions baselineOptions;
    baselineOptions.seed = args.bridge.seed;
    baselineOptions.dictionary = runs.front().decoder.values.data();
    baselineOptions.atoms = runs.front().latents;
    baselineOptions.maxRows = args.baselineRows;
    StatusOr<Json> fitted = runBaselines(*data, baselineOptions);
    if (!fitted.isOk())
      return fail(fitted.getStatus());
    baselines = fitted.take();
  }
  for (const Json &method : baselines)
    for (const Json &fit : method["points"])
      pareto.push_back(paretoPoint(method["method"], "baseline", fit));
  report["baselines"] = std::move(baselines);
  report["pareto"] = std::move(pareto);

  StatusOr<Json> stability = measureStability(runs, data->dim());
  if (!stability.isOk())
    return fail(stability.getStatus());
  report["stability"] = stability.take();
  for (const RunAnalysis &run : runs)
    if (Status status = writeFileAtomically(
            args.output + "/concepts-" + run.name + ".tsv", conceptTable(run));
        !status.isOk())
      return fail(status);

  if (Status status = writeAnalysisReport(report, args.output); !status.isOk())
    return fail(Status::error(args.output, status.getMessage()));

  for (const Json &run : report["runs"])
    std::cout << run["name"].get<std::string>() << ": R² "
              << fixed(run["r2_per_dim"], 4) << " (global "
              << fixed(run["r2_global"], 4) << "), L0 " << fixed(run["l0"], 1)
              << ", modality >0.9 "
              << fixed(run["concepts"]["modality_above_0_9"], 3) << ", <0.1 "
              << fixed(run["concepts"]["modality_below_0_1"], 3)
              << ", mean ‖P_M d‖ "
              << fixed(run["concepts"]["mean_norm_in_subspace"], 3) << "\n";
  if (report["stability"].is_object())
    std::cout << "stability: mean " << fixed(report["stability"]["mean"], 4)
              << ", top energy decile "
              << fixed(report["stability"]["mean_top_energy_decile"], 4)
              << "\n";
  std::cout << "wrote " << args.output << "/report.json and " << args.output
            << "/report.html\n";
  return Success;
}

int prism::cli::runAnalyzeCommand(const std::vector<std::string> &args,
                                  const std::string &commandLine) {
  ArgCursor cursor("analyze", args);
  AnalyzeArgs parsed;
  int early = parseAnalyzeArgs(cursor, parsed);
  if (early >= 0)
    return early;
  return runAnalyze(parsed, commandLine);
}
