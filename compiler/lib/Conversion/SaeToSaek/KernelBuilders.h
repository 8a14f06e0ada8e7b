//===- KernelBuilders.h - linalg.generic builders for lowering --*- C++ -*-===//
//
// Small builders the sae lowerings share: tensors of a type with the batch
// dimension filled in, and linalg.generic kernels (elementwise with numpy
// broadcasting, reductions) on tensors.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_CONVERSION_SAETOSAEK_KERNELBUILDERS_H
#define PRISM_CONVERSION_SAETOSAEK_KERNELBUILDERS_H

#include "prism/Dialect/Saek/IR/SaekOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

namespace prism::conversion {

/// Computes one element from the elements of a kernel's operands (and, for
/// reductions, the accumulator last).
using ScalarBody = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// The size of the batch (dynamic) dimension in `op`'s entry function: a
/// tensor.dim of its first argument whose first dimension is dynamic.
mlir::Value batchSize(mlir::OpBuilder &builder, mlir::Operation *op);

/// An uninitialised tensor of `type`; dynamic dimensions take `batch`.
mlir::Value emptyTensor(mlir::OpBuilder &builder, mlir::Location loc,
                        mlir::RankedTensorType type, mlir::Value batch);

/// A tensor of `type` holding `value` everywhere.
mlir::Value filledTensor(mlir::OpBuilder &builder, mlir::Location loc,
                         mlir::RankedTensorType type, mlir::Value batch,
                         double value);

/// The map that reads an operand of `operandShape` broadcast (numpy rules:
/// aligned on the right, size-1 axes stretched) to `resultShape`.
mlir::AffineMap broadcastMap(mlir::MLIRContext *context,
                             llvm::ArrayRef<int64_t> operandShape,
                             llvm::ArrayRef<int64_t> resultShape);

/// An all-parallel kernel over `resultType` reading `operands` through
/// `maps` (one per operand; the result is read with the identity).
mlir::Value buildMapped(mlir::OpBuilder &builder, mlir::Location loc,
                        mlir::RankedTensorType resultType,
                        mlir::ValueRange operands,
                        llvm::ArrayRef<mlir::AffineMap> maps, mlir::Value batch,
                        ScalarBody body);

/// An all-parallel kernel over `resultType` whose operands broadcast to it.
mlir::Value buildElementwise(mlir::OpBuilder &builder, mlir::Location loc,
                             mlir::RankedTensorType resultType,
                             mlir::ValueRange operands, mlir::Value batch,
                             ScalarBody body);

/// A reduction over the loops of `operands` (all of one shape, the loops'
/// shape) into `resultType`, written through `resultMap`: loops that the map
/// does not name reduce. The accumulator starts at `init`; `body` gets the
/// operands' elements and the accumulator.
mlir::Value buildReduction(mlir::OpBuilder &builder, mlir::Location loc,
                           mlir::ValueRange operands,
                           mlir::RankedTensorType resultType,
                           mlir::AffineMap resultMap, mlir::Value batch,
                           double init, ScalarBody body);

/// A float constant of `type` (an element type).
mlir::Value floatConstant(mlir::OpBuilder &builder, mlir::Location loc,
                          mlir::Type type, double value);

/// A rank-0 tensor constant holding `value`, of `element` type.
mlir::Value scalarTensor(mlir::OpBuilder &builder, mlir::Location loc,
                         mlir::Type element, double value);

/// 1.0 where `condition` holds, else 0.0, in `type`.
mlir::Value boolToFloat(mlir::OpBuilder &builder, mlir::Location loc,
                        mlir::Value condition, mlir::Type type);

/// The values `[B, k]` and i32 indices `[B, k]` of the k entries a per-row
/// selection of `input` (`[B, n]`) keeps, by |x| with `byAbs`.
prism::saek::TopKOp buildTopK(mlir::OpBuilder &builder, mlir::Location loc,
                              mlir::Value input, int64_t k, bool byAbs);

/// The number of entries of `value` (along `axis`, or all) as a rank-0
/// tensor; a dynamic axis is counted at run time.
mlir::Value sizeOf(mlir::OpBuilder &builder, mlir::Location loc,
                   mlir::Value value, std::optional<int64_t> axis,
                   mlir::Value batch);

} // namespace prism::conversion

#endif // PRISM_CONVERSION_SAETOSAEK_KERNELBUILDERS_H
