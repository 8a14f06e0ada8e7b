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

} // namespace prism::sae

#endif // PRISM_DIALECT_SAE_IR_SAESHAPES_H
