//===- EvalMetricsTest.cpp - The default evaluation metrics ---------------===//
//
// The accumulators of EvalMetrics.h against values worked out by hand on
// tiny matrices, and against a direct two-pass reference on data with a
// large offset cut into uneven batches.
//
//===----------------------------------------------------------------------===//

#include "prism/runtime/EvalMetrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

using namespace prism;

namespace {

// x = [[1, 2], [3, 4], [5, 9]]: column means [3, 5], M2 [8, 26] (sum 34);
// the mean of all six entries is 4 and Σ (x − 4)² = 40 = 34 + 3·(1 + 1).
const std::vector<float> kX = {1, 2, 3, 4, 5, 9};
// xhat differs by 1 in entries (1, 1) and (2, 0): Σ ‖x − x̂‖² = 2.
const std::vector<float> kXhat = {1, 2, 3, 5, 4, 9};
// z: latent 0 fires on row 1, latent 1 on rows 0 and 2, latent 3 on row 2
// (negative values fire too), latent 2 never.
const std::vector<float> kZ = {0, 1, 0, 0, //
                               2, 0, 0, 0, //
                               0, 3, 0, -1};

TEST(ColumnMomentsTest, HandComputed) {
  ColumnMoments moments(2);
  moments.add(kX.data(), 3);
  EXPECT_EQ(moments.count(), 3u);
  EXPECT_DOUBLE_EQ(moments.mean()[0], 3.0);
  EXPECT_DOUBLE_EQ(moments.mean()[1], 5.0);
  EXPECT_DOUBLE_EQ(moments.m2()[0], 8.0);
  EXPECT_DOUBLE_EQ(moments.m2()[1], 26.0);
  EXPECT_DOUBLE_EQ(moments.perColumnSumOfSquares(), 34.0);
  EXPECT_DOUBLE_EQ(moments.globalSumOfSquares(), 40.0);
}

TEST(ColumnMomentsTest, BatchesAndSelectionsGiveTheSame) {
  ColumnMoments split(2);
  split.add(kX.data(), 2);     // rows 0 and 1
  split.add(kX.data() + 4, 1); // row 2
  EXPECT_DOUBLE_EQ(split.perColumnSumOfSquares(), 34.0);
  EXPECT_DOUBLE_EQ(split.globalSumOfSquares(), 40.0);

  // Rows 2 and 0 of the batch, then row 1 merged from another accumulator.
  ColumnMoments selected(2), other(2);
  uint32_t rows[] = {2, 0};
  selected.add(kX.data(), 3, {rows, 2});
  uint32_t one[] = {1};
  other.add(kX.data(), 3, {one, 1});
  selected.merge(other);
  EXPECT_EQ(selected.count(), 3u);
  EXPECT_DOUBLE_EQ(selected.mean()[1], 5.0);
  EXPECT_DOUBLE_EQ(selected.perColumnSumOfSquares(), 34.0);
  EXPECT_DOUBLE_EQ(selected.globalSumOfSquares(), 40.0);

  // An empty selection changes nothing.
  selected.add(kX.data(), 3, {rows, 0});
  EXPECT_EQ(selected.count(), 3u);
}

TEST(ReconstructionAccumulatorTest, HandComputed) {
  ReconstructionAccumulator acc(2);
  acc.add(kX.data(), kXhat.data(), 3);
  ReconstructionMetrics m = acc.finalize();
  EXPECT_EQ(m.rows, 3u);
  EXPECT_DOUBLE_EQ(m.sse, 2.0);
  EXPECT_DOUBLE_EQ(*m.mse, 2.0 / 6.0);
  EXPECT_DOUBLE_EQ(*m.r2PerDim, 1.0 - 2.0 / 34.0);
  EXPECT_DOUBLE_EQ(*m.fvu, 2.0 / 34.0);
  EXPECT_DOUBLE_EQ(*m.r2GlobalScalar, 1.0 - 2.0 / 40.0);
  EXPECT_EQ(m.nonfiniteRows, 0u);
}

TEST(ReconstructionAccumulatorTest, UndefinedRatiosAreEmpty) {
  ReconstructionAccumulator none(2);
  ReconstructionMetrics empty = none.finalize();
  EXPECT_EQ(empty.rows, 0u);
  EXPECT_FALSE(empty.mse);
  EXPECT_FALSE(empty.r2PerDim);
  EXPECT_FALSE(empty.r2GlobalScalar);

  // One row: no spread about the per-dimension mean, but the entries of the
  // row still spread about their common mean 1.5 (Σ = 0.5).
  ReconstructionAccumulator single(2);
  float x[] = {1, 2}, xhat[] = {1, 3};
  single.add(x, xhat, 1);
  ReconstructionMetrics one = single.finalize();
  EXPECT_FALSE(one.r2PerDim);
  EXPECT_FALSE(one.fvu);
  EXPECT_DOUBLE_EQ(*one.r2GlobalScalar, 1.0 - 1.0 / 0.5);
  EXPECT_DOUBLE_EQ(*one.mse, 0.5);

  // A NaN in xhat: counted, and the ratios are empty rather than NaN.
  ReconstructionAccumulator bad(2);
  float nanHat[] = {1, 2, NAN, 4, 5, 9};
  bad.add(kX.data(), nanHat, 3);
  ReconstructionMetrics m = bad.finalize();
  EXPECT_EQ(m.nonfiniteRows, 1u);
  EXPECT_FALSE(m.r2PerDim);
  EXPECT_FALSE(m.mse);
}

TEST(SparsityAccumulatorTest, HandComputed) {
  SparsityAccumulator acc(4);
  acc.add(kZ.data(), 3);
  SparsityMetrics m = acc.finalize();
  EXPECT_EQ(m.rows, 3u);
  EXPECT_EQ(m.latents, 4u);
  EXPECT_EQ(m.nonzeros, 4u);
  EXPECT_DOUBLE_EQ(*m.l0, 4.0 / 3.0);
  EXPECT_EQ(m.deadLatents, 1u);
  EXPECT_DOUBLE_EQ(m.deadFraction, 0.25);
  EXPECT_EQ(m.firedRows, (std::vector<uint64_t>{1, 2, 0, 1}));

  // Rows 0 and 2 only: latent 0 is dead too.
  SparsityAccumulator some(4);
  uint32_t rows[] = {0, 2};
  some.add(kZ.data(), 3, {rows, 2});
  SparsityMetrics s = some.finalize();
  EXPECT_DOUBLE_EQ(*s.l0, 1.5);
  EXPECT_EQ(s.deadLatents, 2u);
  EXPECT_DOUBLE_EQ(s.deadFraction, 0.5);

  // Nothing seen: L0 undefined, every latent dead.
  SparsityMetrics none = SparsityAccumulator(4).finalize();
  EXPECT_FALSE(none.l0);
  EXPECT_DOUBLE_EQ(none.deadFraction, 1.0);
}

TEST(SparsityAccumulatorTest, NanFires) {
  SparsityAccumulator acc(2);
  float z[] = {NAN, 0};
  acc.add(z, 1);
  EXPECT_EQ(acc.finalize().nonzeros, 1u);
  EXPECT_EQ(acc.deadLatents(), 1u);
}

TEST(EvalAccumulatorTest, ModalitiesAndBatches) {
  // Rows 0 and 2 are images, row 1 text; fed as a batch of 2 then one of 1.
  Modality modality[] = {Modality::Image, Modality::Text, Modality::Image};
  EvalAccumulator acc(2, 4);
  acc.add(kX.data(), kXhat.data(), kZ.data(), 2, modality, 1.0);
  EXPECT_EQ(acc.rows(), 2u);
  EXPECT_DOUBLE_EQ(acc.runningL0(), 1.0);
  EXPECT_DOUBLE_EQ(acc.runningDeadFraction(), 0.5);
  acc.add(kX.data() + 4, kXhat.data() + 4, kZ.data() + 8, 1, modality + 2, 4.0);
  EvalMetrics m = acc.finalize();

  // All rows: as computed by hand above.
  EXPECT_EQ(m.all.reconstruction.rows, 3u);
  EXPECT_NEAR(*m.all.reconstruction.r2PerDim, 1.0 - 2.0 / 34.0, 1e-15);
  EXPECT_NEAR(*m.all.reconstruction.r2GlobalScalar, 1.0 - 2.0 / 40.0, 1e-15);
  EXPECT_DOUBLE_EQ(*m.all.sparsity.l0, 4.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.all.sparsity.deadFraction, 0.25);
  // Row-weighted: (2 · 1 + 1 · 4) / 3.
  EXPECT_DOUBLE_EQ(*m.loss, 2.0);

  // Images, rows 0 and 2: x = [[1, 2], [5, 9]], means [3, 5.5], M2 8 + 24.5;
  // entries mean 4.25, Σ (x − 4.25)² = 38.75; one error of 1.
  ASSERT_TRUE(m.image);
  EXPECT_EQ(m.image->reconstruction.rows, 2u);
  EXPECT_DOUBLE_EQ(*m.image->reconstruction.r2PerDim, 1.0 - 1.0 / 32.5);
  EXPECT_DOUBLE_EQ(*m.image->reconstruction.r2GlobalScalar, 1.0 - 1.0 / 38.75);
  EXPECT_DOUBLE_EQ(*m.image->reconstruction.mse, 0.25);
  EXPECT_DOUBLE_EQ(*m.image->sparsity.l0, 1.5);
  EXPECT_DOUBLE_EQ(m.image->sparsity.deadFraction, 0.5);

  // The caption, row 1: one row, so R² per-dim is undefined; entries 3 and
  // 4 about 3.5 give 0.5 against an error of 1.
  ASSERT_TRUE(m.text);
  EXPECT_EQ(m.text->reconstruction.rows, 1u);
  EXPECT_FALSE(m.text->reconstruction.r2PerDim);
  EXPECT_DOUBLE_EQ(*m.text->reconstruction.r2GlobalScalar, -1.0);
  EXPECT_DOUBLE_EQ(*m.text->sparsity.l0, 1.0);
  EXPECT_DOUBLE_EQ(m.text->sparsity.deadFraction, 0.75);
}

TEST(EvalAccumulatorTest, NoModalitiesNoGroups) {
  EvalAccumulator acc(2, 4);
  acc.add(kX.data(), kXhat.data(), kZ.data(), 3);
  EvalMetrics m = acc.finalize();
  EXPECT_FALSE(m.image);
  EXPECT_FALSE(m.text);
  EXPECT_FALSE(m.loss);
  EXPECT_DOUBLE_EQ(*m.all.reconstruction.r2PerDim, 1.0 - 2.0 / 34.0);
}

/// A fixed LCG in [0, 1).
struct Lcg {
  uint64_t state = 88172645463325252ull;
  double next() {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(state >> 11) * 0x1.0p-53;
  }
};

TEST(EvalAccumulatorTest, ExactOverUnevenBatchesWithALargeOffset) {
  // 1000 rows of d = 7 around 1e3 with spread ~1e-2 (a modality-gap-like
  // offset): the naive Σx² − (Σx)²/N would lose about 10 of 16 digits.
  const uint32_t d = 7;
  const uint64_t n = 1000, latents = 5;
  Lcg rng;
  std::vector<float> x(n * d), xhat(n * d), z(n * latents, 0.0f);
  std::vector<Modality> modality(n);
  for (uint64_t r = 0; r < n; ++r) {
    modality[r] = r % 3 ? Modality::Image : Modality::Text;
    for (uint32_t j = 0; j < d; ++j) {
      x[r * d + j] = static_cast<float>(1000.0 + j + 0.01 * rng.next());
      xhat[r * d + j] = static_cast<float>(x[r * d + j] + 0.001 * rng.next());
    }
    z[r * latents + r % 4] = 1.0f; // latent 4 never fires
  }
  EvalAccumulator acc(d, latents);
  uint64_t sizes[] = {1, 300, 77, 512, 110}; // sums to 1000
  uint64_t start = 0;
  for (uint64_t size : sizes) {
    acc.add(&x[start * d], &xhat[start * d], &z[start * latents], size,
            &modality[start]);
    start += size;
  }
  ASSERT_EQ(start, n);
  EvalMetrics m = acc.finalize();

  // Two-pass reference in double over the whole set.
  std::vector<double> mean(d, 0.0);
  double grand = 0, sse = 0;
  for (uint64_t r = 0; r < n; ++r)
    for (uint32_t j = 0; j < d; ++j) {
      mean[j] += x[r * d + j] / static_cast<double>(n);
      grand += x[r * d + j] / static_cast<double>(n * d);
      double e = static_cast<double>(x[r * d + j]) - xhat[r * d + j];
      sse += e * e;
    }
  double perDim = 0, global = 0;
  for (uint64_t r = 0; r < n; ++r)
    for (uint32_t j = 0; j < d; ++j) {
      double a = x[r * d + j] - mean[j], b = x[r * d + j] - grand;
      perDim += a * a;
      global += b * b;
    }
  EXPECT_NEAR(*m.all.reconstruction.r2PerDim, 1.0 - sse / perDim, 1e-9);
  EXPECT_NEAR(*m.all.reconstruction.r2GlobalScalar, 1.0 - sse / global, 1e-12);
  EXPECT_NEAR(*m.all.reconstruction.mse, sse / (n * d), 1e-18);
  EXPECT_DOUBLE_EQ(*m.all.sparsity.l0, 1.0);
  EXPECT_DOUBLE_EQ(m.all.sparsity.deadFraction, 0.2);
  EXPECT_EQ(m.image->reconstruction.rows + m.text->reconstruction.rows, n);
}

} // namespace
