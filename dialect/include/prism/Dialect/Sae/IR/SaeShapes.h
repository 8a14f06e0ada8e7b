//===- SaeShapes.h - shape rules of the sae ops -----------------*- C++ -*-===//
//
// The shape arithmetic shared by the sae verifiers, the builders that infer
// result types, and the front end: formatting a shape the way a model author
// writes it, and numpy broadcasting with a dynamic batch dimension.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_DIALECT_SAE_IR_SAESHAPES_H
#define PRISM_DIALECT_SAE_IR_SAESHAPES_H

#include "mlir/IR/Operation.h"
#include "mlir/IR/Types.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace prism::sae {

/// The limit that takes a slice's axis to its end: the only bound a dynamic
/// axis (the batch) can have.
inline constexpr int64_t kWholeAxis = -1;

/// Spells `shape` as `[?, 512]`; a rank-0 shape is `[]`.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// Spells the shape of a shaped type, or of a value of one.
std::string formatShape(mlir::Type type);
std::string formatShape(mlir::Value value);

/// Two shapes broadcast together: the common shape, or the first pair of
/// static sizes (from the right) that cannot be reconciled.
struct Broadcast {
  llvm::SmallVector<int64_t> shape;
  std::optional<std::pair<int64_t, int64_t>> conflict;
};

/// Broadcasts with numpy's rules: shapes align on the right, and a size of
/// 1, or a missing one, stretches. A dynamic size is taken to match the other
/// side: only the runtime knows it, and it checks it there.
Broadcast broadcastShapes(llvm::ArrayRef<int64_t> lhs,
                          llvm::ArrayRef<int64_t> rhs);

/// The shape of a slice with one start and one limit per axis, without the
/// squeezed axes; nullopt when the counts are wrong. A dynamic axis stays
/// dynamic.
std::optional<llvm::SmallVector<int64_t>>
sliceShape(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<int64_t> starts,
           llvm::ArrayRef<int64_t> limits, llvm::ArrayRef<int64_t> squeeze);

/// The result type of a broadcasting op: the broadcast shape with `lhs`'s
/// element type, or the type of `lhs` when the shapes do not broadcast (the
/// verifier then reports it).
mlir::Type broadcastType(mlir::Value lhs, mlir::Value rhs);

//===----------------------------------------------------------------------===//
// Verifier helpers
//===----------------------------------------------------------------------===//

/// Requires `value` to have the element type of `reference`; `name` and
/// `referenceName` say which operands or results they are.
llvm::LogicalResult verifySameElementType(mlir::Operation *op,
                                          mlir::Value value,
                                          llvm::StringRef name,
                                          mlir::Value reference,
                                          llvm::StringRef referenceName);

/// Requires the first result of `op` to have exactly the shape `expected`;
/// `reason` says where that shape comes from.
llvm::LogicalResult verifyResultShape(mlir::Operation *op,
                                      llvm::ArrayRef<int64_t> expected,
                                      llvm::StringRef reason);

/// Requires one start and one limit per axis of `shape`, each static axis
/// sliced within bounds and each dynamic axis taken whole (sae.slice and its
/// adjoint sae.pad).
llvm::LogicalResult verifySliceBounds(mlir::Operation *op,
                                      llvm::ArrayRef<int64_t> shape,
                                      llvm::ArrayRef<int64_t> starts,
                                      llvm::ArrayRef<int64_t> limits);

} // namespace prism::sae

#endif // PRISM_DIALECT_SAE_IR_SAESHAPES_H
