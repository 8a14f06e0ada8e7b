//===- SaeToSaek.h - sae to kernel conversions ------------------*- C++ -*-===//
//
// Declares -sae-train-statistics, -sae-sparsify and -convert-sae-to-saek,
// their registration, and the pipeline prismc runs from sae entry functions
// to kernel-level IR.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_CONVERSION_PASSES_H
#define PRISM_CONVERSION_PASSES_H

#include "prism/Dialect/Sae/IR/SaeDialect.h"
#include "prism/Dialect/Saek/IR/SaekDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace prism {

#define GEN_PASS_DECL
#include "prism/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "prism/Conversion/Passes.h.inc"

/// Adds, after the sae training passes, everything down to the kernel-level
/// IR that target::emitCpp translates: statistics, sparse rewrites,
/// lowering, elementwise fusion and clean-up.
void buildSaeToKernelPipeline(mlir::OpPassManager &pm);

/// The whole pipeline from a module of sae.model ops to kernel-level IR.
void buildTrainingPipeline(mlir::OpPassManager &pm);

} // namespace prism

#endif // PRISM_CONVERSION_PASSES_H
