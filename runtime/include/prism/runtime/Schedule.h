//===- Schedule.h - Learning-rate schedules ---------------------*- C++ -*-===//
//
// The learning rate of step t (1-based) of a run of T steps, with W warm-up
// steps, peak rate lr and floor min_lr:
//
//   t <= W           lr * t / W                  (linear warm-up from 0)
//   constant         lr
//   linear           lr * (1 - p)                (0 at the last step)
//   cosine           min_lr + (lr - min_lr) * (1 + cos(pi * p)) / 2
//
// with p = (t - W) / (T - W), so the decay ends exactly at step T. W comes
// from warmup_steps, or else round(warmup_epochs * steps per epoch).
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_SCHEDULE_H
#define PRISM_RUNTIME_SCHEDULE_H

#include "prism/runtime/Program.h"
#include "prism/runtime/Status.h"

#include <cstdint>
#include <string>

namespace prism {

enum class ScheduleKind : uint8_t { Constant, Linear, Cosine };

struct LrSchedule {
  ScheduleKind kind = ScheduleKind::Constant;
  double lr = 0, minLr = 0;
  uint64_t warmupSteps = 0, totalSteps = 0;

  /// The learning rate of step `step` (1-based).
  double at(uint64_t step) const;
};

/// The schedule of `config` (schedule, warmup_steps, warmup_epochs, min_lr)
/// with peak rate `lr` over `totalSteps` steps of `stepsPerEpoch` per epoch.
/// Errors (an unknown schedule name, a negative or non-finite rate or
/// warm-up) name `where`.
StatusOr<LrSchedule> makeLrSchedule(const TrainConfig &config, double lr,
                                    uint64_t totalSteps, uint64_t stepsPerEpoch,
                                    const std::string &where);

/// Adam's bias correction 1 - beta^step for the 1-based `step`.
double biasCorrection(double beta, uint64_t step);

} // namespace prism

#endif // PRISM_RUNTIME_SCHEDULE_H
