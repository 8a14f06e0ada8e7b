//===- InitTest.cpp - Parameter initialisers ------------------------------===//
//
// Each initialiser against values computed by hand or by the documented
// formula, bounds and moments; the geometric median against a NumPy
// Weiszfeld reference run by Debian's python3.
//
//===----------------------------------------------------------------------===//

#include "TestFiles.h"

#include "prism/runtime/DataLoader.h"
#include "prism/runtime/Dataset.h"
#include "prism/runtime/Init.h"
#include "prism/runtime/Support.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>

using namespace prism;
using namespace prism::test;

namespace {

BufferInfo param(std::string name, std::vector<int64_t> shape, InitKind kind,
                 std::string source = "") {
  BufferInfo buffer;
  buffer.name = std::move(name);
  buffer.kind = BufferKind::Parameter;
  buffer.shape = std::move(shape);
  buffer.init.kind = kind;
  buffer.init.source = std::move(source);
  return buffer;
}

BufferInfo input(std::string name, int64_t width) {
  BufferInfo buffer;
  buffer.name = std::move(name);
  buffer.kind = BufferKind::Input;
  buffer.shape = {-1, width};
  return buffer;
}

/// Storage for the non-batched buffers of a program.
struct Storage {
  explicit Storage(const ProgramInfo &info) {
    for (const BufferInfo &buffer : info.buffers) {
      values.emplace_back(buffer.isBatched() ? 0 : buffer.numElements(0),
                          -99.0f);
    }
    for (auto &v : values)
      pointers.push_back(v.empty() ? nullptr : v.data());
  }
  std::vector<std::vector<float>> values;
  std::vector<float *> pointers;
};

Status initialise(const ProgramInfo &info, Storage &storage, uint64_t seed = 0,
                  const Dataset *data = nullptr,
                  const std::vector<uint64_t> *rows = nullptr) {
  InitContext context;
  context.runSeed = seed;
  context.dataset = data;
  context.rows = rows;
  return initializeParameters(info, storage.pointers, context, "p.prism");
}

TEST(InitTest, ConstantAndNone) {
  ProgramInfo info;
  info.buffers = {param("a", {2, 3}, InitKind::Constant),
                  param("b", {4}, InitKind::None)};
  info.buffers[0].init.value = 0.25;
  Storage storage(info);
  ASSERT_TRUE(initialise(info, storage).isOk());
  EXPECT_EQ(storage.values[0], std::vector<float>(6, 0.25f));
  EXPECT_EQ(storage.values[1], std::vector<float>(4, 0.0f));
}

TEST(InitTest, StreamsFollowTheDocumentedFormula) {
  // FNV-1a 64 reference values (the algorithm's published test vectors).
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ull);
  EXPECT_EQ(parameterSeed(3, 5, "W_enc"),
            derivedSeed(derivedSeed(3, 5), fnv1a64("W_enc")));

  ProgramInfo info;
  info.buffers = {param("W_enc", {8, 4}, InitKind::Kaiming)};
  Storage storage(info);
  ASSERT_TRUE(initialise(info, storage, /*seed=*/3).isOk());
  Xoshiro256 rng(parameterSeed(3, 0, "W_enc"));
  double bound = std::sqrt(6.0 / 8.0);
  for (float value : storage.values[0]) {
    double u = static_cast<double>(rng.next() >> 11) * 0x1.0p-53;
    ASSERT_EQ(value, static_cast<float>(bound * (2.0 * u - 1.0)));
  }
  // Pinned, so a change of generator or formula cannot go unnoticed: the
  // first values of this parameter on every platform.
  char text[64];
  std::snprintf(text, sizeof(text), "%.9g %.9g", storage.values[0][0],
                storage.values[0][1]);
  EXPECT_STREQ(text, "-0.311734885 -0.260672539");
}

TEST(InitTest, KaimingAndXavierBounds) {
  ProgramInfo info;
  info.buffers = {param("k", {64, 256}, InitKind::Kaiming),
                  param("x", {64, 256}, InitKind::Xavier),
                  param("k2", {64, 256}, InitKind::Kaiming)};
  Storage storage(info);
  ASSERT_TRUE(initialise(info, storage, 11).isOk());
  for (auto [index, bound] : {std::pair<int, double>{0, std::sqrt(6.0 / 64)},
                              {1, std::sqrt(6.0 / (64 + 256))}}) {
    const std::vector<float> &v = storage.values[index];
    double lo = *std::min_element(v.begin(), v.end());
    double hi = *std::max_element(v.begin(), v.end());
    double mean = std::accumulate(v.begin(), v.end(), 0.0) / v.size();
    double square = 0;
    for (float value : v)
      square += static_cast<double>(value) * value;
    EXPECT_GE(lo, -bound);
    EXPECT_LT(hi, bound);
    // 16384 uniform draws: the extremes come within 0.1% of the bounds,
    // the mean within 4 standard errors of 0, the variance within 3% of
    // bound^2 / 3.
    EXPECT_LT(lo, -0.999 * bound);
    EXPECT_GT(hi, 0.999 * bound);
    EXPECT_LT(std::fabs(mean), 4 * bound / std::sqrt(3.0 * v.size()));
    EXPECT_NEAR(square / v.size(), bound * bound / 3, 0.03 * bound * bound / 3);
  }
  EXPECT_NE(storage.values[0], storage.values[2])
      << "each parameter has its own stream";

  Storage again(info);
  ASSERT_TRUE(initialise(info, again, 11).isOk());
  EXPECT_EQ(storage.values, again.values) << "the same seed, the same values";
  Storage other(info);
  ASSERT_TRUE(initialise(info, other, 12).isOk());
  EXPECT_NE(storage.values[0], other.values[0]);
}

TEST(InitTest, NormalMoments) {
  ProgramInfo info;
  info.buffers = {param("n", {100, 100}, InitKind::Normal)};
  info.buffers[0].init.std = 2.0;
  Storage storage(info);
  ASSERT_TRUE(initialise(info, storage, 1).isOk());
  const std::vector<float> &v = storage.values[0];
  double mean = std::accumulate(v.begin(), v.end(), 0.0) / v.size();
  double var = 0;
  for (float value : v)
    var += (value - mean) * (value - mean);
  var /= v.size();
  // 10000 draws: the mean within 4 standard errors (4 * 2 / 100), the
  // standard deviation within 3%.
  EXPECT_LT(std::fabs(mean), 0.08);
  EXPECT_NEAR(std::sqrt(var), 2.0, 0.06);

  // The parameter's own seed changes the stream; its name does too.
  info.buffers[0].init.seed = 9;
  Storage seeded(info);
  ASSERT_TRUE(initialise(info, seeded, 1).isOk());
  EXPECT_NE(seeded.values[0], v);

  info.buffers[0].init.std = -1;
  Storage bad(info);
  EXPECT_EQ(initialise(info, bad).str(),
            "p.prism: error: parameter 'n' has normal(std = -1.000000); the "
            "standard deviation must be finite and >= 0");
}

TEST(InitTest, TransposeCopyAndConstraintsInDependencyOrder) {
  ProgramInfo info;
  // W_dec comes first but reads W_enc; b copies a copy.
  info.buffers = {param("W_dec", {3, 2}, InitKind::Transpose, "W_enc"),
                  param("b2", {2}, InitKind::Copy, "b1"),
                  param("b1", {2}, InitKind::Copy, "b0"),
                  param("W_enc", {2, 3}, InitKind::Kaiming),
                  param("b0", {2}, InitKind::Constant)};
  info.buffers[0].constraint = ParamConstraint::UnitRows;
  info.buffers[3].constraint = ParamConstraint::UnitCols;
  info.buffers[4].init.value = 3;
  Storage storage(info);
  ASSERT_TRUE(initialise(info, storage, 5).isOk());
  const std::vector<float> &enc = storage.values[3], &dec = storage.values[0];
  for (int col = 0; col < 3; ++col) {
    double norm = std::hypot(enc[col], enc[3 + col]);
    EXPECT_NEAR(norm, 1.0, 1e-6) << "W_enc column " << col;
  }
  for (int row = 0; row < 3; ++row)
    for (int col = 0; col < 2; ++col)
      EXPECT_NEAR(dec[row * 2 + col], enc[col * 3 + row], 1e-6)
          << "W_dec = W_enc^T with unit rows (the unit columns of W_enc)";
  EXPECT_EQ(storage.values[1], std::vector<float>(2, 3.0f));
  EXPECT_EQ(storage.values[2], std::vector<float>(2, 3.0f));
}

TEST(InitTest, UnitRowsByHandAndZeroRows) {
  ProgramInfo info;
  info.buffers = {param("D", {2, 2}, InitKind::Constant)};
  info.buffers[0].init.value = 0;
  info.buffers[0].constraint = ParamConstraint::UnitRows;
  Storage storage(info);
  ASSERT_TRUE(initialise(info, storage).isOk());
  EXPECT_EQ(storage.values[0], std::vector<float>(4, 0.0f))
      << "zero rows stay zero";
  info.buffers[0].init.value = 3;
  ASSERT_TRUE(initialise(info, storage).isOk());
  float half = static_cast<float>(1.0 / std::sqrt(2.0));
  EXPECT_EQ(storage.values[0], std::vector<float>(4, half));
}

TEST(InitTest, SourceErrors) {
  ProgramInfo info;
  info.buffers = {param("a", {2, 3}, InitKind::Transpose, "b"),
                  param("b", {3, 2}, InitKind::Copy, "c"),
                  param("c", {3, 2}, InitKind::Transpose, "a")};
  Storage storage(info);
  EXPECT_EQ(initialise(info, storage).str(),
            "p.prism: error: parameter initialisers form a cycle: a -> b -> "
            "c -> a");

  info.buffers = {param("a", {2, 3}, InitKind::Copy, "zz")};
  Storage missing(info);
  EXPECT_EQ(initialise(info, missing).str(),
            "p.prism: error: parameter 'a' is initialised as a copy of 'zz', "
            "which is not a parameter of the program");

  info.buffers = {param("a", {2, 3}, InitKind::Transpose, "b"),
                  param("b", {2, 3}, InitKind::Constant)};
  Storage wrong(info);
  EXPECT_EQ(initialise(info, wrong).str(),
            "p.prism: error: parameter 'a' has shape [2, 3], which is not the "
            "transpose of 'b' [2, 3]");

  info.buffers = {param("a", {2, 3}, InitKind::Copy, "b"),
                  param("b", {3, 2}, InitKind::Constant)};
  Storage copy(info);
  EXPECT_EQ(initialise(info, copy).str(),
            "p.prism: error: parameter 'a' has shape [2, 3], but its copy "
            "source 'b' has shape [3, 2]");

  info.buffers = {param("m", {4}, InitKind::Mean, "x")};
  Storage noInput(info);
  EXPECT_EQ(initialise(info, noInput).str(),
            "p.prism: error: parameter 'm' is initialised with mean(x), but "
            "the program has no input 'x'");
  info.buffers.push_back(input("x", 4));
  Storage noRows(info);
  EXPECT_EQ(initialise(info, noRows).str(),
            "p.prism: error: parameter 'm' is initialised with mean(x), but "
            "no training rows were given");
}

//===----------------------------------------------------------------------===//
// Mean and median over dataset rows
//===----------------------------------------------------------------------===//

class DataInitTest : public testing::Test {
protected:
  /// Writes and opens a dataset of `rows` rows of `dim` values.
  const Dataset &dataset(const std::vector<float> &values, uint32_t dim) {
    DatasetContents contents;
    contents.dim = dim;
    contents.rows = values.size() / dim;
    contents.values = values;
    contents.modality.assign(contents.rows, Modality::Unspecified);
    contents.pairId.assign(contents.rows, -1);
    std::string path = dir.path("d" + std::to_string(count++) + ".pemb");
    EXPECT_TRUE(writeDataset(path, contents).isOk());
    StatusOr<Dataset> opened = Dataset::open(path);
    EXPECT_TRUE(opened.isOk()) << opened.getStatus().str();
    data = std::make_unique<Dataset>(opened.take());
    return *data;
  }

  /// The reference median of `values` from Inputs/weiszfeld.py.
  std::vector<double> numpyMedian(const std::vector<float> &values,
                                  size_t dim) {
    std::string npy = dir.path("points.npy"), out = dir.path("median.txt");
    writeBytes(npy, npyF32(values, values.size() / dim, dim));
    std::string command = std::string(PRISM_PYTHON) + " " + PRISM_TEST_INPUTS +
                          "/weiszfeld.py " + npy + " > " + out;
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    std::vector<double> median;
    std::ifstream in(out);
    double value;
    while (in >> value)
      median.push_back(value);
    return median;
  }

  TempDir dir;
  std::unique_ptr<Dataset> data;
  int count = 0;
};

TEST_F(DataInitTest, MeanOfTheTrainingRows) {
  // Rows r = (r, 2r, -r); the training rows 1, 2 and 5 average to
  // (8/3, 16/3, -8/3). Rows 0, 3 and 4 must not count.
  std::vector<float> values;
  for (int r = 0; r < 6; ++r)
    values.insert(values.end(), {float(r), 2.0f * r, -float(r)});
  const Dataset &d = dataset(values, 3);
  ProgramInfo info;
  info.buffers = {param("b", {3}, InitKind::Mean, "x"), input("x", 3)};
  Storage storage(info);
  std::vector<uint64_t> rows = {1, 2, 5};
  ASSERT_TRUE(initialise(info, storage, 0, &d, &rows).isOk());
  EXPECT_EQ(storage.values[0],
            (std::vector<float>{8.0f / 3, 16.0f / 3, -8.0f / 3}));

  info.buffers[0].shape = {4};
  Storage wrong(info);
  EXPECT_EQ(initialise(info, wrong, 0, &d, &rows).str(),
            "p.prism: error: parameter 'b' has shape [4] (4 values), but "
            "mean(x) has 3 (the dataset dimension)");
}

TEST_F(DataInitTest, MedianOfSymmetricPointsIsTheirCentre) {
  // Pairs c + v and c - v: the unit vectors towards them cancel at c, so c
  // is the geometric median, whatever the v.
  const float c[3] = {0.25f, -0.5f, 1.0f};
  std::mt19937 rng(3);
  std::vector<float> values;
  for (int i = 0; i < 50; ++i) {
    float v[3];
    for (float &x : v)
      x = static_cast<float>(rng() % 1000) / 250.0f - 2.0f;
    for (int sign : {1, -1})
      for (int j = 0; j < 3; ++j)
        values.push_back(c[j] + sign * v[j]);
  }
  std::vector<const float *> points;
  for (size_t i = 0; i < values.size(); i += 3)
    points.push_back(&values[i]);
  std::vector<double> median = geometricMedian(points, 3);
  for (int j = 0; j < 3; ++j)
    EXPECT_NEAR(median[j], c[j], 1e-6);
}

TEST_F(DataInitTest, MedianMatchesNumpyWeiszfeld) {
  // A cluster around (1, 1, 1, 1) with a tenth of the points far out along
  // one axis: the mean moves towards the outliers, the median barely does.
  std::mt19937 rng(17);
  auto noise = [&] {
    return static_cast<float>(rng() % 2001) / 1000.0f - 1.0f;
  };
  std::vector<float> values;
  for (int i = 0; i < 300; ++i)
    for (int j = 0; j < 4; ++j)
      values.push_back(1.0f + 0.3f * noise() +
                       (i % 10 == 0 && j == 0 ? 50 : 0));
  const Dataset &d = dataset(values, 4);
  ProgramInfo info;
  info.buffers = {param("b_dec", {4}, InitKind::Median, "x"),
                  param("b_mean", {4}, InitKind::Mean, "x"), input("x", 4)};
  Storage storage(info);
  std::vector<uint64_t> rows(300);
  std::iota(rows.begin(), rows.end(), 0);
  ASSERT_TRUE(initialise(info, storage, 0, &d, &rows).isOk());
  std::vector<double> reference = numpyMedian(values, 4);
  ASSERT_EQ(reference.size(), 4u);
  // Both run the same iteration in float64 on the same float32 points;
  // the runtime stops at a step of 1e-10 and rounds to float32, so the
  // answers agree to float32 precision (values near 1: ~1e-7).
  for (int j = 0; j < 4; ++j)
    EXPECT_NEAR(storage.values[0][j], reference[j], 1e-6) << "coordinate " << j;
  EXPECT_GT(storage.values[1][0] - storage.values[0][0], 4.0)
      << "the mean is pulled by the outliers, the median is not";
}

TEST_F(DataInitTest, MedianOfManyRowsUsesAFixedSample) {
  uint64_t n = kMedianSampleRows + 5000;
  std::mt19937 rng(5);
  std::vector<float> values;
  for (uint64_t i = 0; i < n; ++i) {
    values.push_back(static_cast<float>(rng() % 1000) / 1000.0f);
    values.push_back(static_cast<float>(rng() % 1000) / 500.0f);
  }
  const Dataset &d = dataset(values, 2);
  ProgramInfo info;
  info.buffers = {param("b", {2}, InitKind::Median, "x"), input("x", 2)};
  std::vector<uint64_t> rows(n);
  std::iota(rows.begin(), rows.end(), 0);
  Storage a(info), b(info), c(info);
  ASSERT_TRUE(initialise(info, a, 1, &d, &rows).isOk());
  ASSERT_TRUE(initialise(info, b, 1, &d, &rows).isOk());
  ASSERT_TRUE(initialise(info, c, 2, &d, &rows).isOk());
  EXPECT_EQ(a.values[0], b.values[0]) << "the sample is fixed by the seed";
  EXPECT_NE(a.values[0], c.values[0]) << "another seed, another sample";
  // The median of a uniform square [0, 1) x [0, 2) is near its centre; a
  // sample of 16384 points finds it within a few hundredths.
  EXPECT_NEAR(a.values[0][0], 0.5, 0.03);
  EXPECT_NEAR(a.values[0][1], 1.0, 0.06);
}

} // namespace
