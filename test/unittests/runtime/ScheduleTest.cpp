//===- ScheduleTest.cpp - Learning-rate schedules and bias corrections ----===//
//
// Every value here is worked out by hand from the formulas in Schedule.h.
//
//===----------------------------------------------------------------------===//

#include "prism/runtime/Schedule.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace prism;

namespace {

LrSchedule make(const std::string &kind, double lr, uint64_t total,
                int64_t warmup = 0, double minLr = 0, double warmupEpochs = 0,
                uint64_t stepsPerEpoch = 1) {
  TrainConfig config;
  config.schedule = kind;
  config.warmupSteps = warmup;
  config.warmupEpochs = warmupEpochs;
  config.minLr = minLr;
  StatusOr<LrSchedule> schedule =
      makeLrSchedule(config, lr, total, stepsPerEpoch, "p.prism");
  EXPECT_TRUE(schedule.isOk()) << schedule.getStatus().str();
  return schedule.isOk() ? *schedule : LrSchedule();
}

TEST(ScheduleTest, ConstantWithWarmup) {
  LrSchedule s = make("constant", 0.1, 10, /*warmup=*/4);
  EXPECT_DOUBLE_EQ(s.at(1), 0.025);
  EXPECT_DOUBLE_EQ(s.at(2), 0.05);
  EXPECT_DOUBLE_EQ(s.at(4), 0.1);
  EXPECT_DOUBLE_EQ(s.at(5), 0.1);
  EXPECT_DOUBLE_EQ(s.at(10), 0.1);
  EXPECT_DOUBLE_EQ(make("", 0.1, 10).at(1), 0.1) << "no name: constant";
}

TEST(ScheduleTest, LinearDecaysToZeroAtTheLastStep) {
  LrSchedule s = make("linear", 0.1, 10);
  EXPECT_DOUBLE_EQ(s.at(1), 0.09);
  EXPECT_DOUBLE_EQ(s.at(5), 0.05);
  EXPECT_DOUBLE_EQ(s.at(10), 0.0);
  // Warm-up 2 of 10: p = (t - 2) / 8.
  LrSchedule w = make("linear", 0.1, 10, 2, /*minLr=*/0.05);
  EXPECT_DOUBLE_EQ(w.at(1), 0.05);
  EXPECT_DOUBLE_EQ(w.at(2), 0.1);
  EXPECT_DOUBLE_EQ(w.at(6), 0.05);
  EXPECT_DOUBLE_EQ(w.at(10), 0.0) << "linear ignores min_lr";
}

TEST(ScheduleTest, CosineEndsAtMinLr) {
  LrSchedule s = make("cosine", 0.1, 4, 0, 0.01);
  // t = 1: p = 1/4, 0.01 + 0.09 * (1 + cos(pi/4)) / 2.
  EXPECT_NEAR(s.at(1), 0.01 + 0.045 * (1 + std::sqrt(0.5)), 1e-15);
  EXPECT_NEAR(s.at(2), 0.055, 1e-15);
  EXPECT_NEAR(s.at(3), 0.01 + 0.045 * (1 - std::sqrt(0.5)), 1e-15);
  EXPECT_DOUBLE_EQ(s.at(4), 0.01);
  // Two warm-up epochs of 5 steps, then 10 steps of decay.
  LrSchedule e = make("cosine", 1.0, 20, 0, 0, /*warmupEpochs=*/2, 5);
  EXPECT_EQ(e.warmupSteps, 10u);
  EXPECT_DOUBLE_EQ(e.at(5), 0.5);
  EXPECT_DOUBLE_EQ(e.at(10), 1.0);
  EXPECT_NEAR(e.at(15), 0.5, 1e-15);
  EXPECT_DOUBLE_EQ(e.at(20), 0.0);
  // warmup_steps wins over warmup_epochs.
  EXPECT_EQ(make("cosine", 1.0, 20, 3, 0, 2, 5).warmupSteps, 3u);
  // A warm-up as long as the run never decays.
  EXPECT_DOUBLE_EQ(make("cosine", 1.0, 4, 8).at(4), 0.5);
}

TEST(ScheduleTest, Errors) {
  TrainConfig config;
  config.schedule = "step";
  EXPECT_EQ(makeLrSchedule(config, 0.1, 10, 1, "p.prism").getStatus().str(),
            "p.prism: error: unknown learning-rate schedule 'step' (expected "
            "constant, linear or cosine)");
  config.schedule = "cosine";
  EXPECT_EQ(makeLrSchedule(config, 0, 10, 1, "p.prism").getStatus().str(),
            "p.prism: error: the learning rate must be positive and finite, "
            "got 0.000000");
  config.minLr = 0.5;
  EXPECT_EQ(makeLrSchedule(config, 0.1, 10, 1, "p.prism").getStatus().str(),
            "p.prism: error: min_lr must be in [0, lr = 0.100000], got "
            "0.500000");
}

TEST(ScheduleTest, BiasCorrection) {
  EXPECT_DOUBLE_EQ(biasCorrection(0.9, 1), 0.1);
  EXPECT_NEAR(biasCorrection(0.9, 2), 0.19, 1e-15);
  EXPECT_NEAR(biasCorrection(0.999, 2), 0.001999, 1e-15);
  EXPECT_DOUBLE_EQ(biasCorrection(0.0, 1), 1.0);
}

} // namespace
