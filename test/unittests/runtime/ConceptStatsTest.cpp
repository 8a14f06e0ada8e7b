//===- ConceptStatsTest.cpp - Energy, modality score, histograms ----------===//
//
// Hand-computed values on a few rows of codes.
//
//===----------------------------------------------------------------------===//

#include "prism/runtime/ConceptStats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace prism;

namespace {

/// Four rows of three concepts: two images, a caption, one unlabelled row.
///   concept 0 fires on both images (2, 4) and the caption (1),
///   concept 1 only on the caption (3), concept 2 never.
SparseCodes fourRows() {
  const float z[12] = {2, 0, 0, //
                       4, 0, 0, //
                       1, 3, 0, //
                       5, 0, 0};
  SparseCodes codes(3);
  codes.appendDense(z, 4);
  return codes;
}

const std::vector<Modality> kModality = {Modality::Image, Modality::Image,
                                         Modality::Text, Modality::Unspecified};

} // namespace

TEST(ConceptStatsTest, EnergyMeansAndModalityScoreByHand) {
  StatusOr<ConceptStats> stats = conceptStats(fourRows(), kModality);
  ASSERT_TRUE(stats.isOk()) << stats.getStatus().str();
  EXPECT_EQ(stats->rows, 4u);
  EXPECT_EQ(stats->imageRows, 2u);
  EXPECT_EQ(stats->textRows, 1u);
  // Energy over every row, the unlabelled one included.
  EXPECT_DOUBLE_EQ(stats->energy[0], (2 + 4 + 1 + 5) / 4.0);
  EXPECT_DOUBLE_EQ(stats->energy[1], 3 / 4.0);
  EXPECT_DOUBLE_EQ(stats->energy[2], 0.0);
  EXPECT_DOUBLE_EQ(stats->imageMean[0], 3.0);
  EXPECT_DOUBLE_EQ(stats->textMean[0], 1.0);
  // μ = 3 / (3 + 1); a caption-only concept scores 0; a dead one is NaN.
  EXPECT_DOUBLE_EQ(stats->modality[0], 0.75);
  EXPECT_DOUBLE_EQ(stats->modality[1], 0.0);
  EXPECT_TRUE(std::isnan(stats->modality[2]));
  EXPECT_EQ(stats->fired, (std::vector<uint64_t>{4, 1, 0}));
}

TEST(ConceptStatsTest, OneModalityPerRowOrAnError) {
  StatusOr<ConceptStats> stats = conceptStats(fourRows(), {Modality::Image});
  ASSERT_FALSE(stats.isOk());
  EXPECT_EQ(stats.getStatus().str(),
            "concept statistics: error: expected one modality per row (4), "
            "got 1");
}

TEST(ConceptStatsTest, NonFiniteCodeIsAnError) {
  const float z[2] = {1, std::numeric_limits<float>::infinity()};
  SparseCodes codes(2);
  codes.appendDense(z, 1);
  StatusOr<ConceptStats> stats = conceptStats(codes, {Modality::Image});
  ASSERT_FALSE(stats.isOk());
  EXPECT_EQ(stats.getStatus().str(), "concept statistics: error: row 0, "
                                     "concept 1: the code is not finite");
}

TEST(ConceptStatsTest, HistogramCountsAndWeights) {
  // Bins of width 0.25 over [0, 1]: 1.0 falls in the closed last bin; NaN
  // and 1.5 are skipped.
  std::vector<double> values = {0.0, 0.1, 0.3, 0.99, 1.0, NAN, 1.5};
  Histogram counts = histogram(values, 4, 0.0, 1.0);
  EXPECT_EQ(counts.edges, (std::vector<double>{0, 0.25, 0.5, 0.75, 1}));
  EXPECT_EQ(counts.counts, (std::vector<double>{2, 1, 0, 2}));
  EXPECT_EQ(counts.skipped, 2u);
  std::vector<double> weights = {1, 2, 4, 8, 16, 32, 64};
  Histogram weighted = histogram(values, 4, 0.0, 1.0, &weights);
  EXPECT_EQ(weighted.counts, (std::vector<double>{3, 4, 0, 24}));
}
