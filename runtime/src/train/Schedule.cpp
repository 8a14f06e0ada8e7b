//===- Schedule.cpp - Learning-rate schedules -----------------------------===//

#include "prism/runtime/Schedule.h"

#include <cmath>

using namespace prism;

double LrSchedule::at(uint64_t step) const {
  if (warmupSteps > 0 && step <= warmupSteps)
    return lr * static_cast<double>(step) / static_cast<double>(warmupSteps);
  if (kind == ScheduleKind::Constant || totalSteps <= warmupSteps)
    return lr;
  double progress = static_cast<double>(step - warmupSteps) /
                    static_cast<double>(totalSteps - warmupSteps);
  progress = std::min(progress, 1.0);
  if (kind == ScheduleKind::Linear)
    return lr * (1.0 - progress);
  return minLr + (lr - minLr) * 0.5 * (1.0 + std::cos(M_PI * progress));
}

StatusOr<LrSchedule> prism::makeLrSchedule(const TrainConfig &config, double lr,
                                           uint64_t totalSteps,
                                           uint64_t stepsPerEpoch,
                                           const std::string &where) {
  LrSchedule schedule;
  if (config.schedule.empty() || config.schedule == "constant")
    schedule.kind = ScheduleKind::Constant;
  else if (config.schedule == "linear")
    schedule.kind = ScheduleKind::Linear;
  else if (config.schedule == "cosine")
    schedule.kind = ScheduleKind::Cosine;
  else
    return Status::error(where, "unknown learning-rate schedule '" +
                                    config.schedule +
                                    "' (expected constant, linear or cosine)");
  if (!std::isfinite(lr) || lr <= 0)
    return Status::error(where, "the learning rate must be positive and "
                                "finite, got " +
                                    std::to_string(lr));
  if (!std::isfinite(config.minLr) || config.minLr < 0 || config.minLr > lr)
    return Status::error(where,
                         "min_lr must be in [0, lr = " + std::to_string(lr) +
                             "], got " + std::to_string(config.minLr));
  if (config.warmupSteps < 0 || !std::isfinite(config.warmupEpochs) ||
      config.warmupEpochs < 0)
    return Status::error(where, "the warm-up must not be negative (warmup "
                                "steps " +
                                    std::to_string(config.warmupSteps) +
                                    ", warmup epochs " +
                                    std::to_string(config.warmupEpochs) + ")");
  schedule.lr = lr;
  schedule.minLr = schedule.kind == ScheduleKind::Cosine ? config.minLr : 0.0;
  schedule.totalSteps = totalSteps;
  schedule.warmupSteps =
      config.warmupSteps > 0
          ? static_cast<uint64_t>(config.warmupSteps)
          : static_cast<uint64_t>(std::llround(
                config.warmupEpochs * static_cast<double>(stepsPerEpoch)));
  return schedule;
}

double prism::biasCorrection(double beta, uint64_t step) {
  return 1.0 - std::pow(beta, static_cast<double>(step));
}
