//===- BridgeScoreTest.cpp - Bridge Score over aligned pairs --------------===//
//
// Hand-computed C, B and ρ on three pairs of three concepts; the null model
// on pairs whose shuffle cannot change C; the chunked accumulation against
// a direct sum; the cross-correlation ranking against the raw one.
//
//===----------------------------------------------------------------------===//

#include "prism/runtime/BridgeScore.h"

#include "prism/runtime/Random.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

using namespace prism;

namespace {

// Directions in the plane: d0 = e0, d1 = (cos 60°, sin 60°), d2 = 2·e1 (not
// unit: normalised inside).
const float kDictionary[6] = {1, 0, 0.5f, 0.8660254f, 0, 2};

/// Rows 0-2 are images, 3-5 their captions.
///   image codes:   (1, 0, 0), (2, 0, 0), (0, 0, 1)
///   caption codes: (0, 3, 0), (0, 1, 0), (0, 0, 2)
SparseCodes threePairs() {
  const float z[18] = {1, 0, 0, 2, 0, 0, 0, 0, 1, //
                       0, 3, 0, 0, 1, 0, 0, 0, 2};
  SparseCodes codes(3);
  codes.appendDense(z, 6);
  return codes;
}

const std::vector<AlignedPair> kPairs = {{0, 3}, {1, 4}, {2, 5}};

} // namespace

TEST(BridgeScoreTest, CoactivationScoreAndCrossCorrelationByHand) {
  SparseCodes codes = threePairs();
  StatusOr<BridgeAnalysis> bridge =
      BridgeAnalysis::create(codes, kPairs, kDictionary, 2);
  ASSERT_TRUE(bridge.isOk()) << bridge.getStatus().str();
  EXPECT_EQ(bridge->pairs(), 3u);
  // C_01 = (1·3 + 2·1) / 3, C_22 = 1·2 / 3; nothing else co-fires.
  EXPECT_EQ(bridge->support(), 2u);
  BridgeEntry e01 = bridge->entry(0, 1);
  EXPECT_NEAR(e01.coactivation, 5.0 / 3, 1e-12);
  EXPECT_NEAR(e01.cosine, 0.5, 1e-6);
  EXPECT_NEAR(e01.score, 5.0 / 6, 1e-6);
  // ρ_01: image side of concept 0 is (1, 2, 0): mean 1, variance 2/3;
  // caption side of concept 1 is (3, 1, 0): mean 4/3, variance 14/9.
  double rho = (5.0 / 3 - 1 * 4.0 / 3) / std::sqrt(2.0 / 3 * 14.0 / 9);
  EXPECT_NEAR(e01.crossCorrelation, rho, 1e-12);
  EXPECT_NEAR(e01.chanceCoactivation, 4.0 / 3, 1e-12);
  BridgeEntry e22 = bridge->entry(2, 2);
  EXPECT_NEAR(e22.score, 2.0 / 3, 1e-6);
  // Outside the support: C = 0, B = 0, the cosine still reported.
  BridgeEntry e10 = bridge->entry(1, 0);
  EXPECT_EQ(e10.coactivation, 0.0);
  EXPECT_EQ(e10.score, 0.0);
  EXPECT_NEAR(e10.cosine, 0.5, 1e-6);
  // Concept 1 never fires on an image: no variance, ρ undefined.
  EXPECT_TRUE(std::isnan(e10.crossCorrelation));

  EXPECT_NEAR(bridge->total(), 5.0 / 6 + 2.0 / 3, 1e-6);
  EXPECT_NEAR(bridge->diagonal(), 2.0 / 3, 1e-6);
  EXPECT_NEAR(bridge->imageSideEnergy()[0], 5.0 / 6, 1e-6);
  EXPECT_NEAR(bridge->textSideEnergy()[1], 5.0 / 6, 1e-6);
  EXPECT_NEAR(bridge->textSideEnergy()[2], 2.0 / 3, 1e-6);

  // The top list leaves the diagonal out.
  std::vector<BridgeEntry> top = bridge->top(5);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].image, 0u);
  EXPECT_EQ(top[0].text, 1u);
  // Pair 0 contributes 3, pair 1 contributes 2, pair 2 nothing.
  EXPECT_EQ(bridge->topPairs(codes, kPairs, 0, 1, 5),
            (std::vector<uint64_t>{0, 1}));
  EXPECT_EQ(bridge->topPairs(codes, kPairs, 0, 1, 1),
            (std::vector<uint64_t>{0}));
}

TEST(BridgeScoreTest, CrossCorrelationRankingDoesNotFavourFrequentConcepts) {
  // Concept 0 fires on every image, concept 1 on every caption, with no
  // relation between their sizes; concepts 2 (image) and 3 (caption) fire
  // rarely but always together; concepts 4 and 5 fire once, on the same
  // pair (ρ = 1, but from one pair: left out of the ρ ranking). All the
  // directions are the same.
  SparseCodes codes(6);
  std::vector<AlignedPair> pairs;
  Xoshiro256 rng(3);
  const uint64_t n = 200;
  for (uint64_t p = 0; p < n; ++p) {
    bool rare = p % 10 == 0, once = p == 7;
    uint32_t imageIndex[3] = {0, 2, 4}, textIndex[3] = {1, 3, 5};
    float imageValue[3] = {float(1 + rng.below(100)), 1, 1};
    float textValue[3] = {float(1 + rng.below(100)), 1, 1};
    if (once) {
      imageIndex[1] = 4;
      textIndex[1] = 5;
    }
    codes.appendRow(imageIndex, imageValue, rare || once ? 2 : 1);
    codes.appendRow(textIndex, textValue, rare || once ? 2 : 1);
    pairs.push_back({2 * p, 2 * p + 1});
  }
  const float same[12] = {1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0};
  StatusOr<BridgeAnalysis> bridge =
      BridgeAnalysis::create(codes, pairs, same, 2);
  ASSERT_TRUE(bridge.isOk());
  // B ranks the frequent pair first (C ≈ 50²), ρ the rare one (ρ = 1).
  std::vector<BridgeEntry> byScore = bridge->top(1);
  EXPECT_EQ(byScore[0].image, 0u);
  EXPECT_EQ(byScore[0].text, 1u);
  std::vector<BridgeEntry> byRho =
      bridge->top(1, BridgeRanking::CrossCorrelation);
  EXPECT_EQ(byRho[0].image, 2u);
  EXPECT_EQ(byRho[0].text, 3u);
  EXPECT_NEAR(byRho[0].crossCorrelation, 1.0, 1e-9);
  EXPECT_NEAR(bridge->entry(4, 5).crossCorrelation, 1.0, 1e-9);
  for (const BridgeEntry &entry :
       bridge->top(100, BridgeRanking::CrossCorrelation))
    EXPECT_FALSE(entry.image == 4 || entry.text == 5)
        << "a concept firing on one pair is ranked";
}

TEST(BridgeScoreTest, NullModelOfIdenticalPairsEqualsTheData) {
  // Every image has the same code and so has every caption: a shuffled
  // pairing gives the same C, so the null totals equal the real ones.
  SparseCodes codes(3);
  std::vector<AlignedPair> pairs;
  for (uint64_t p = 0; p < 10; ++p) {
    uint32_t image[2] = {0, 2}, text[1] = {1};
    float imageValue[2] = {1, 2}, textValue[1] = {3};
    codes.appendRow(image, imageValue, 2);
    codes.appendRow(text, textValue, 1);
    pairs.push_back({2 * p, 2 * p + 1});
  }
  StatusOr<BridgeAnalysis> bridge =
      BridgeAnalysis::create(codes, pairs, kDictionary, 2);
  ASSERT_TRUE(bridge.isOk());
  BridgeNullModel null = bridge->nullModel(codes, pairs, 4, 9);
  EXPECT_EQ(null.shuffles, 4u);
  EXPECT_NEAR(null.totalMean, bridge->total(), 1e-9);
  EXPECT_NEAR(null.topScoreMax, bridge->top(1)[0].score, 1e-9);
  EXPECT_NEAR(null.topScoreMean, bridge->top(1)[0].score, 1e-9);
}

TEST(BridgeScoreTest, AccumulationMatchesADirectSum) {
  // Random sparse codes against a std::map accumulation; 36 products per
  // pair make 4.3 M records, more than one 4 M-record chunk, so chunks merge.
  const uint64_t n = 40, pairs = 120000, k = 6;
  SparseCodes codes(n);
  std::vector<AlignedPair> list;
  std::map<std::pair<uint32_t, uint32_t>, double> direct;
  Xoshiro256 rng(17);
  auto randomRow = [&](std::vector<uint32_t> &index,
                       std::vector<float> &value) {
    std::vector<uint64_t> all(n);
    for (uint64_t i = 0; i < n; ++i)
      all[i] = i;
    shuffle(all, rng);
    index.assign(all.begin(), all.begin() + k);
    std::sort(index.begin(), index.end());
    value.clear();
    for (uint64_t i = 0; i < k; ++i)
      value.push_back(float(rng.below(1000)) / 100);
  };
  for (uint64_t p = 0; p < pairs; ++p) {
    std::vector<uint32_t> ii, ti;
    std::vector<float> iv, tv;
    randomRow(ii, iv);
    randomRow(ti, tv);
    codes.appendRow(ii.data(), iv.data(), k);
    codes.appendRow(ti.data(), tv.data(), k);
    list.push_back({2 * p, 2 * p + 1});
    for (uint64_t a = 0; a < k; ++a)
      for (uint64_t b = 0; b < k; ++b)
        direct[{ii[a], ti[b]}] += double(iv[a]) * tv[b];
  }
  std::vector<float> dictionary(n * 3);
  for (float &v : dictionary)
    v = float(rng.below(2001)) / 1000 - 1;
  StatusOr<BridgeAnalysis> bridge =
      BridgeAnalysis::create(codes, list, dictionary.data(), 3);
  ASSERT_TRUE(bridge.isOk());
  EXPECT_EQ(bridge->support(), direct.size());
  for (const auto &[key, sum] : direct)
    ASSERT_NEAR(bridge->entry(key.first, key.second).coactivation, sum / pairs,
                1e-9 * sum)
        << key.first << "," << key.second;
}

TEST(BridgeScoreTest, Errors) {
  SparseCodes codes = threePairs();
  StatusOr<BridgeAnalysis> none =
      BridgeAnalysis::create(codes, {}, kDictionary, 2);
  ASSERT_FALSE(none.isOk());
  EXPECT_EQ(none.getStatus().str(), "bridge score: error: the data has no "
                                    "aligned image-caption pairs");
  StatusOr<BridgeAnalysis> outside =
      BridgeAnalysis::create(codes, {{0, 6}}, kDictionary, 2);
  ASSERT_FALSE(outside.isOk());
  EXPECT_EQ(outside.getStatus().str(), "bridge score: error: pair 0 names "
                                       "row 6, but there are 6 rows");
  const float bad[6] = {1, 0, NAN, 1, 0, 1};
  StatusOr<BridgeAnalysis> nan = BridgeAnalysis::create(codes, kPairs, bad, 2);
  ASSERT_FALSE(nan.isOk());
  EXPECT_EQ(nan.getStatus().str(),
            "W_dec: error: row 1 holds a value that is not finite");
}
