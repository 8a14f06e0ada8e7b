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
#include "analyze/RandomDirections.h"
#include "analyze/ReportJson.h"
#include "report/AnalysisReport.h"

#include "prism/runtime/AtomicFile.h"
#include "prism/runtime/ModalitySubspace.h"
#include "prism/runtime/Stability.h"

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

static Status writeText(const std::string &path, const std::string &text) {
  StatusOr<AtomicFileWriter> writer = AtomicFileWriter::create(path);
  if (!writer.isOk())
    return writer.getStatus();
  Status status = writer->write(text.data(), text.size());
  return status.isOk() ? writer->commit() : status;
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

  // The modality subspace of the data, and each concept's place in it.
  std::vector<uint8_t> isImage;
  std::vector<float> labelled;
  const float *x = data->data();
  uint64_t labelledRows = 0;
  for (uint64_t r = 0; r < data->rows(); ++r) {
    Modality modality = data->modality(r);
    if (modality == Modality::Unspecified)
      continue;
    isImage.push_back(modality == Modality::Image);
    ++labelledRows;
  }
  if (labelledRows != data->rows()) {
    // Only rows of known modality take part.
    for (uint64_t r = 0; r < data->rows(); ++r)
      if (data->modality(r) != Modality::Unspecified)
        labelled.insert(labelled.end(), data->row(r),
                        data->row(r) + data->dim());
    x = labelled.data();
  }
  uint64_t imageCount = 0;
  for (uint8_t image : isImage)
    imageCount += image;
  ModalitySubspace subspace;
  subspace.dim = data->dim();
  if (imageCount == 0 || imageCount == labelledRows) {
    std::cerr << "notice: " << data->path() << " has " << imageCount
              << " image rows and " << labelledRows - imageCount
              << " text rows; the modality subspace needs both and is left "
                 "out\n";
    for (RunAnalysis &run : runs) {
      run.normInSubspace.assign(run.latents, NAN);
      run.classifierAccuracy.assign(run.latents, NAN);
    }
  } else {
    std::cerr << "analyze: modality subspace (" << args.subspaceDims
              << " directions)\n";
    StatusOr<ModalitySubspace> fitted =
        fitModalitySubspace(x, labelledRows, data->dim(), isImage.data(),
                            args.subspaceDims, kDefaultModalityShrinkage);
    if (!fitted.isOk())
      return fail(
          Status::error(data->path(), "the modality subspace: " +
                                          fitted.getStatus().getMessage()));
    subspace = fitted.take();
  }
  for (RunAnalysis &run : runs) {
    if (subspace.dims() == 0)
      break;
    auto start = std::chrono::steady_clock::now();
    StatusOr<std::vector<double>> norms =
        subspaceNorms(subspace, run.decoder.values.data(), run.latents);
    StatusOr<std::vector<double>> accuracy =
        directionAccuracies(x, labelledRows, data->dim(), isImage.data(),
                            run.decoder.values.data(), run.latents);
    if (!norms.isOk() || !accuracy.isOk())
      return fail(Status::error(
          run.path, (norms.isOk() ? accuracy.getStatus() : norms.getStatus())
                        .getMessage()));
    run.normInSubspace = norms.take();
    run.classifierAccuracy = accuracy.take();
    std::fprintf(stderr,
                 "analyze: %s's %llu concepts against the modality subspace "
                 "and as classifiers: %.1f s\n",
                 run.name.c_str(), static_cast<unsigned long long>(run.latents),
                 secondsSince(start));
  }

  Json report = Json::object();
  report["format"] = "prism-analysis-report";
  report["version"] = 1;
  report["command"] = commandLine;
  report["definitions"] = definitionsJson();
  Json dataJson = Json::object();
  uint64_t imageRows = 0, textRows = 0;
  for (uint64_t r = 0; r < data->rows(); ++r) {
    imageRows += data->modality(r) == Modality::Image;
    textRows += data->modality(r) == Modality::Text;
  }
  dataJson["path"] = data->path();
  dataJson["rows"] = data->rows();
  dataJson["image_rows"] = imageRows;
  dataJson["text_rows"] = textRows;
  dataJson["pairs"] = pairs->rows.size();
  dataJson["dim"] = data->dim();
  report["data"] = std::move(dataJson);
  Json subspaceJson = Json::object();
  subspaceJson["method"] = "lda-inlp";
  subspaceJson["dims"] = subspace.dims();
  subspaceJson["accuracy"] = subspace.accuracy;
  if (subspace.dims() > 0) {
    StatusOr<RandomDirectionReference> reference =
        randomDirectionReference(x, labelledRows, data->dim(), isImage.data(),
                                 subspace, 256, args.bridge.seed);
    if (!reference.isOk())
      return fail(
          Status::error(data->path(), reference.getStatus().getMessage()));
    Json random = Json::object();
    random["directions"] = reference->directions;
    random["mean_norm_in_subspace"] = number(reference->meanNormInSubspace);
    random["mean_classifier_accuracy"] =
        number(reference->meanClassifierAccuracy);
    subspaceJson["random_direction"] = std::move(random);
  }
  report["modality_subspace"] = std::move(subspaceJson);

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
    Json point = Json::object();
    point["method"] = run.name;
    point["kind"] = "sae";
    point["l0"] = json["l0"];
    point["r2_per_dim"] = json["r2_per_dim"];
    point["r2_global"] = json["r2_global"];
    pareto.push_back(std::move(point));
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
    for (const Json &fit : method["points"]) {
      Json point = Json::object();
      point["method"] = method["method"];
      point["kind"] = "baseline";
      point["l0"] = fit["l0"];
      point["r2_per_dim"] = fit["r2_per_dim"];
      point["r2_global"] = fit["r2_global"];
      pareto.push_back(std::move(point));
    }
  report["baselines"] = std::move(baselines);
  report["pareto"] = std::move(pareto);

  // Stability of every pair of runs with dictionaries of the same shape.
  Json stabilityPairs = Json::array();
  double sum = 0, sumTop = 0;
  for (size_t a = 0; a < runs.size(); ++a)
    for (size_t b = a + 1; b < runs.size(); ++b) {
      if (runs[a].decoder.shape != runs[b].decoder.shape) {
        std::cerr << "notice: " << runs[a].name << " and " << runs[b].name
                  << " have dictionaries of different sizes ("
                  << runs[a].latents << " and " << runs[b].latents
                  << " concepts); their stability is not measured\n";
        continue;
      }
      auto start = std::chrono::steady_clock::now();
      StatusOr<Stability> stability = dictionaryStability(
          runs[a].decoder.values.data(), runs[b].decoder.values.data(),
          runs[a].latents, data->dim(), runs[a].stats.energy);
      if (!stability.isOk())
        return fail(stability.getStatus());
      char line[256];
      std::snprintf(line, sizeof(line),
                    "analyze: matched %s with %s (%llu concepts, %s): "
                    "stability %.4f, %.1f s",
                    runs[a].name.c_str(), runs[b].name.c_str(),
                    static_cast<unsigned long long>(runs[a].latents),
                    runs[a].latents > kDenseMatchLimit
                        ? "certified sparse assignment"
                        : "exact assignment",
                    stability->overall, secondsSince(start));
      std::cerr << line << "\n";
      sum += stability->overall;
      sumTop += stability->topEnergyBin;
      // Each side's view of the matching, for the concept tables.
      RunAnalysis::Match forward{runs[b].name, stability->match,
                                 stability->matchedCosine};
      RunAnalysis::Match backward{runs[a].name,
                                  std::vector<int>(runs[b].latents, -1),
                                  std::vector<double>(runs[b].latents, NAN)};
      for (uint64_t i = 0; i < runs[a].latents; ++i)
        if (stability->match[i] >= 0) {
          backward.concept[stability->match[i]] = static_cast<int>(i);
          backward.cosine[stability->match[i]] = stability->matchedCosine[i];
        }
      runs[a].matches.push_back(std::move(forward));
      runs[b].matches.push_back(std::move(backward));
      stabilityPairs.push_back(
          stabilityPairJson(runs[a].name, runs[b].name, *stability));
    }
  for (const RunAnalysis &run : runs)
    if (Status status = writeText(
            args.output + "/concepts-" + run.name + ".tsv", conceptTable(run));
        !status.isOk())
      return fail(status);
  if (stabilityPairs.empty()) {
    report["stability"] = nullptr;
  } else {
    Json stability = Json::object();
    double count = static_cast<double>(stabilityPairs.size());
    stability["pairs"] = std::move(stabilityPairs);
    stability["mean"] = number(sum / count);
    stability["mean_top_energy_decile"] = number(sumTop / count);
    report["stability"] = std::move(stability);
  }

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
