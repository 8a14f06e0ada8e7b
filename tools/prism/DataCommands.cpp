//===- DataCommands.cpp - `prism data ...` --------------------------------===//

#include "DataCommands.h"
#include "CommandLine.h"
#include "SynthCommand.h"

#include "prism/runtime/Dataset.h"
#include "prism/runtime/DatasetSummary.h"
#include "prism/runtime/Import.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

using namespace prism;
using namespace prism::cli;

static const char kDataUsage[] =
    R"(usage: prism data import (--npy FILE [--layout L] [--modality M])+ [options] -o OUT
       prism data synth --rows N --dim D --concepts C [options] -o OUT
       prism data info DATA [--json]
)";

static const char kImportUsage[] =
    R"(usage: prism data import (--npy FILE [--layout L] [--modality M])+ [options] -o OUT

Builds a Prism dataset (.pemb) from .npy embedding arrays (float16, float32 or
float64; C or Fortran order; any byte order; .npy versions 1.0-3.0).

per input (these follow the --npy they apply to):
  --npy FILE             an embedding array
  --layout L             rows: (N, d); columns: (d, N); stacked-pairs: (2, N, d),
                         image rows then the aligned text rows. Default: rows for
                         2-D arrays, stacked-pairs for (2, N, d)
  --modality M           image or text (2-D arrays)

options:
  --captions TSV         one caption per image-text pair: a `caption` column
                         under a header line, or the last tab-separated field
  --labels TXT           one label per row (same rules, column `label`)
  --unpaired             do not pair image rows with text rows by index
  --allow-nonfinite      import NaN/Inf values instead of rejecting the file
  --note TEXT            free text kept in the provenance (model, licence, ...)
  -o, --output OUT       the dataset to write (written atomically)

Image and text rows from separate files pair up by index, so their counts must
match (unless --unpaired). Every input is checked before anything is written.
)";

static const char kInfoUsage[] =
    R"(usage: prism data info DATA [--json]

Prints a dataset's rows per modality, dimension, pairs, row norms (min, mean,
max), the modality gap (distance between the image mean and the text mean),
the mean cosine of aligned pairs, the NaN/Inf count and its provenance.
  --json   print the summary as JSON
)";

static int reportStatus(const Status &status) {
  std::cerr << status.str() << "\n";
  return UserError;
}

static int runImport(ArgCursor args, const std::string &commandLine) {
  ImportOptions options;
  options.tool = std::string("prism ") + PRISM_VERSION;
  options.commandLine = commandLine;
  std::string output;
  while (!args.done()) {
    std::string arg = args.next(), value;
    if (arg == "--help" || arg == "-h") {
      std::cout << kImportUsage;
      return Success;
    }
    if (arg == "--allow-nonfinite") {
      options.allowNonfinite = true;
      continue;
    }
    if (arg == "--unpaired") {
      options.unpaired = true;
      continue;
    }
    if (!args.value(arg, value))
      return UserError;
    if (arg == "--npy") {
      options.sources.push_back(
          {value, NpyLayout::Auto, Modality::Unspecified});
    } else if (arg == "--layout" || arg == "--modality") {
      if (options.sources.empty())
        return args.fail(arg + " applies to an input: put it after --npy FILE");
      NpyImportSource &source = options.sources.back();
      if (arg == "--layout") {
        std::optional<NpyLayout> layout = parseNpyLayout(value);
        if (!layout)
          return args.fail("unknown layout '" + value +
                           "' (expected rows, columns or stacked-pairs)");
        source.layout = *layout;
      } else {
        std::optional<Modality> modality = parseModality(value);
        if (!modality)
          return args.fail("unknown modality '" + value +
                           "' (expected image or text)");
        source.modality = *modality;
      }
    } else if (arg == "--captions") {
      options.captionsPath = value;
    } else if (arg == "--labels") {
      options.labelsPath = value;
    } else if (arg == "--note") {
      options.note = value;
    } else if (arg == "-o" || arg == "--output") {
      output = value;
    } else {
      return args.fail("unknown option '" + arg +
                       "'; see `prism data import "
                       "--help`");
    }
  }
  if (options.sources.empty())
    return args.fail("no input: pass at least one --npy FILE");
  if (output.empty())
    return args.fail("no output: pass -o OUT");

  StatusOr<DatasetContents> dataset = buildDataset(options);
  if (!dataset.isOk())
    return reportStatus(dataset.getStatus());
  if (Status s = writeDataset(output, *dataset); !s.isOk())
    return reportStatus(s);

  uint64_t image = 0, text = 0;
  for (Modality m : dataset->modality) {
    image += m == Modality::Image;
    text += m == Modality::Text;
  }
  std::cout << "wrote " << output << ": " << dataset->rows << " rows (" << image
            << " image, " << text << " text), d = " << dataset->dim << ", "
            << dataset->numPairs << " pairs, " << dataset->captions.size()
            << " captions\n";
  return Success;
}

static nlohmann::ordered_json
optionalNumber(const std::optional<double> &value) {
  return value ? nlohmann::ordered_json(*value)
               : nlohmann::ordered_json(nullptr);
}

static nlohmann::ordered_json summaryJson(const Dataset &dataset,
                                          const DatasetSummary &summary) {
  nlohmann::ordered_json provenance;
  DatasetProvenance recorded = dataset.provenance();
  provenance["tool"] = recorded.tool;
  provenance["command"] = recorded.command;
  provenance["created_utc"] = recorded.createdUtc;
  provenance["note"] = recorded.note;
  provenance["sources"] = nlohmann::ordered_json::array();
  for (const DatasetSource &source : recorded.sources) {
    char hash[17];
    std::snprintf(hash, sizeof(hash), "%016llx",
                  static_cast<unsigned long long>(source.fnv1a64));
    provenance["sources"].push_back(
        {{"path", source.path},
         {"kind", source.kind},
         {"format", source.format},
         {"layout", source.layout},
         {"modality", modalityName(source.modality)},
         {"first_row", source.firstRow},
         {"rows", source.rows},
         {"bytes", source.bytes},
         {"fnv1a64", hash}});
  }
  return {
      {"schema_version", 1},
      {"path", dataset.path()},
      {"dim", summary.dim},
      {"rows", summary.rows},
      {"rows_by_modality",
       {{"image", summary.imageRows},
        {"text", summary.textRows},
        {"unspecified", summary.unspecifiedRows}}},
      {"pairs", summary.pairs},
      {"captions", summary.captions},
      {"labels", dataset.hasLabels()},
      {"row_norm",
       {{"min", summary.rowNorm.min},
        {"mean", summary.rowNorm.mean},
        {"max", summary.rowNorm.max}}},
      {"modality_gap", optionalNumber(summary.modalityGap)},
      {"mean_pair_cosine", optionalNumber(summary.meanPairCosine)},
      {"nonfinite",
       {{"values", summary.nonfiniteValues}, {"rows", summary.nonfiniteRows}}},
      {"definitions",
       {{"row_norm", "L2 norm of each finite row"},
        {"modality_gap", "L2 distance between the mean image row and the "
                         "mean text row (finite rows)"},
        {"mean_pair_cosine", "mean cosine similarity of the image and text "
                             "rows of each aligned pair"}}},
      {"provenance", provenance},
  };
}

static void printSummary(const Dataset &dataset, const DatasetSummary &s) {
  auto number = [](double value) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.4f", value);
    return std::string(text);
  };
  std::cout << dataset.path() << ": Prism dataset\n"
            << "  rows              " << s.rows << " (image " << s.imageRows
            << ", text " << s.textRows;
  if (s.unspecifiedRows)
    std::cout << ", unspecified " << s.unspecifiedRows;
  std::cout << ")\n"
            << "  dimension         " << s.dim << "\n"
            << "  pairs             " << s.pairs << " (" << s.captions
            << " with captions)\n"
            << "  row norm          min " << number(s.rowNorm.min) << "  mean "
            << number(s.rowNorm.mean) << "  max " << number(s.rowNorm.max)
            << "\n"
            << "  modality gap      "
            << (s.modalityGap ? number(*s.modalityGap)
                              : "n/a (needs image "
                                "and text rows)")
            << "  (|mean(image) - mean(text)|)\n"
            << "  mean pair cosine  "
            << (s.meanPairCosine ? number(*s.meanPairCosine) : "n/a (no pairs)")
            << "\n"
            << "  non-finite        " << s.nonfiniteValues << " values in "
            << s.nonfiniteRows << " rows\n";
  DatasetProvenance provenance = dataset.provenance();
  for (const DatasetSource &source : provenance.sources)
    std::cout << "  source            " << source.path << " (" << source.kind
              << (source.format.empty() ? "" : ": " + source.format)
              << (source.layout.empty() ? "" : ", layout " + source.layout)
              << ")\n";
  std::cout << "  created           " << provenance.createdUtc << " by "
            << provenance.tool << "\n";
}

static int runInfo(ArgCursor args) {
  std::string path;
  bool json = false;
  while (!args.done()) {
    const std::string &arg = args.next();
    if (arg == "--help" || arg == "-h") {
      std::cout << kInfoUsage;
      return Success;
    }
    if (arg == "--json")
      json = true;
    else if (!arg.empty() && arg[0] == '-')
      return args.fail("unknown option '" + arg +
                       "'; see `prism data info "
                       "--help`");
    else if (path.empty())
      path = arg;
    else
      return args.fail("expected one dataset, got '" + path + "' and '" + arg +
                       "'");
  }
  if (path.empty())
    return args.fail("no dataset: pass DATA");
  StatusOr<Dataset> dataset = Dataset::open(path);
  if (!dataset.isOk())
    return reportStatus(dataset.getStatus());
  DatasetSummary summary = summarizeDataset(*dataset);
  if (json)
    std::cout << summaryJson(*dataset, summary).dump(2) << "\n";
  else
    printSummary(*dataset, summary);
  return Success;
}

int prism::cli::runDataCommand(const std::vector<std::string> &args,
                               const std::string &commandLine) {
  if (args.empty()) {
    std::cerr << kDataUsage;
    return UserError;
  }
  const std::string &sub = args.front();
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (sub == "--help" || sub == "-h") {
    std::cout << kDataUsage;
    return Success;
  }
  if (sub == "import")
    return runImport(ArgCursor("data import", rest), commandLine);
  if (sub == "synth")
    return runSynth(ArgCursor("data synth", rest), commandLine);
  if (sub == "info")
    return runInfo(ArgCursor("data info", rest));
  std::cerr << "prism data: error: unknown command '" << sub
            << "' (expected import, synth or info)\n";
  return UserError;
}
