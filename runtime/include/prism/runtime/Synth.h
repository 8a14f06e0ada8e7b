//===- Synth.h - Synthetic embeddings with a planted dictionary -*- C++ -*-===//
//
// `prism data synth` makes image-caption embedding pairs that look like a
// vision-language model's, from a dictionary it plants and records, so that
// SAE training, stability matching and the concept metrics can be checked
// against a known answer. The model (docs/formats.md, "Synthetic data"):
//
// - C random unit concept directions in R^D, each shared, image-only or
//   text-only; concept c has frequency rank c + 1 and sampling weight
//   proportional to (c + 1)^-zipf. Kinds are assigned by a seeded shuffle.
// - Bridge pairs join an image-only concept i with a text-only concept j:
//   whenever an image row uses i its caption uses j, and the other way round.
//   With a bridge cosine c > 0, j's direction is turned towards i's until
//   cos(dᵢ, dⱼ) = c (the same meaning, seen from each modality).
// - Each pair draws a scene of K concepts by weight, without replacement.
//   The image row shows the scene's shared and image-only concepts and the
//   image partners of its bridged text-only ones; the caption mirrors that.
//   Each row is then topped up to exactly K concepts by weighted draws from
//   the concepts it may use freely (shared, or its own kind and unbridged).
// - Row = normalise(s / |s| + m * offset * g + noise), s = sum of the active
//   concepts times lognormal magnitudes, g a random unit direction, m = +1
//   for images and -1 for captions (the modality gap), noise Gaussian with
//   expected norm `noise`.
//
// Randomness comes from xoshiro256** seeded through splitmix64 (one stream
// per purpose and per pair), so a seed gives the same data on every platform
// whose libm agrees on exp/log/sqrt/cos.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_SYNTH_H
#define PRISM_RUNTIME_SYNTH_H

#include "prism/runtime/Dataset.h"
#include "prism/runtime/Status.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace prism {

enum class ConceptKind : uint8_t { Shared = 0, ImageOnly = 1, TextOnly = 2 };

/// "shared", "image" or "text".
const char *conceptKindName(ConceptKind kind);

struct SynthOptions {
  uint64_t rows = 0;     // image rows + caption rows: rows / 2 pairs
  uint64_t dim = 0;      // D
  uint64_t concepts = 0; // C
  uint64_t kActive = 8;  // concepts active in every row
  uint64_t seed = 0;
  double imageFraction = 0.25; // of the concepts, image-only
  double textFraction = 0.25;  // text-only; the rest are shared
  int64_t bridges = -1;        // -1: half of min(image-only, text-only)
  double zipf = 1.0;           // weight of rank r is r^-zipf
  double modalityOffset = 0.5; // |offset| added to images, taken from text
  double noise = 0.05;         // expected norm of the Gaussian noise
  double magnitudeSigma = 0.5; // magnitudes are exp(sigma * N(0, 1))
  /// cos(dᵢ, dⱼ) of each bridge's two directions; 0 leaves them independent.
  double bridgeCosine = 0.0;
  std::string tool;        // recorded in provenance and truth
  std::string commandLine; // recorded in the dataset's provenance
};

/// How the concepts split, once the fractions are rounded.
struct SynthCounts {
  uint64_t shared = 0, imageOnly = 0, textOnly = 0, bridges = 0;
};

SynthCounts synthCounts(const SynthOptions &options);

/// Checks every setting; the message names the flag (`--rows`, ...), what it
/// expects and what it got.
Status validateSynthOptions(const SynthOptions &options);

/// The planted answer.
struct SynthTruth {
  SynthCounts counts;
  std::vector<float> dictionary;      // concepts x dim, unit rows
  std::vector<ConceptKind> kind;      // per concept
  std::vector<double> weight;         // planted sampling weight, sums to 1
  std::vector<int32_t> bridgePartner; // the other concept of a bridge, or -1
  std::vector<std::pair<uint32_t, uint32_t>> bridges; // (image, text)
  std::vector<float> offsetDirection;                 // g, dim, unit norm
  /// rows x kActive: the active concepts of each row, ascending, and their
  /// coefficients in the stored (unit-norm) row.
  std::vector<int32_t> codes;
  std::vector<float> coefficients;
  std::vector<uint64_t> imageUses, textUses; // rows using each concept
};

struct SynthData {
  DatasetContents dataset; // rows [0, P) images, [P, 2P) their captions
  SynthTruth truth;
};

/// Generates the dataset and its truth; fails as validateSynthOptions does.
StatusOr<SynthData> generateSynth(const SynthOptions &options);

/// Where the outputs go for `-o OUTPUT`: the dataset at OUTPUT, the rest at
/// STEM.truth.json, STEM.dictionary.npy, STEM.codes.npy and STEM.coefs.npy,
/// STEM being OUTPUT without a trailing `.pemb`.
struct SynthPaths {
  std::string dataset, truth, dictionary, codes, coefficients;
};

SynthPaths synthPaths(const std::string &output);

/// Writes the truth files, then the dataset, each atomically; if one fails,
/// the ones already written are removed.
Status writeSynth(const SynthPaths &paths, const SynthOptions &options,
                  const SynthData &data);

} // namespace prism

#endif // PRISM_RUNTIME_SYNTH_H
