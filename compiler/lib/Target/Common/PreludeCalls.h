//===- PreludeCalls.h - saek ops as calls of a prelude kernel ---*- C++ -*-===//
//
// Top-k, the sparse gathers and scatters, Adam and the normalisations are
// hand-written kernels in each back end's prelude, with the same parameters
// on the CPU (`prism_NAME`) and on the GPU (`prism_cu_NAME`, after the
// context). This is the one place that lists an op's arguments.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_TARGET_COMMON_PRELUDECALLS_H
#define PRISM_TARGET_COMMON_PRELUDECALLS_H

#include "EntryPlan.h"

#include <optional>
#include <string>
#include <vector>

namespace prism::target {

struct PreludeCall {
  std::string name; // "topk", "adam_unit_rows", ...
  std::vector<std::string> args;
  /// Arguments that point to a scalar held in a one-element tensor (Adam's
  /// learning rate and bias corrections): the CPU kernels take the value,
  /// the GPU ones the device pointer.
  std::vector<bool> scalarPointer;
};

/// The prelude call of `op`, or nothing when `op` is not one.
std::optional<PreludeCall> preludeCall(mlir::Operation &op,
                                       const EntryPlan &plan);

} // namespace prism::target

#endif // PRISM_TARGET_COMMON_PRELUDECALLS_H
