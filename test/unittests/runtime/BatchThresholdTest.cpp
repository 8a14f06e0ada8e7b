//===- BatchThresholdTest.cpp - BatchTopK's running threshold -------------===//

#include "prism/runtime/BatchThreshold.h"
#include "prism/runtime/Checkpoint.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace prism;

namespace {

const uint64_t W = kThresholdWarmupSteps;

TEST(BatchThresholdTest, TheReferenceConstants) {
  // dictionary_learning's BatchTopK trainer: beta 0.999, 1000 warm-up steps.
  EXPECT_EQ(kThresholdBeta, 0.999);
  EXPECT_EQ(kThresholdWarmupSteps, 1000u);
}

TEST(BatchThresholdTest, WarmUpStepsLeaveItUnknown) {
  ThresholdEstimate theta("batchtopk.theta");
  for (uint64_t step = 1; step <= W; ++step)
    EXPECT_FALSE(theta.observe(step, 0.5));
  EXPECT_FALSE(theta.known());
  EXPECT_EQ(theta.count(), 0u);
}

TEST(BatchThresholdTest, TheFirstSampleSetsThetaThenItAverages) {
  ThresholdEstimate theta("batchtopk.theta");
  ASSERT_TRUE(theta.observe(W + 1, 0.25));
  EXPECT_TRUE(theta.known());
  EXPECT_EQ(theta.value(), 0.25); // not (1 - beta) * 0.25
  // Then constant samples b: theta_m = b + (a - b) beta^m, the closed form of
  // the recurrence.
  const double a = 0.25, b = 0.75;
  for (int m = 1; m <= 3000; ++m) {
    ASSERT_TRUE(theta.observe(W + 1 + m, b));
    if (m % 1000 == 0)
      EXPECT_NEAR(theta.value(), b + (a - b) * std::pow(kThresholdBeta, m),
                  1e-12)
          << "after " << m << " samples";
  }
  EXPECT_EQ(theta.count(), 3001u);
}

TEST(BatchThresholdTest, BatchesThatKeptNothingPositiveAreSkipped) {
  ThresholdEstimate theta("batchtopk.theta");
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_FALSE(theta.observe(W + 1, inf)); // the step's "none kept"
  EXPECT_FALSE(theta.observe(W + 2, 0.0));
  EXPECT_FALSE(theta.observe(W + 3, -1.0));
  EXPECT_FALSE(theta.observe(W + 4, std::nan("")));
  EXPECT_FALSE(theta.known());
  ASSERT_TRUE(theta.observe(W + 5, 0.5));
  EXPECT_FALSE(theta.observe(W + 6, inf));
  EXPECT_EQ(theta.value(), 0.5);
  EXPECT_EQ(theta.count(), 1u);
}

TEST(BatchThresholdTest, SavesAndLoadsBitForBit) {
  ThresholdEstimate theta("batchtopk.theta.1");
  for (uint64_t step = 1; step <= W + 100; ++step)
    theta.observe(step, 0.1 + 1e-3 * static_cast<double>(step % 7) / 3.0);
  std::map<std::string, std::string> meta;
  theta.save(meta);
  EXPECT_EQ(meta.count("batchtopk.theta.1.ema"), 1u);
  EXPECT_EQ(meta.at("batchtopk.theta.1.samples"), "100");
  ThresholdEstimate loaded("batchtopk.theta.1");
  ASSERT_TRUE(loaded.load(meta, "ckpt/state.safetensors").isOk());
  EXPECT_EQ(loaded.value(), theta.value()); // exact: a hexadecimal double
  EXPECT_EQ(loaded.count(), theta.count());
  // Both go on the same way.
  theta.observe(W + 101, 0.3);
  loaded.observe(W + 101, 0.3);
  EXPECT_EQ(loaded.value(), theta.value());
}

TEST(BatchThresholdTest, LoadingNamesTheFileAndTheMissingKey) {
  ThresholdEstimate theta("batchtopk.theta");
  std::map<std::string, std::string> meta = {{"step", "7"}};
  Status status = theta.load(meta, "run/checkpoints/step-7/state.safetensors");
  ASSERT_FALSE(status.isOk());
  EXPECT_EQ(status.str(),
            "run/checkpoints/step-7/state.safetensors: error: the metadata "
            "lacks the BatchTopK threshold 'batchtopk.theta' (expected "
            "batchtopk.theta.ema and batchtopk.theta.samples, which `prism "
            "train` writes for this program)");
  meta["batchtopk.theta.ema"] = formatMetaDouble(-0.5);
  meta["batchtopk.theta.samples"] = "3";
  status = theta.load(meta, "s.safetensors");
  ASSERT_FALSE(status.isOk());
  EXPECT_NE(status.str().find("expected a finite positive number"),
            std::string::npos)
      << status.str();
}

} // namespace
