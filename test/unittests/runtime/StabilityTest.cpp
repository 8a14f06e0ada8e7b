//===- StabilityTest.cpp - Dictionary stability binned by energy ----------===//
//
// A dictionary against a permuted, partly perturbed copy of itself: the
// planted permutation and the planted cosines come back, binned by energy.
//
//===----------------------------------------------------------------------===//

#include "prism/runtime/Stability.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace prism;

TEST(StabilityTest, PlantedPermutationAndCosinesByEnergy) {
  // Eight orthonormal atoms in R^8; b holds atom i at row perm[i], the odd
  // atoms turned by 60° towards a spare axis... of which there is none in
  // R^8, so use R^16: atom i is e_i, its turned copy cos60·e_i + sin60·e_{8+i}.
  const uint64_t n = 8, d = 16;
  const int perm[n] = {3, 0, 6, 1, 7, 2, 5, 4};
  std::vector<float> a(n * d, 0.0f), b(n * d, 0.0f);
  for (uint64_t i = 0; i < n; ++i) {
    a[i * d + i] = 1;
    bool turned = i % 2 == 1;
    b[perm[i] * d + i] = turned ? 0.5f : 1.0f;
    if (turned)
      b[perm[i] * d + 8 + i] = 0.8660254f;
  }
  // Energies: concept 0 dead, then increasing with the index.
  std::vector<double> energy = {0, 1, 2, 3, 4, 5, 6, 7};
  StatusOr<Stability> s =
      dictionaryStability(a.data(), b.data(), n, d, energy, /*bins=*/2);
  ASSERT_TRUE(s.isOk()) << s.getStatus().str();
  for (uint64_t i = 0; i < n; ++i) {
    EXPECT_EQ(s->match[i], perm[i]);
    EXPECT_NEAR(s->matchedCosine[i], i % 2 ? 0.5 : 1.0, 1e-6);
  }
  EXPECT_NEAR(s->overall, 0.75, 1e-6);
  // The dead concept alone, then the seven others in two bins: {1, 2, 3}
  // (cosines .5, 1, .5) and {4, 5, 6, 7} (1, .5, 1, .5).
  ASSERT_EQ(s->bins.size(), 3u);
  EXPECT_TRUE(s->bins[0].dead);
  EXPECT_EQ(s->bins[0].concepts, 1u);
  EXPECT_NEAR(s->bins[0].meanCosine, 1.0, 1e-6);
  EXPECT_EQ(s->bins[1].concepts, 3u);
  EXPECT_EQ(s->bins[1].energyLow, 1.0);
  EXPECT_EQ(s->bins[1].energyHigh, 3.0);
  EXPECT_NEAR(s->bins[1].meanCosine, 2.0 / 3, 1e-6);
  EXPECT_EQ(s->bins[2].concepts, 4u);
  EXPECT_NEAR(s->bins[2].meanCosine, 0.75, 1e-6);
  EXPECT_NEAR(s->topEnergyBin, 0.75, 1e-6);
}

TEST(StabilityTest, Errors) {
  const float a[4] = {1, 0, 0, 1};
  StatusOr<Stability> energies = dictionaryStability(a, a, 2, 2, {1.0});
  ASSERT_FALSE(energies.isOk());
  EXPECT_EQ(energies.getStatus().str(),
            "stability: error: expected 2 concept energies, got 1");
  StatusOr<Stability> bins = dictionaryStability(a, a, 2, 2, {1, 2}, 0);
  ASSERT_FALSE(bins.isOk());
  EXPECT_EQ(bins.getStatus().str(),
            "stability: error: the number of energy bins must be positive");
}
