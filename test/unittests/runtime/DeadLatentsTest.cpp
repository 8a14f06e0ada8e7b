//===- DeadLatentsTest.cpp - Counting samples since a latent fired --------===//

#include "prism/runtime/DeadLatents.h"

#include <gtest/gtest.h>

using namespace prism;

namespace {

std::vector<float> mask(const DeadLatentTracker &tracker) {
  std::vector<float> out(tracker.size(), -1.0f);
  tracker.writeMask(out.data());
  return out;
}

TEST(DeadLatentsTest, CountsSamplesAndResetsOnFiring) {
  // Window 10, batches of 4: a latent silent for 3 batches (12 samples) is
  // dead; one that fires is alive again at once.
  DeadLatentTracker tracker(3, 10);
  const float fires0[3] = {1, 0, 0}, fires1[3] = {0, 0, 1}, none[3] = {};
  tracker.update(fires0, 4);
  EXPECT_EQ(tracker.samplesSinceFired(), (std::vector<uint64_t>{0, 4, 4}));
  tracker.update(none, 4);
  EXPECT_EQ(tracker.samplesSinceFired(), (std::vector<uint64_t>{4, 8, 8}));
  EXPECT_EQ(mask(tracker), (std::vector<float>{0, 0, 0}));
  tracker.update(fires1, 4);
  // 12 >= 10: latent 1 is dead; counts saturate at the window.
  EXPECT_EQ(tracker.samplesSinceFired(), (std::vector<uint64_t>{8, 10, 0}));
  EXPECT_EQ(mask(tracker), (std::vector<float>{0, 1, 0}));
  EXPECT_EQ(tracker.deadCount(), 1u);
  EXPECT_DOUBLE_EQ(tracker.deadFraction(), 1.0 / 3);
  tracker.update(none, 2);
  EXPECT_EQ(mask(tracker), (std::vector<float>{1, 1, 0})) << "8 + 2 = 10";
  const float all[3] = {1, 1, 1};
  tracker.update(all, 4);
  EXPECT_EQ(mask(tracker), (std::vector<float>{0, 0, 0}));
  EXPECT_DOUBLE_EQ(tracker.deadFraction(), 0.0);
}

TEST(DeadLatentsTest, EncodesLargeCountsExactly) {
  uint64_t window = uint64_t(1) << 40;
  DeadLatentTracker tracker(2, window);
  const float fired[2] = {0, 1};
  tracker.update(fired, (uint64_t(1) << 30) + 5);
  tracker.update(fired, 3);
  std::vector<float> encoded = tracker.encode();
  ASSERT_EQ(encoded.size(), 4u);
  EXPECT_EQ(encoded[0], 64.0f); // (2^30 + 8) / 2^24
  EXPECT_EQ(encoded[2], 8.0f);  // (2^30 + 8) % 2^24
  DeadLatentTracker restored(2, window);
  ASSERT_TRUE(restored.decode(encoded, "ckpt").isOk());
  EXPECT_EQ(restored.samplesSinceFired(), tracker.samplesSinceFired());
  EXPECT_EQ(restored.samplesSinceFired()[0], (uint64_t(1) << 30) + 8);

  EXPECT_EQ(restored.decode({1, 2, 3}, "ckpt").str(),
            "ckpt: error: dead-latent counters hold 3 values, expected 2 x 2");
  EXPECT_EQ(restored.decode({0.5f, 0, 0, 0}, "ckpt").str(),
            "ckpt: error: dead-latent counter 0 is not a valid count");
}

} // namespace
