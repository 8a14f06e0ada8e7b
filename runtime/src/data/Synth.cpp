//===- Synth.cpp - Synthetic embeddings with a planted dictionary ---------===//
//
// The generative model is described in Synth.h and docs/formats.md. Every
// random choice is drawn from a stream of its own (dictionary, offset, kinds,
// then one per pair), so changing how one part consumes numbers never shifts
// the others, and pairs could be generated in parallel with the same result.
//
//===----------------------------------------------------------------------===//

#include "prism/runtime/Synth.h"
#include "prism/runtime/AtomicFile.h"
#include "prism/runtime/Npy.h"
#include "prism/runtime/Random.h"
#include "prism/runtime/Support.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <unistd.h>

using namespace prism;

//===----------------------------------------------------------------------===//
// Random numbers
//===----------------------------------------------------------------------===//

namespace {

/// The generator of stream `stream` of `seed`: xoshiro256** (Random.h)
/// seeded with the first splitmix64 output for `seed` XOR stream *
/// 0xD1342543DE82EF95, plus the real-valued draws synthesis needs.
class Rng {
public:
  Rng(uint64_t seed, uint64_t stream)
      : bits(splitmix64(seed) ^ (stream * 0xD1342543DE82EF95ULL)) {}

  uint64_t below(uint64_t n) { return bits.below(n); }

  /// Uniform in [0, 1), 53 bits.
  double uniform() {
    return static_cast<double>(bits.next() >> 11) * 0x1.0p-53;
  }

  /// Standard normal by Box-Muller; the second value is kept for next time.
  double normal() {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    double u1 = 1.0 - uniform(); // (0, 1]: log stays finite
    double u2 = uniform();
    double radius = std::sqrt(-2.0 * std::log(u1));
    double angle = 2.0 * M_PI * u2;
    spare = radius * std::sin(angle);
    hasSpare = true;
    return radius * std::cos(angle);
  }

private:
  Xoshiro256 bits;
  double spare = 0;
  bool hasSpare = false;
};

// Streams 0..15 are for the global draws; pair p uses stream 16 + p.
enum Stream : uint64_t { DictionaryStream = 0, OffsetStream, KindStream };
const uint64_t kFirstPairStream = 16;

/// Concepts to draw from by weight, ascending by id.
class WeightedPool {
public:
  WeightedPool(std::vector<uint32_t> members, const std::vector<double> &w)
      : ids(std::move(members)) {
    double total = 0;
    for (uint32_t id : ids) {
      weight.push_back(w[id]);
      cumulative.push_back(total += w[id]);
    }
  }

  /// Adds weighted draws from the pool, without replacement, until `chosen`
  /// holds `k` concepts; the pool must hold k concepts not yet chosen. Each
  /// draw is exact: a uniform point on the weight left once the chosen
  /// concepts are taken out is mapped back onto the whole line by stepping
  /// over their intervals, so steep weights cost no retries.
  void fillTo(size_t k, std::vector<uint32_t> &chosen, Rng &rng,
              std::vector<size_t> &taken) const {
    taken.clear();
    double takenMass = 0;
    for (uint32_t id : chosen)
      if (size_t pos = position(id); pos != ids.size()) {
        taken.insert(std::upper_bound(taken.begin(), taken.end(), pos), pos);
        takenMass += weight[pos];
      }
    while (chosen.size() < k) {
      double x = rng.uniform() * std::max(0.0, cumulative.back() - takenMass);
      for (size_t pos : taken) {
        if (x < cumulative[pos] - weight[pos])
          break;
        x += weight[pos];
      }
      size_t pos = std::min<size_t>(
          std::upper_bound(cumulative.begin(), cumulative.end(), x) -
              cumulative.begin(),
          ids.size() - 1);
      pos = nearestFree(pos, taken);
      taken.insert(std::upper_bound(taken.begin(), taken.end(), pos), pos);
      takenMass += weight[pos];
      chosen.push_back(ids[pos]);
    }
  }

private:
  /// Index of `id` in the pool, or ids.size().
  size_t position(uint32_t id) const {
    auto it = std::lower_bound(ids.begin(), ids.end(), id);
    return it != ids.end() && *it == id ? it - ids.begin() : ids.size();
  }

  /// Rounding can land a draw on the edge of a taken interval (or on a weight
  /// too small to register): move to the nearest free concept, later first.
  size_t nearestFree(size_t pos, const std::vector<size_t> &taken) const {
    auto isTaken = [&](size_t p) {
      return std::binary_search(taken.begin(), taken.end(), p);
    };
    for (size_t p = pos; p < ids.size(); ++p)
      if (!isTaken(p))
        return p;
    for (size_t p = pos; p-- > 0;)
      if (!isTaken(p))
        return p;
    return pos; // not reached: callers leave a free concept in the pool
  }

  std::vector<uint32_t> ids;
  std::vector<double> weight, cumulative;
};

bool contains(const std::vector<uint32_t> &set, uint32_t id) {
  return std::find(set.begin(), set.end(), id) != set.end();
}

void addUnique(std::vector<uint32_t> &set, uint32_t id) {
  if (!contains(set, id))
    set.push_back(id);
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", value);
  return text;
}

} // namespace

//===----------------------------------------------------------------------===//
// Settings
//===----------------------------------------------------------------------===//

const char *prism::conceptKindName(ConceptKind kind) {
  switch (kind) {
  case ConceptKind::ImageOnly:
    return "image";
  case ConceptKind::TextOnly:
    return "text";
  case ConceptKind::Shared:
    break;
  }
  return "shared";
}

SynthCounts prism::synthCounts(const SynthOptions &options) {
  SynthCounts counts;
  uint64_t c = options.concepts;
  counts.imageOnly = std::min<uint64_t>(
      c, static_cast<uint64_t>(std::llround(c * options.imageFraction)));
  counts.textOnly = std::min<uint64_t>(
      c - counts.imageOnly,
      static_cast<uint64_t>(std::llround(c * options.textFraction)));
  counts.shared = c - counts.imageOnly - counts.textOnly;
  uint64_t most = std::min(counts.imageOnly, counts.textOnly);
  counts.bridges =
      options.bridges < 0 ? most / 2 : static_cast<uint64_t>(options.bridges);
  return counts;
}

static Status invalid(const std::string &message) {
  return Status::error("", message);
}

static const uint64_t kMaxDim = 65536;
static const uint64_t kMaxConcepts = 1u << 20;
static const uint64_t kMaxK = 256;
static const uint64_t kMaxValues = 1ull << 32;     // 16 GiB of rows
static const uint64_t kMaxDictionary = 1ull << 28; // 1 GiB dictionary

Status prism::validateSynthOptions(const SynthOptions &o) {
  if (o.rows < 2 || o.rows % 2 != 0)
    return invalid("--rows must be an even number >= 2 (rows / 2 "
                   "image-caption pairs), got " +
                   std::to_string(o.rows));
  if (o.dim < 2 || o.dim > kMaxDim)
    return invalid("--dim must be between 2 and " + std::to_string(kMaxDim) +
                   ", got " + std::to_string(o.dim));
  if (o.rows > kMaxValues / o.dim)
    return invalid("--rows x --dim must be at most 2^32 values (16 GiB), got " +
                   std::to_string(o.rows) + " x " + std::to_string(o.dim));
  if (o.concepts < 1 || o.concepts > kMaxConcepts)
    return invalid("--concepts must be between 1 and " +
                   std::to_string(kMaxConcepts) + ", got " +
                   std::to_string(o.concepts));
  if (o.concepts > kMaxDictionary / o.dim)
    return invalid("--concepts x --dim must be at most 2^28 values (a 1 GiB "
                   "dictionary), got " +
                   std::to_string(o.concepts) + " x " + std::to_string(o.dim));
  if (o.kActive < 1 || o.kActive > kMaxK)
    return invalid("--k-active must be between 1 and " + std::to_string(kMaxK) +
                   ", got " + std::to_string(o.kActive));
  auto inRange = [](double value, double low, double high) {
    return std::isfinite(value) && value >= low && value <= high;
  };
  if (!inRange(o.imageFraction, 0, 1))
    return invalid("--image-fraction must be between 0 and 1, got " +
                   number(o.imageFraction));
  if (!inRange(o.textFraction, 0, 1))
    return invalid("--text-fraction must be between 0 and 1, got " +
                   number(o.textFraction));
  if (o.imageFraction + o.textFraction > 1 + 1e-12)
    return invalid("--image-fraction + --text-fraction must be at most 1 (the "
                   "rest are shared), got " +
                   number(o.imageFraction) + " + " + number(o.textFraction));
  SynthCounts counts = synthCounts(o);
  uint64_t most = std::min(counts.imageOnly, counts.textOnly);
  if (o.bridges < -1 ||
      (o.bridges >= 0 && static_cast<uint64_t>(o.bridges) > most))
    return invalid("--bridges must be between 0 and " + std::to_string(most) +
                   " (the fewer of " + std::to_string(counts.imageOnly) +
                   " image-only and " + std::to_string(counts.textOnly) +
                   " text-only concepts), got " + std::to_string(o.bridges));
  uint64_t freeImage = counts.shared + counts.imageOnly - counts.bridges;
  uint64_t freeText = counts.shared + counts.textOnly - counts.bridges;
  if (o.kActive > std::min(freeImage, freeText)) {
    bool image = freeImage <= freeText;
    return invalid(
        "--k-active " + std::to_string(o.kActive) + " needs " +
        std::to_string(o.kActive) + " concepts that every " +
        (image ? "image" : "caption") + " row may use freely (shared, or " +
        (image ? "image" : "text") + "-only without a bridge), but there are " +
        std::to_string(std::min(freeImage, freeText)) +
        "; lower --k-active or --bridges, or raise --concepts");
  }
  if (!inRange(o.zipf, 0, 8))
    return invalid("--zipf must be between 0 and 8, got " + number(o.zipf));
  if (!inRange(o.modalityOffset, 0, 100))
    return invalid("--modality-offset must be between 0 and 100, got " +
                   number(o.modalityOffset));
  if (!inRange(o.noise, 0, 100))
    return invalid("--noise must be between 0 and 100, got " + number(o.noise));
  if (!inRange(o.magnitudeSigma, 0, 4))
    return invalid("--magnitude-sigma must be between 0 and 4, got " +
                   number(o.magnitudeSigma));
  if (!(o.bridgeCosine >= 0 && o.bridgeCosine < 1))
    return invalid("--bridge-cosine must be in [0, 1), got " +
                   number(o.bridgeCosine));
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Generation
//===----------------------------------------------------------------------===//

/// Fills `out` with `count` random unit vectors of length `dim`.
static void randomUnitRows(Rng &rng, uint64_t count, uint64_t dim, float *out) {
  std::vector<double> v(dim);
  for (uint64_t r = 0; r < count; ++r) {
    double sumSq = 0;
    for (double &x : v) {
      x = rng.normal();
      sumSq += x * x;
    }
    double scale = 1.0 / std::sqrt(sumSq);
    for (uint64_t k = 0; k < dim; ++k)
      out[r * dim + k] = static_cast<float>(v[k] * scale);
  }
}

/// Turns each bridge's text-side direction towards its image-side one:
/// dⱼ = c·dᵢ + √(1 − c²)·u, u the unit part of dⱼ orthogonal to dᵢ.
static void alignBridges(const SynthOptions &o, SynthTruth &truth) {
  double c = o.bridgeCosine, s = std::sqrt(1 - c * c);
  for (const auto &[image, text] : truth.bridges) {
    const float *di = truth.dictionary.data() + uint64_t(image) * o.dim;
    float *dj = truth.dictionary.data() + uint64_t(text) * o.dim;
    double dot = 0, norm = 0;
    for (uint64_t k = 0; k < o.dim; ++k)
      dot += double(di[k]) * dj[k];
    std::vector<double> u(o.dim);
    for (uint64_t k = 0; k < o.dim; ++k) {
      u[k] = dj[k] - dot * di[k];
      norm += u[k] * u[k];
    }
    norm = std::sqrt(norm);
    for (uint64_t k = 0; k < o.dim; ++k)
      dj[k] = static_cast<float>(c * di[k] + s * u[k] / norm);
  }
}

static void plantConcepts(const SynthOptions &o, SynthTruth &truth) {
  uint64_t c = o.concepts;
  truth.weight.resize(c);
  double total = 0;
  for (uint64_t i = 0; i < c; ++i)
    total += truth.weight[i] = std::pow(static_cast<double>(i + 1), -o.zipf);
  for (double &w : truth.weight)
    w /= total;

  // Kinds by a seeded shuffle, so every kind spans all frequencies.
  Rng rng(o.seed, KindStream);
  std::vector<uint32_t> order(c);
  for (uint32_t i = 0; i < c; ++i)
    order[i] = i;
  for (uint64_t i = c; i > 1; --i)
    std::swap(order[i - 1], order[rng.below(i)]);
  const SynthCounts &n = truth.counts;
  truth.kind.assign(c, ConceptKind::Shared);
  for (uint64_t i = 0; i < n.imageOnly; ++i)
    truth.kind[order[i]] = ConceptKind::ImageOnly;
  for (uint64_t i = 0; i < n.textOnly; ++i)
    truth.kind[order[n.imageOnly + i]] = ConceptKind::TextOnly;
  truth.bridgePartner.assign(c, -1);
  for (uint64_t i = 0; i < n.bridges; ++i) {
    uint32_t image = order[i], text = order[n.imageOnly + i];
    truth.bridgePartner[image] = static_cast<int32_t>(text);
    truth.bridgePartner[text] = static_cast<int32_t>(image);
    truth.bridges.emplace_back(image, text);
  }
  std::sort(truth.bridges.begin(), truth.bridges.end());
}

namespace {

/// Builds one stored row from its active concepts.
class RowMaker {
public:
  RowMaker(const SynthOptions &o, const SynthTruth &truth)
      : o(o), truth(truth), sum(o.dim), magnitude(o.kActive),
        noiseScale(o.noise / std::sqrt(static_cast<double>(o.dim))) {}

  /// `sign` is +1 for images, -1 for captions.
  void make(const std::vector<uint32_t> &active, double sign, Rng &rng,
            float *row, int32_t *codes, float *coefficients) {
    uint64_t d = o.dim;
    std::fill(sum.begin(), sum.end(), 0.0);
    for (size_t slot = 0; slot < active.size(); ++slot) {
      double a = std::exp(o.magnitudeSigma * rng.normal());
      magnitude[slot] = a;
      const float *direction = truth.dictionary.data() + active[slot] * d;
      for (uint64_t k = 0; k < d; ++k)
        sum[k] += a * direction[k];
    }
    double conceptScale = 1.0 / norm();
    double offset = sign * o.modalityOffset;
    for (uint64_t k = 0; k < d; ++k)
      sum[k] = sum[k] * conceptScale + offset * truth.offsetDirection[k] +
               noiseScale * rng.normal();
    double rowScale = 1.0 / norm();
    for (uint64_t k = 0; k < d; ++k)
      row[k] = static_cast<float>(sum[k] * rowScale);
    for (size_t slot = 0; slot < active.size(); ++slot) {
      codes[slot] = static_cast<int32_t>(active[slot]);
      coefficients[slot] =
          static_cast<float>(magnitude[slot] * conceptScale * rowScale);
    }
  }

private:
  /// |sum|, or 1 for a zero vector so that scaling leaves it alone.
  double norm() const {
    double sumSq = 0;
    for (double x : sum)
      sumSq += x * x;
    return sumSq > 0 ? std::sqrt(sumSq) : 1.0;
  }

  const SynthOptions &o;
  const SynthTruth &truth;
  std::vector<double> sum, magnitude;
  double noiseScale;
};

} // namespace

StatusOr<SynthData> prism::generateSynth(const SynthOptions &o) {
  if (Status s = validateSynthOptions(o); !s.isOk())
    return s;
  SynthData data;
  SynthTruth &truth = data.truth;
  truth.counts = synthCounts(o);
  plantConcepts(o, truth);
  truth.dictionary.resize(o.concepts * o.dim);
  Rng dictionaryRng(o.seed, DictionaryStream);
  randomUnitRows(dictionaryRng, o.concepts, o.dim, truth.dictionary.data());
  if (o.bridgeCosine > 0)
    alignBridges(o, truth);
  truth.offsetDirection.resize(o.dim);
  Rng offsetRng(o.seed, OffsetStream);
  randomUnitRows(offsetRng, 1, o.dim, truth.offsetDirection.data());

  std::vector<uint32_t> all, freeImage, freeText;
  for (uint32_t c = 0; c < o.concepts; ++c) {
    all.push_back(c);
    bool bridged = truth.bridgePartner[c] >= 0;
    if (truth.kind[c] != ConceptKind::TextOnly && !bridged)
      freeImage.push_back(c);
    if (truth.kind[c] != ConceptKind::ImageOnly && !bridged)
      freeText.push_back(c);
  }
  WeightedPool scenePool(all, truth.weight);
  WeightedPool imagePool(freeImage, truth.weight);
  WeightedPool textPool(freeText, truth.weight);

  uint64_t pairs = o.rows / 2, k = o.kActive, d = o.dim;
  DatasetContents &dataset = data.dataset;
  dataset.dim = static_cast<uint32_t>(d);
  dataset.rows = o.rows;
  dataset.values.resize(o.rows * d);
  dataset.numPairs = pairs;
  truth.codes.resize(o.rows * k);
  truth.coefficients.resize(o.rows * k);
  truth.imageUses.assign(o.concepts, 0);
  truth.textUses.assign(o.concepts, 0);

  RowMaker maker(o, truth);
  std::vector<uint32_t> scene, image, text;
  std::vector<size_t> taken;
  for (uint64_t p = 0; p < pairs; ++p) {
    Rng rng(o.seed, kFirstPairStream + p);
    scene.clear();
    scenePool.fillTo(k, scene, rng, taken);
    image.clear();
    text.clear();
    for (uint32_t c : scene) {
      int32_t partner = truth.bridgePartner[c];
      switch (truth.kind[c]) {
      case ConceptKind::Shared:
        addUnique(image, c);
        addUnique(text, c);
        break;
      case ConceptKind::ImageOnly:
        addUnique(image, c);
        if (partner >= 0)
          addUnique(text, static_cast<uint32_t>(partner));
        break;
      case ConceptKind::TextOnly:
        addUnique(text, c);
        if (partner >= 0)
          addUnique(image, static_cast<uint32_t>(partner));
        break;
      }
    }
    imagePool.fillTo(k, image, rng, taken);
    textPool.fillTo(k, text, rng, taken);
    std::sort(image.begin(), image.end());
    std::sort(text.begin(), text.end());
    for (uint32_t c : image)
      ++truth.imageUses[c];
    for (uint32_t c : text)
      ++truth.textUses[c];
    uint64_t t = pairs + p;
    maker.make(image, +1.0, rng, dataset.values.data() + p * d,
               truth.codes.data() + p * k, truth.coefficients.data() + p * k);
    maker.make(text, -1.0, rng, dataset.values.data() + t * d,
               truth.codes.data() + t * k, truth.coefficients.data() + t * k);
  }

  dataset.modality.assign(o.rows, Modality::Text);
  std::fill(dataset.modality.begin(), dataset.modality.begin() + pairs,
            Modality::Image);
  dataset.pairId.resize(o.rows);
  for (uint64_t r = 0; r < o.rows; ++r)
    dataset.pairId[r] = static_cast<int64_t>(r % pairs);
  dataset.provenance.tool = o.tool;
  dataset.provenance.command = o.commandLine;
  dataset.provenance.createdUtc = utcNow();
  dataset.provenance.note = "synthetic embeddings from a planted dictionary "
                            "(prism data synth, seed " +
                            std::to_string(o.seed) + ")";
  return data;
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

SynthPaths prism::synthPaths(const std::string &output) {
  std::string stem = output;
  const std::string ext = ".pemb";
  if (stem.size() > ext.size() &&
      stem.compare(stem.size() - ext.size(), ext.size(), ext) == 0)
    stem.resize(stem.size() - ext.size());
  return {output, stem + ".truth.json", stem + ".dictionary.npy",
          stem + ".codes.npy", stem + ".coefs.npy"};
}

static std::string baseName(const std::string &path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

static Status writeBytes(const std::string &path, const std::string &head,
                         const void *data, size_t size) {
  StatusOr<AtomicFileWriter> writer = AtomicFileWriter::create(path);
  if (!writer.isOk())
    return writer.getStatus();
  Status status = writer->write(head.data(), head.size());
  if (status.isOk() && size)
    status = writer->write(data, size);
  if (status.isOk())
    status = writer->commit();
  return status;
}

static nlohmann::ordered_json truthJson(const SynthPaths &paths,
                                        const SynthOptions &o,
                                        const SynthData &data) {
  using Json = nlohmann::ordered_json;
  const SynthTruth &t = data.truth;
  uint64_t pairs = o.rows / 2;
  Json kinds = Json::array(), imageFreq = Json::array(),
       textFreq = Json::array(), bridges = Json::array();
  for (uint64_t c = 0; c < o.concepts; ++c) {
    kinds.push_back(conceptKindName(t.kind[c]));
    imageFreq.push_back(static_cast<double>(t.imageUses[c]) / pairs);
    textFreq.push_back(static_cast<double>(t.textUses[c]) / pairs);
  }
  for (const auto &[image, text] : t.bridges)
    bridges.push_back({image, text});
  std::vector<double> offset(t.offsetDirection.begin(),
                             t.offsetDirection.end());
  return {
      {"schema_version", 1},
      {"generator", "prism data synth"},
      {"tool", o.tool},
      {"settings",
       {{"rows", o.rows},
        {"pairs", pairs},
        {"dim", o.dim},
        {"concepts", o.concepts},
        {"k_active", o.kActive},
        {"seed", o.seed},
        {"image_fraction", o.imageFraction},
        {"text_fraction", o.textFraction},
        {"bridges", t.counts.bridges},
        {"zipf", o.zipf},
        {"modality_offset", o.modalityOffset},
        {"noise", o.noise},
        {"magnitude_sigma", o.magnitudeSigma},
        {"bridge_cosine", o.bridgeCosine},
        {"prng", "xoshiro256** seeded by splitmix64, one stream per pair"}}},
      {"counts",
       {{"shared", t.counts.shared},
        {"image_only", t.counts.imageOnly},
        {"text_only", t.counts.textOnly},
        {"bridges", t.counts.bridges}}},
      {"files",
       {{"dataset", baseName(paths.dataset)},
        {"dictionary", baseName(paths.dictionary)},
        {"codes", baseName(paths.codes)},
        {"coefficients", baseName(paths.coefficients)}}},
      {"layout", {{"image_rows", {0, pairs}}, {"text_rows", {pairs, o.rows}}}},
      {"concepts",
       {{"kind", kinds},
        {"weight", t.weight},
        {"image_frequency", imageFreq},
        {"text_frequency", textFreq},
        {"bridge_partner", t.bridgePartner}}},
      {"bridges", bridges},
      {"modality_offset_direction", offset},
      {"definitions",
       {{"layout", "row r < pairs is the image of pair r; row pairs + r is "
                   "its caption"},
        {"dictionary", "float32 [concepts, dim], unit rows: concept c is "
                       "row c and has frequency rank c + 1"},
        {"weight", "planted probability of drawing the concept: "
                   "(rank^-zipf) / sum over all concepts"},
        {"image_frequency", "share of image rows in which the concept is "
                            "active (text_frequency: of caption rows)"},
        {"codes", "int32 [rows, k_active]: the active concepts of each row, "
                  "ascending"},
        {"coefficients",
         "float32 [rows, k_active]: row = sum of coefficient x concept + "
         "m x a x modality_offset_direction + noise, m = +1 for images and "
         "-1 for captions, a > 0 the row's offset share"},
        {"bridges", "[image-only concept, text-only concept]: a row using "
                    "one has a partner row using the other"}}},
  };
}

Status prism::writeSynth(const SynthPaths &paths, const SynthOptions &o,
                         const SynthData &data) {
  const SynthTruth &t = data.truth;
  std::string json = truthJson(paths, o, data).dump(1) + "\n";
  std::vector<std::string> written;
  auto step = [&](const std::string &path, Status status) {
    if (status.isOk())
      written.push_back(path);
    return status;
  };
  Status status =
      step(paths.dictionary, writeNpy(paths.dictionary, 'f', o.concepts, o.dim,
                                      t.dictionary.data()));
  if (status.isOk())
    status = step(paths.codes, writeNpy(paths.codes, 'i', o.rows, o.kActive,
                                        t.codes.data()));
  if (status.isOk())
    status =
        step(paths.coefficients, writeNpy(paths.coefficients, 'f', o.rows,
                                          o.kActive, t.coefficients.data()));
  if (status.isOk())
    status = step(paths.truth, writeBytes(paths.truth, json, nullptr, 0));
  if (status.isOk())
    status = writeDataset(paths.dataset, data.dataset);
  if (!status.isOk())
    for (const std::string &path : written)
      ::unlink(path.c_str());
  return status;
}
