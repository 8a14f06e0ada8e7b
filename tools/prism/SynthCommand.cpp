//===- SynthCommand.cpp - `prism data synth` ------------------------------===//

#include "SynthCommand.h"

#include "prism/runtime/Synth.h"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iostream>

using namespace prism;
using namespace prism::cli;

static const char kSynthUsage[] =
    R"(usage: prism data synth --rows N --dim D --concepts C [options] -o OUT

Makes image-caption embedding pairs that look like a vision-language model's
from a planted dictionary, and writes the truth beside the dataset:
STEM.truth.json (settings, concept kinds, weights, frequencies, bridges, the
modality offset), STEM.dictionary.npy (float32 [C, D]), STEM.codes.npy (int32
[N, K], the active concepts of each row) and STEM.coefs.npy (float32 [N, K]),
STEM being OUT without `.pemb`. Rows [0, N/2) are images, row N/2 + p is the
caption of image p. The same seed gives the same data.

required:
  --rows N               rows in all, even: N/2 images and their N/2 captions
  --dim D                embedding dimension (2-65536)
  --concepts C           planted concepts (1-1048576)
  -o, --output OUT       the dataset to write (written atomically)

options:
  --seed S               random seed (default 0)
  --k-active K           concepts active in every row (default 8)
  --image-fraction F     share of image-only concepts (default 0.25)
  --text-fraction F      share of text-only concepts (default 0.25); the rest
                         are shared by both modalities
  --bridges B            image-only/text-only concept pairs that always
                         co-occur across a pair (default: half of the fewer)
  --zipf A               concept of rank r is drawn with weight r^-A
                         (default 1; 0 = uniform)
  --modality-offset R    norm of the offset added to image rows and taken from
                         captions before normalising (default 0.5)
  --noise S              expected norm of the Gaussian noise (default 0.05)
  --magnitude-sigma S    magnitudes are exp(S * N(0, 1)) (default 0.5)
  --bridge-cosine C      cosine between the two directions of each bridge,
                         in [0, 1) (default 0: independent directions)
)";

static bool parseWhole(const std::string &text, uint64_t &out) {
  if (text.empty() || text[0] < '0' || text[0] > '9')
    return false;
  errno = 0;
  char *end = nullptr;
  unsigned long long value = std::strtoull(text.c_str(), &end, 10);
  if (errno != 0 || *end != '\0')
    return false;
  out = value;
  return true;
}

static bool parseReal(const std::string &text, double &out) {
  if (text.empty())
    return false;
  char *end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (*end != '\0' || !std::isfinite(value))
    return false;
  out = value;
  return true;
}

int prism::cli::runSynth(ArgCursor args, const std::string &commandLine) {
  SynthOptions options;
  options.tool = std::string("prism ") + PRISM_VERSION;
  options.commandLine = commandLine;
  std::string output;
  bool haveRows = false, haveDim = false, haveConcepts = false;
  while (!args.done()) {
    std::string arg = args.next(), value;
    if (arg == "--help" || arg == "-h") {
      std::cout << kSynthUsage;
      return Success;
    }
    if (!args.value(arg, value))
      return UserError;
    auto whole = [&](uint64_t &out) {
      if (parseWhole(value, out))
        return true;
      args.fail(arg + " expects a whole number, got '" + value + "'");
      return false;
    };
    auto real = [&](double &out) {
      if (parseReal(value, out))
        return true;
      args.fail(arg + " expects a number, got '" + value + "'");
      return false;
    };
    bool ok = true;
    if (arg == "--rows")
      ok = haveRows = whole(options.rows);
    else if (arg == "--dim")
      ok = haveDim = whole(options.dim);
    else if (arg == "--concepts")
      ok = haveConcepts = whole(options.concepts);
    else if (arg == "--seed")
      ok = whole(options.seed);
    else if (arg == "--k-active")
      ok = whole(options.kActive);
    else if (arg == "--bridges") {
      uint64_t bridges = 0;
      ok = whole(bridges);
      options.bridges = static_cast<int64_t>(
          std::min<uint64_t>(bridges, static_cast<uint64_t>(INT64_MAX)));
    } else if (arg == "--image-fraction")
      ok = real(options.imageFraction);
    else if (arg == "--text-fraction")
      ok = real(options.textFraction);
    else if (arg == "--zipf")
      ok = real(options.zipf);
    else if (arg == "--modality-offset")
      ok = real(options.modalityOffset);
    else if (arg == "--noise")
      ok = real(options.noise);
    else if (arg == "--magnitude-sigma")
      ok = real(options.magnitudeSigma);
    else if (arg == "--bridge-cosine")
      ok = real(options.bridgeCosine);
    else if (arg == "-o" || arg == "--output")
      output = value;
    else
      return args.fail("unknown option '" + arg +
                       "'; see `prism data synth --help`");
    if (!ok)
      return UserError;
  }
  if (!haveRows)
    return args.fail("no --rows: pass --rows N (image and caption rows "
                     "together)");
  if (!haveDim)
    return args.fail("no --dim: pass --dim D (the embedding dimension)");
  if (!haveConcepts)
    return args.fail("no --concepts: pass --concepts C (planted concepts)");
  if (output.empty())
    return args.fail("no output: pass -o OUT");
  if (Status s = validateSynthOptions(options); !s.isOk())
    return args.fail(s.getMessage());

  StatusOr<SynthData> data = generateSynth(options);
  if (!data.isOk())
    return args.fail(data.getStatus().getMessage());
  SynthPaths paths = synthPaths(output);
  if (Status s = writeSynth(paths, options, *data); !s.isOk()) {
    std::cerr << s.str() << "\n";
    return UserError;
  }
  const SynthCounts &counts = data->truth.counts;
  uint64_t pairs = options.rows / 2;
  std::cout << "wrote " << output << ": " << options.rows << " rows (" << pairs
            << " image, " << pairs << " text), d = " << options.dim << ", "
            << pairs << " pairs; " << options.concepts << " concepts ("
            << counts.shared << " shared, " << counts.imageOnly
            << " image-only, " << counts.textOnly << " text-only, "
            << counts.bridges << " bridges), k = " << options.kActive
            << ", seed " << options.seed << "; truth in " << paths.truth
            << "\n";
  return Success;
}
