//===- DatasetSummaryTest.cpp - Figures of `prism data info` --------------===//

#include "TestFiles.h"

#include "prism/runtime/DatasetSummary.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace prism;
using namespace prism::test;

namespace {

// Image rows (3, 4) and (1, 0); text rows (0, 2) and (2, 0), paired in that
// order; one unpaired row holding NaN. By hand: norms 5, 1, 2, 2 (min 1, mean
// 2.5, max 5); image mean (2, 2), text mean (1, 1), gap sqrt(2); pair cosines
// 8 / 10 = 0.8 and 2 / 2 = 1, mean 0.9.
TEST(DatasetSummaryTest, HandComputedFigures) {
  DatasetContents contents;
  contents.dim = 2;
  contents.rows = 5;
  contents.values = {3, 4, 1, 0, 0, 2, 2, 0, NAN, 1};
  contents.modality = {Modality::Image, Modality::Image, Modality::Text,
                       Modality::Text, Modality::Unspecified};
  contents.pairId = {0, 1, 0, 1, -1};
  contents.numPairs = 2;
  TempDir dir;
  ASSERT_TRUE(writeDataset(dir.path("d.pemb"), contents).isOk());
  StatusOr<Dataset> dataset = Dataset::open(dir.path("d.pemb"));
  ASSERT_TRUE(dataset.isOk());

  DatasetSummary summary = summarizeDataset(*dataset);
  EXPECT_EQ(summary.imageRows, 2u);
  EXPECT_EQ(summary.textRows, 2u);
  EXPECT_EQ(summary.unspecifiedRows, 1u);
  EXPECT_EQ(summary.pairs, 2u);
  EXPECT_EQ(summary.nonfiniteValues, 1u);
  EXPECT_EQ(summary.nonfiniteRows, 1u);
  EXPECT_DOUBLE_EQ(summary.rowNorm.min, 1.0);
  EXPECT_DOUBLE_EQ(summary.rowNorm.mean, 2.5);
  EXPECT_DOUBLE_EQ(summary.rowNorm.max, 5.0);
  ASSERT_TRUE(summary.modalityGap.has_value());
  EXPECT_DOUBLE_EQ(*summary.modalityGap, std::sqrt(2.0));
  ASSERT_TRUE(summary.meanPairCosine.has_value());
  EXPECT_DOUBLE_EQ(*summary.meanPairCosine, 0.9);
}

TEST(DatasetSummaryTest, NoGapWithoutBothModalities) {
  DatasetContents contents;
  contents.dim = 1;
  contents.rows = 2;
  contents.values = {1, 2};
  contents.modality = {Modality::Text, Modality::Text};
  contents.pairId = {-1, -1};
  TempDir dir;
  ASSERT_TRUE(writeDataset(dir.path("d.pemb"), contents).isOk());
  StatusOr<Dataset> dataset = Dataset::open(dir.path("d.pemb"));
  ASSERT_TRUE(dataset.isOk());
  DatasetSummary summary = summarizeDataset(*dataset);
  EXPECT_FALSE(summary.modalityGap.has_value());
  EXPECT_FALSE(summary.meanPairCosine.has_value());
  EXPECT_DOUBLE_EQ(summary.rowNorm.mean, 1.5);
}

} // namespace
