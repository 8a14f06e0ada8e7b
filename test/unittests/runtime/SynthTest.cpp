//===- SynthTest.cpp - `prism data synth` and its planted truth -----------===//
//
// Checks the generator through its API (shapes, determinism, the planted
// structure recovered from the data) and through the real `prism` binary
// (the files it writes, their agreement, and its error messages).
//
//===----------------------------------------------------------------------===//

#include "TestFiles.h"

#include "prism/runtime/Dataset.h"
#include "prism/runtime/Npy.h"
#include "prism/runtime/Synth.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <numeric>
#include <sstream>
#include <sys/wait.h>

using namespace prism;
using namespace prism::test;

namespace {

SynthOptions smallOptions() {
  SynthOptions o;
  o.rows = 200;
  o.dim = 16;
  o.concepts = 40;
  o.kActive = 4;
  o.seed = 11;
  return o;
}

SynthData generate(const SynthOptions &o) {
  StatusOr<SynthData> data = generateSynth(o);
  EXPECT_TRUE(data.isOk()) << data.getStatus().str();
  return data.isOk() ? data.take() : SynthData();
}

double dot(const float *a, const float *b, size_t d) {
  double sum = 0;
  for (size_t k = 0; k < d; ++k)
    sum += static_cast<double>(a[k]) * b[k];
  return sum;
}

/// |mean(image rows) - mean(text rows)| and that difference.
double modalityGap(const SynthData &data, std::vector<double> &difference) {
  const DatasetContents &ds = data.dataset;
  uint64_t pairs = ds.numPairs;
  difference.assign(ds.dim, 0);
  for (uint64_t r = 0; r < ds.rows; ++r)
    for (uint32_t k = 0; k < ds.dim; ++k)
      difference[k] += (r < pairs ? 1.0 : -1.0) * ds.values[r * ds.dim + k] /
                       static_cast<double>(pairs);
  return std::sqrt(std::inner_product(difference.begin(), difference.end(),
                                      difference.begin(), 0.0));
}

std::vector<double> ranks(const std::vector<double> &values) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> rank(values.size());
  for (size_t i = 0; i < order.size(); ++i)
    rank[order[i]] = static_cast<double>(i);
  return rank;
}

double correlation(const std::vector<double> &x, const std::vector<double> &y) {
  double n = static_cast<double>(x.size());
  double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

double leastSquaresSlope(const std::vector<double> &x,
                         const std::vector<double> &y) {
  double n = static_cast<double>(x.size());
  double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
  }
  return sxy / sxx;
}

} // namespace

TEST(SynthTest, ShapesCountsModalitiesAndPairs) {
  SynthOptions o = smallOptions();
  SynthData data = generate(o);
  const DatasetContents &ds = data.dataset;
  EXPECT_EQ(ds.rows, 200u);
  EXPECT_EQ(ds.dim, 16u);
  EXPECT_EQ(ds.numPairs, 100u);
  ASSERT_EQ(ds.values.size(), 200u * 16);
  for (uint64_t r = 0; r < ds.rows; ++r) {
    EXPECT_EQ(ds.modality[r], r < 100 ? Modality::Image : Modality::Text);
    EXPECT_EQ(ds.pairId[r], static_cast<int64_t>(r % 100));
  }
  const SynthTruth &t = data.truth;
  EXPECT_EQ(t.counts.shared, 20u);
  EXPECT_EQ(t.counts.imageOnly, 10u);
  EXPECT_EQ(t.counts.textOnly, 10u);
  EXPECT_EQ(t.counts.bridges, 5u);
  EXPECT_EQ(t.dictionary.size(), 40u * 16);
  EXPECT_EQ(t.offsetDirection.size(), 16u);
  EXPECT_EQ(t.codes.size(), 200u * 4);
  EXPECT_EQ(t.coefficients.size(), 200u * 4);
  EXPECT_EQ(std::count(t.kind.begin(), t.kind.end(), ConceptKind::ImageOnly),
            10);
  EXPECT_EQ(std::count(t.kind.begin(), t.kind.end(), ConceptKind::TextOnly),
            10);
  EXPECT_NEAR(std::accumulate(t.weight.begin(), t.weight.end(), 0.0), 1.0,
              1e-12);
  for (size_t c = 1; c < t.weight.size(); ++c)
    EXPECT_LT(t.weight[c], t.weight[c - 1]);
  for (uint64_t c = 0; c < o.concepts; ++c)
    EXPECT_NEAR(dot(&t.dictionary[c * 16], &t.dictionary[c * 16], 16), 1.0,
                1e-6);
  for (uint64_t r = 0; r < ds.rows; ++r) {
    const int32_t *codes = &t.codes[r * 4];
    EXPECT_TRUE(std::is_sorted(codes, codes + 4));
    EXPECT_EQ(std::adjacent_find(codes, codes + 4), codes + 4);
    for (int k = 0; k < 4; ++k) {
      EXPECT_GE(codes[k], 0);
      EXPECT_LT(codes[k], 40);
      EXPECT_GT(t.coefficients[r * 4 + k], 0.0f);
    }
  }
}

TEST(SynthTest, SameSeedSameDataOtherSeedOtherData) {
  SynthOptions o = smallOptions();
  SynthData a = generate(o), b = generate(o);
  EXPECT_EQ(a.dataset.values, b.dataset.values);
  EXPECT_EQ(a.truth.dictionary, b.truth.dictionary);
  EXPECT_EQ(a.truth.codes, b.truth.codes);
  EXPECT_EQ(a.truth.coefficients, b.truth.coefficients);
  EXPECT_EQ(a.truth.kind, b.truth.kind);
  EXPECT_EQ(a.truth.bridges, b.truth.bridges);
  o.seed = 12;
  SynthData c = generate(o);
  EXPECT_NE(a.dataset.values, c.dataset.values);
  EXPECT_NE(a.truth.dictionary, c.truth.dictionary);
  EXPECT_NE(a.truth.codes, c.truth.codes);
  EXPECT_NE(a.truth.kind, c.truth.kind);
}

TEST(SynthTest, BridgeCosineTurnsOnlyTheTextSideOfEachBridge) {
  SynthOptions o = smallOptions();
  SynthData plain = generate(o);
  o.bridgeCosine = 0.6;
  SynthData turned = generate(o);
  ASSERT_FALSE(turned.truth.bridges.empty());
  uint64_t d = o.dim;
  std::vector<bool> textSide(o.concepts, false);
  for (const auto &[image, text] : turned.truth.bridges) {
    textSide[text] = true;
    const float *di = &turned.truth.dictionary[image * d];
    const float *dj = &turned.truth.dictionary[text * d];
    EXPECT_NEAR(dot(di, dj, d), 0.6, 1e-6) << "bridge " << image << "-" << text;
    EXPECT_NEAR(dot(dj, dj, d), 1.0, 1e-6);
    // Turned within the plane of dᵢ and the original dⱼ.
    const float *original = &plain.truth.dictionary[text * d];
    double along = dot(original, di, d);
    std::vector<float> rest(d);
    for (uint64_t k = 0; k < d; ++k)
      rest[k] = static_cast<float>(original[k] - along * di[k]);
    double restNorm = std::sqrt(dot(rest.data(), rest.data(), d));
    EXPECT_NEAR(dot(dj, rest.data(), d) / restNorm, std::sqrt(1 - 0.36), 1e-5);
  }
  for (uint64_t c = 0; c < o.concepts; ++c)
    if (!textSide[c])
      for (uint64_t k = 0; k < d; ++k)
        ASSERT_EQ(turned.truth.dictionary[c * d + k],
                  plain.truth.dictionary[c * d + k])
            << "concept " << c;
}

TEST(SynthTest, RowsAreUnitNorm) {
  SynthData data = generate(smallOptions());
  const DatasetContents &ds = data.dataset;
  for (uint64_t r = 0; r < ds.rows; ++r) {
    const float *row = &ds.values[r * ds.dim];
    EXPECT_NEAR(std::sqrt(dot(row, row, ds.dim)), 1.0, 1e-5) << "row " << r;
  }
}

TEST(SynthTest, CodesAndCoefficientsExplainTheRows) {
  SynthOptions o = smallOptions();
  o.dim = 64;
  o.concepts = 128;
  SynthData data = generate(o);
  const DatasetContents &ds = data.dataset;
  const SynthTruth &t = data.truth;
  const float *g = t.offsetDirection.data();
  std::vector<double> residual(o.dim);
  for (uint64_t r = 0; r < ds.rows; ++r) {
    for (uint64_t k = 0; k < o.dim; ++k)
      residual[k] = ds.values[r * o.dim + k];
    for (uint64_t slot = 0; slot < o.kActive; ++slot) {
      const float *direction =
          &t.dictionary[t.codes[r * o.kActive + slot] * o.dim];
      for (uint64_t k = 0; k < o.dim; ++k)
        residual[k] -= t.coefficients[r * o.kActive + slot] * direction[k];
    }
    // What is left is the modality offset along g plus noise of norm ~0.05.
    double along = 0;
    for (uint64_t k = 0; k < o.dim; ++k)
      along += residual[k] * g[k];
    double rest = 0;
    for (uint64_t k = 0; k < o.dim; ++k)
      rest += (residual[k] - along * g[k]) * (residual[k] - along * g[k]);
    EXPECT_LT(std::sqrt(rest), 0.1) << "row " << r;
    if (r < ds.numPairs)
      EXPECT_GT(along, 0.3) << "image row " << r;
    else
      EXPECT_LT(along, -0.3) << "caption row " << r;
  }
}

TEST(SynthTest, ModalityOnlyConceptsStayInTheirModalityAndBridgesHold) {
  SynthOptions o = smallOptions();
  o.rows = 4000;
  o.concepts = 60;
  SynthData data = generate(o);
  const SynthTruth &t = data.truth;
  uint64_t pairs = o.rows / 2, k = o.kActive;
  auto uses = [&](uint64_t row, int32_t id) {
    const int32_t *codes = &t.codes[row * k];
    return std::binary_search(codes, codes + k, id);
  };
  for (uint64_t p = 0; p < pairs; ++p) {
    for (uint64_t slot = 0; slot < k; ++slot) {
      EXPECT_NE(t.kind[t.codes[p * k + slot]], ConceptKind::TextOnly)
          << "image row " << p;
      EXPECT_NE(t.kind[t.codes[(pairs + p) * k + slot]], ConceptKind::ImageOnly)
          << "caption row " << pairs + p;
    }
    for (const auto &[image, text] : t.bridges)
      EXPECT_EQ(uses(p, static_cast<int32_t>(image)),
                uses(pairs + p, static_cast<int32_t>(text)))
          << "bridge " << image << "-" << text << " in pair " << p;
  }
  ASSERT_EQ(t.bridges.size(), 7u);
  for (const auto &[image, text] : t.bridges) {
    EXPECT_EQ(t.kind[image], ConceptKind::ImageOnly);
    EXPECT_EQ(t.kind[text], ConceptKind::TextOnly);
    EXPECT_EQ(t.bridgePartner[image], static_cast<int32_t>(text));
    EXPECT_EQ(t.bridgePartner[text], static_cast<int32_t>(image));
    EXPECT_GT(t.imageUses[image], 0u);
  }
  // Shared concepts show up on both sides.
  for (uint64_t c = 0; c < o.concepts; ++c)
    if (t.kind[c] == ConceptKind::Shared && c < 20) {
      EXPECT_GT(t.imageUses[c], 0u) << c;
      EXPECT_GT(t.textUses[c], 0u) << c;
    }
}

TEST(SynthTest, ConceptFrequenciesFollowThePlantedPowerLaw) {
  for (double zipf : {0.8, 1.0, 1.5}) {
    SynthOptions o;
    o.rows = 40000;
    o.dim = 16;
    o.concepts = 400;
    o.kActive = 4;
    o.bridges = 0; // bridged concepts also fire with their partner
    o.zipf = zipf;
    o.seed = 3;
    SynthData data = generate(o);
    const SynthTruth &t = data.truth;
    uint64_t pairs = o.rows / 2;
    // Frequency in image rows of the concepts images may use.
    std::vector<double> weight, frequency, logRank, logFrequency;
    for (uint64_t c = 0; c < o.concepts; ++c) {
      if (t.kind[c] == ConceptKind::TextOnly)
        continue;
      double f = static_cast<double>(t.imageUses[c]) / pairs;
      weight.push_back(t.weight[c]);
      frequency.push_back(f);
      // Past the top ranks, where K draws without replacement saturate.
      if (c + 1 >= 5 && c + 1 <= 200 && f > 0) {
        logRank.push_back(std::log(static_cast<double>(c + 1)));
        logFrequency.push_back(std::log(f));
      }
    }
    EXPECT_GT(correlation(ranks(weight), ranks(frequency)), 0.9)
        << "zipf " << zipf;
    double slope = leastSquaresSlope(logRank, logFrequency);
    EXPECT_NEAR(slope, -zipf, 0.1) << "log-log slope of frequency vs rank";
  }
}

TEST(SynthTest, ModalityGapIsClearlyPositive) {
  SynthOptions o = smallOptions();
  o.rows = 4000;
  o.dim = 64;
  o.concepts = 128;
  std::vector<double> difference, ignored;
  SynthData data = generate(o);
  double gap = modalityGap(data, difference);
  o.modalityOffset = 0;
  double noOffsetGap = modalityGap(generate(o), ignored);
  EXPECT_GT(gap, 0.7);
  EXPECT_GT(gap, 2 * noOffsetGap);
  // The gap lies along the planted offset direction.
  double along = 0;
  for (uint64_t k = 0; k < o.dim; ++k)
    along += difference[k] * data.truth.offsetDirection[k];
  EXPECT_GT(along / gap, 0.8);
}

TEST(SynthTest, SteepZipfStillFillsEveryRow) {
  // Nearly all the weight on a few concepts: rejection sampling alone would
  // stall; every row must still get K distinct concepts.
  SynthOptions o = smallOptions();
  o.zipf = 8;
  o.kActive = 12;
  o.bridges = 0;
  SynthData data = generate(o);
  for (uint64_t r = 0; r < o.rows; ++r) {
    const int32_t *codes = &data.truth.codes[r * 12];
    EXPECT_EQ(std::adjacent_find(codes, codes + 12), codes + 12);
  }
}

TEST(SynthTest, OutputPaths) {
  SynthPaths paths = synthPaths("dir/data.pemb");
  EXPECT_EQ(paths.dataset, "dir/data.pemb");
  EXPECT_EQ(paths.truth, "dir/data.truth.json");
  EXPECT_EQ(paths.dictionary, "dir/data.dictionary.npy");
  EXPECT_EQ(paths.codes, "dir/data.codes.npy");
  EXPECT_EQ(paths.coefficients, "dir/data.coefs.npy");
  EXPECT_EQ(synthPaths("data").truth, "data.truth.json");
  EXPECT_EQ(synthPaths("data").dataset, "data");
}

//===----------------------------------------------------------------------===//
// The command
//===----------------------------------------------------------------------===//

namespace {

/// The data of a version 1.0 .npy file after checking its header.
std::string npyData(const std::string &bytes, const std::string &descr,
                    const std::string &shape) {
  if (bytes.size() < 10 || bytes.compare(0, 8, "\x93NUMPY\x01\x00", 8) != 0)
    return "";
  size_t length = static_cast<uint8_t>(bytes[8]) |
                  static_cast<size_t>(static_cast<uint8_t>(bytes[9])) << 8;
  std::string header = bytes.substr(10, length);
  EXPECT_NE(header.find("'descr': '" + descr + "'"), std::string::npos)
      << header;
  EXPECT_NE(header.find("'shape': " + shape), std::string::npos) << header;
  EXPECT_EQ((10 + length) % 64, 0u);
  return bytes.substr(10 + length);
}

class SynthCommandTest : public testing::Test {
protected:
  /// Runs `prism` in `dir` (so relative outputs land there).
  RunResult prism(const std::string &args) { return prismIn(dir, args); }
  RunResult prismIn(const TempDir &where, const std::string &args) {
    return runCommand("cd " + where.path("") + " && " +
                          std::string(PRISM_TOOL_PATH) + " " + args,
                      logs);
  }

  /// A synth run that must fail with exactly `message`, leaving no file.
  void expectError(const std::string &args, const std::string &message) {
    RunResult result = prism("data synth " + args);
    EXPECT_EQ(result.exitCode, 1) << args;
    EXPECT_EQ(result.err, "prism data synth: error: " + message + "\n") << args;
    EXPECT_EQ(result.out, "");
    EXPECT_EQ(dir.entries(), std::vector<std::string>())
        << "an output or temporary file was left by: " << args;
  }

  TempDir dir, logs;
};

const char kSmall[] = "--rows 200 --dim 16 --concepts 40 --k-active 4";

} // namespace

TEST_F(SynthCommandTest, WritesTheDatasetAndItsTruth) {
  RunResult result =
      prism(std::string("data synth ") + kSmall + " --seed 5 -o d.pemb");
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(result.out,
            "wrote d.pemb: 200 rows (100 image, 100 text), d = 16, 100 pairs; "
            "40 concepts (20 shared, 10 image-only, 10 text-only, 5 "
            "bridges), k = 4, seed 5; truth in d.truth.json\n");
  EXPECT_EQ(result.err, "");
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{
                               "d.codes.npy", "d.coefs.npy", "d.dictionary.npy",
                               "d.pemb", "d.truth.json"}));

  StatusOr<Dataset> dataset = Dataset::open(dir.path("d.pemb"));
  ASSERT_TRUE(dataset.isOk()) << dataset.getStatus().str();
  EXPECT_EQ(dataset->rows(), 200u);
  EXPECT_EQ(dataset->dim(), 16u);
  EXPECT_EQ(dataset->numPairs(), 100u);
  EXPECT_EQ(dataset->modality(99), Modality::Image);
  EXPECT_EQ(dataset->modality(100), Modality::Text);
  EXPECT_EQ(dataset->pairId(100), 0);
  EXPECT_NE(dataset->provenance().command.find("data synth"),
            std::string::npos);

  // The files agree with the generator run through the API.
  SynthOptions o = smallOptions();
  o.seed = 5;
  SynthData expected = generate(o);
  EXPECT_EQ(0, std::memcmp(dataset->data(), expected.dataset.values.data(),
                           expected.dataset.values.size() * sizeof(float)));
  StatusOr<NpyArray> dictionary = readNpy(dir.path("d.dictionary.npy"));
  ASSERT_TRUE(dictionary.isOk()) << dictionary.getStatus().str();
  EXPECT_EQ(dictionary->header.shape, (std::vector<int64_t>{40, 16}));
  EXPECT_EQ(dictionary->values, expected.truth.dictionary);
  std::string codes =
      npyData(contentsOf(dir.path("d.codes.npy")), "<i4", "(200, 4)");
  ASSERT_EQ(codes.size(), 200u * 4 * 4);
  EXPECT_EQ(
      0, std::memcmp(codes.data(), expected.truth.codes.data(), codes.size()));
  StatusOr<NpyArray> coefs = readNpy(dir.path("d.coefs.npy"));
  ASSERT_TRUE(coefs.isOk()) << coefs.getStatus().str();
  EXPECT_EQ(coefs->values, expected.truth.coefficients);

  nlohmann::json truth =
      nlohmann::json::parse(contentsOf(dir.path("d.truth.json")));
  EXPECT_EQ(truth["schema_version"], 1);
  EXPECT_EQ(truth["settings"]["rows"], 200);
  EXPECT_EQ(truth["settings"]["seed"], 5);
  EXPECT_EQ(truth["settings"]["k_active"], 4);
  EXPECT_EQ(truth["counts"]["bridges"], 5);
  EXPECT_EQ(truth["files"]["dictionary"], "d.dictionary.npy");
  EXPECT_EQ(truth["concepts"]["kind"].size(), 40u);
  EXPECT_EQ(truth["bridges"].size(), 5u);
  EXPECT_EQ(truth["modality_offset_direction"].size(), 16u);
  for (size_t c = 0; c < 40; ++c) {
    EXPECT_EQ(truth["concepts"]["kind"][c],
              conceptKindName(expected.truth.kind[c]));
    EXPECT_EQ(truth["concepts"]["image_frequency"][c].get<double>(),
              expected.truth.imageUses[c] / 100.0);
    EXPECT_EQ(truth["concepts"]["bridge_partner"][c],
              expected.truth.bridgePartner[c]);
  }
}

TEST_F(SynthCommandTest, SameSeedSameFiles) {
  TempDir other;
  std::string args =
      std::string("data synth ") + kSmall + " --seed 9 -o d.pemb";
  ASSERT_EQ(prism(args).exitCode, 0);
  ASSERT_EQ(prismIn(other, args).exitCode, 0);
  for (const char *name :
       {"d.truth.json", "d.dictionary.npy", "d.codes.npy", "d.coefs.npy"})
    EXPECT_EQ(contentsOf(dir.path(name)), contentsOf(other.path(name))) << name;
  // The dataset differs only in its creation time.
  StatusOr<Dataset> a = Dataset::open(dir.path("d.pemb"));
  StatusOr<Dataset> b = Dataset::open(other.path("d.pemb"));
  ASSERT_TRUE(a.isOk() && b.isOk());
  EXPECT_EQ(0, std::memcmp(a->data(), b->data(), 200 * 16 * sizeof(float)));
  EXPECT_EQ(a->provenance().command, b->provenance().command);

  ASSERT_EQ(prismIn(other, std::string("data synth ") + kSmall +
                               " --seed 10 -o d.pemb")
                .exitCode,
            0);
  EXPECT_NE(contentsOf(dir.path("d.dictionary.npy")),
            contentsOf(other.path("d.dictionary.npy")));
  StatusOr<Dataset> c = Dataset::open(other.path("d.pemb"));
  ASSERT_TRUE(c.isOk());
  EXPECT_NE(0, std::memcmp(a->data(), c->data(), 200 * 16 * sizeof(float)));
}

TEST_F(SynthCommandTest, Help) {
  RunResult result = prism("data synth --help");
  EXPECT_EQ(result.exitCode, 0);
  EXPECT_EQ(result.out.rfind("usage: prism data synth", 0), 0u);
}

TEST_F(SynthCommandTest, MissingFlags) {
  expectError("--dim 16 --concepts 40 -o d.pemb",
              "no --rows: pass --rows N (image and caption rows together)");
  expectError("--rows 200 --concepts 40 -o d.pemb",
              "no --dim: pass --dim D (the embedding dimension)");
  expectError("--rows 200 --dim 16 -o d.pemb",
              "no --concepts: pass --concepts C (planted concepts)");
  expectError(kSmall, "no output: pass -o OUT");
  expectError(std::string(kSmall) + " -o d.pemb --seed",
              "option '--seed' needs a value");
  expectError(std::string(kSmall) + " --frobnicate 3 -o d.pemb",
              "unknown option '--frobnicate'; see `prism data synth --help`");
}

TEST_F(SynthCommandTest, NonNumericValues) {
  expectError("--rows abc --dim 16 --concepts 40 -o d.pemb",
              "--rows expects a whole number, got 'abc'");
  expectError("--rows -4 --dim 16 --concepts 40 -o d.pemb",
              "--rows expects a whole number, got '-4'");
  expectError("--rows 1e5 --dim 16 --concepts 40 -o d.pemb",
              "--rows expects a whole number, got '1e5'");
  expectError(std::string(kSmall) + " --zipf steep -o d.pemb",
              "--zipf expects a number, got 'steep'");
  expectError(std::string(kSmall) + " --noise nan -o d.pemb",
              "--noise expects a number, got 'nan'");
}

TEST_F(SynthCommandTest, OutOfRangeValues) {
  expectError("--rows 0 --dim 16 --concepts 40 -o d.pemb",
              "--rows must be an even number >= 2 (rows / 2 image-caption "
              "pairs), got 0");
  expectError("--rows 7 --dim 16 --concepts 40 -o d.pemb",
              "--rows must be an even number >= 2 (rows / 2 image-caption "
              "pairs), got 7");
  expectError("--rows 200 --dim 1 --concepts 40 -o d.pemb",
              "--dim must be between 2 and 65536, got 1");
  expectError("--rows 3000000000 --dim 256 --concepts 40 -o d.pemb",
              "--rows x --dim must be at most 2^32 values (16 GiB), got "
              "3000000000 x 256");
  expectError("--rows 200 --dim 16 --concepts 0 -o d.pemb",
              "--concepts must be between 1 and 1048576, got 0");
  expectError("--rows 200 --dim 16 --concepts 2000000 -o d.pemb",
              "--concepts must be between 1 and 1048576, got 2000000");
  expectError("--rows 200 --dim 4096 --concepts 100000 -o d.pemb",
              "--concepts x --dim must be at most 2^28 values (a 1 GiB "
              "dictionary), got 100000 x 4096");
  expectError("--rows 200 --dim 16 --concepts 40 --k-active 0 -o d.pemb",
              "--k-active must be between 1 and 256, got 0");
  expectError("--rows 200 --dim 16 --concepts 10 --k-active 8 -o d.pemb",
              "--k-active 8 needs 8 concepts that every image row may use "
              "freely (shared, or image-only without a bridge), but there are "
              "6; lower --k-active or --bridges, or raise --concepts");
  expectError(std::string(kSmall) +
                  " --image-fraction 0.7 --text-fraction 0.5 -o d.pemb",
              "--image-fraction + --text-fraction must be at most 1 (the "
              "rest are shared), got 0.7 + 0.5");
  expectError(std::string(kSmall) + " --image-fraction 1.5 -o d.pemb",
              "--image-fraction must be between 0 and 1, got 1.5");
  expectError(std::string(kSmall) + " --bridges 11 -o d.pemb",
              "--bridges must be between 0 and 10 (the fewer of 10 "
              "image-only and 10 text-only concepts), got 11");
  expectError(std::string(kSmall) + " --zipf 9 -o d.pemb",
              "--zipf must be between 0 and 8, got 9");
  expectError(std::string(kSmall) + " --modality-offset -1 -o d.pemb",
              "--modality-offset must be between 0 and 100, got -1");
  expectError(std::string(kSmall) + " --noise 1000 -o d.pemb",
              "--noise must be between 0 and 100, got 1000");
  expectError(std::string(kSmall) + " --bridge-cosine 1 -o d.pemb",
              "--bridge-cosine must be in [0, 1), got 1");
}

TEST_F(SynthCommandTest, UnwritableOutputLeavesNothing) {
  RunResult result =
      prism(std::string("data synth ") + kSmall + " -o missing/d.pemb");
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_EQ(result.err.rfind("missing/d.dictionary.npy: error: ", 0), 0u)
      << result.err;
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(dir.entries(), std::vector<std::string>());
}
