//===- SaeOps.cpp - sae op verifiers ----------------------------*- C++ -*-===//
//
// Shape and attribute rules of the sae ops. Messages spell shapes as the
// model author writes them (`[?, 512]`) so that they still read well when the
// front end maps them back to a .sae source location.
//
//===----------------------------------------------------------------------===//

#include "prism/Dialect/Sae/IR/SaeOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <utility>

using namespace mlir;
using namespace prism::sae;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// Spells `shape` as `[?, 512]`.
static std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << '[';
  llvm::interleaveComma(shape, os, [&](int64_t dim) {
    if (ShapedType::isDynamic(dim))
      os << '?';
    else
      os << dim;
  });
  os << ']';
  return text;
}

static std::string formatShape(Value value) {
  return formatShape(cast<ShapedType>(value.getType()).getShape());
}

/// Requires `value` to have the element type of `reference`.
static LogicalResult verifySameElementType(Operation *op, Value value,
                                           StringRef name, Value reference,
                                           StringRef referenceName) {
  Type actual = getElementTypeOrSelf(value.getType());
  Type expected = getElementTypeOrSelf(reference.getType());
  if (actual == expected)
    return success();
  return op->emitOpError() << name << " element type " << actual
                           << " does not match " << referenceName
                           << " element type " << expected;
}

/// Requires the result of `op` to have exactly the shape `expected`;
/// `reason` says where that shape comes from.
static LogicalResult
verifyResultShape(Operation *op, ArrayRef<int64_t> expected, StringRef reason) {
  ArrayRef<int64_t> actual =
      cast<ShapedType>(op->getResult(0).getType()).getShape();
  if (actual == expected)
    return success();
  return op->emitOpError("result shape must be ")
         << formatShape(expected) << " (" << reason << "), got "
         << formatShape(actual);
}

namespace {
/// Two shapes broadcast together: the common shape, or the first pair of
/// static sizes (from the right) that cannot be reconciled.
struct Broadcast {
  SmallVector<int64_t> shape;
  std::optional<std::pair<int64_t, int64_t>> conflict;
};
} // namespace

/// Broadcasts with numpy's rules. A dynamic size is taken to match the other
/// side: only the runtime knows it, and it checks it there.
static Broadcast broadcastShapes(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs) {
  // A size that neither stretches (1) nor defers to the runtime (?).
  auto isFixed = [](int64_t dim) {
    return !ShapedType::isDynamic(dim) && dim != 1;
  };

  Broadcast result;
  size_t rank = std::max(lhs.size(), rhs.size());
  result.shape.resize(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Align on the right, padding the shorter shape with 1s.
    int64_t l = i < lhs.size() ? lhs[lhs.size() - 1 - i] : 1;
    int64_t r = i < rhs.size() ? rhs[rhs.size() - 1 - i] : 1;
    if (isFixed(l) && isFixed(r) && l != r) {
      result.conflict = {l, r};
      break;
    }
    int64_t &out = result.shape[rank - 1 - i];
    if (isFixed(l) || isFixed(r))
      out = isFixed(l) ? l : r;
    else if (ShapedType::isDynamic(l) || ShapedType::isDynamic(r))
      out = ShapedType::kDynamic;
    else
      out = 1;
  }
  return result;
}

/// The rules shared by the broadcasting elementwise ops.
static LogicalResult verifyBroadcastOp(Operation *op) {
  Value lhs = op->getOperand(0), rhs = op->getOperand(1);
  Value result = op->getResult(0);
  if (failed(verifySameElementType(op, rhs, "rhs", lhs, "lhs")) ||
      failed(verifySameElementType(op, result, "result", lhs, "lhs")))
    return failure();

  Broadcast broadcast =
      broadcastShapes(cast<ShapedType>(lhs.getType()).getShape(),
                      cast<ShapedType>(rhs.getType()).getShape());
  if (broadcast.conflict)
    return op->emitOpError("operand shapes ")
           << formatShape(lhs) << " and " << formatShape(rhs)
           << " do not broadcast: dimensions " << broadcast.conflict->first
           << " and " << broadcast.conflict->second << " differ";
  return verifyResultShape(op, broadcast.shape,
                           "the broadcast of " + formatShape(lhs) + " and " +
                               formatShape(rhs));
}

//===----------------------------------------------------------------------===//
// ParamOp
//===----------------------------------------------------------------------===//

LogicalResult ParamOp::verify() {
  if (getSymName().empty())
    return emitOpError("name must not be empty");

  RankedTensorType type = getResult().getType();
  if (!type.hasStaticShape())
    return emitOpError("result must have a static shape, got ")
           << formatShape(type.getShape());
  if (!isa<Float16Type, BFloat16Type, Float32Type, Float64Type>(
          type.getElementType()))
    return emitOpError("result element type must be f16, bf16, f32 or f64, "
                       "got ")
           << type.getElementType();

  // `value` is the fill of `constant` and the std of `normal`; the other
  // initialisers derive everything from the shape or the data.
  InitKind init = getInit();
  FloatAttr value = getValueAttr();
  if (init == InitKind::Constant && !value)
    return emitOpError("the constant initialiser requires a value");
  if (value && init != InitKind::Constant && init != InitKind::Normal)
    return emitOpError("the ")
           << stringifyInitKind(init)
           << " initialiser takes no value; only constant and normal do";
  if (init == InitKind::Normal && value && !(value.getValueAsDouble() > 0))
    return emitOpError("the standard deviation of the normal initialiser "
                       "must be positive, got ")
           << value.getValueAsDouble();
  return success();
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::verify() {
  ArrayRef<int64_t> lhs = getLhs().getType().getShape();
  ArrayRef<int64_t> rhs = getRhs().getType().getShape();
  if (lhs.size() != 2)
    return emitOpError("lhs must have rank 2, got ") << formatShape(lhs);
  if (rhs.size() != 2)
    return emitOpError("rhs must have rank 2, got ") << formatShape(rhs);

  std::string product = formatShape(lhs) + " @ " + formatShape(rhs);
  if (!ShapedType::isDynamic(lhs[1]) && !ShapedType::isDynamic(rhs[0]) &&
      lhs[1] != rhs[0])
    return emitOpError() << product << ": inner dimensions " << lhs[1]
                         << " and " << rhs[0] << " differ";

  if (failed(verifySameElementType(*this, getRhs(), "rhs", getLhs(), "lhs")) ||
      failed(
          verifySameElementType(*this, getResult(), "result", getLhs(), "lhs")))
    return failure();
  return verifyResultShape(*this, {lhs[0], rhs[1]}, "from " + product);
}

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

LogicalResult AddOp::verify() { return verifyBroadcastOp(*this); }
LogicalResult SubOp::verify() { return verifyBroadcastOp(*this); }
LogicalResult MulOp::verify() { return verifyBroadcastOp(*this); }

//===----------------------------------------------------------------------===//
// TopKOp
//===----------------------------------------------------------------------===//

LogicalResult TopKOp::verify() {
  ArrayRef<int64_t> shape = getInput().getType().getShape();
  if (shape.size() != 2)
    return emitOpError("input must have rank 2, got ") << formatShape(shape);

  int64_t k = getK();
  if (k <= 0)
    return emitOpError("k must be positive, got ") << k;
  // A dynamic row length is checked by the runtime.
  if (!ShapedType::isDynamic(shape[1]) && k > shape[1])
    return emitOpError("k must be at most ")
           << shape[1] << " (the last dimension of " << formatShape(shape)
           << "), got " << k;
  return success();
}

//===----------------------------------------------------------------------===//
// ReduceOp
//===----------------------------------------------------------------------===//

LogicalResult ReduceOp::verify() {
  ArrayRef<int64_t> shape = getInput().getType().getShape();
  int64_t rank = shape.size();
  int64_t axis = getAxis();
  if (axis < 0 || axis >= rank)
    return emitOpError("axis ") << axis << " is out of range for input "
                                << formatShape(shape) << " of rank " << rank;

  if (failed(verifySameElementType(*this, getResult(), "result", getInput(),
                                   "input")))
    return failure();

  SmallVector<int64_t> expected(shape);
  expected.erase(expected.begin() + axis);
  return verifyResultShape(*this, expected,
                           formatShape(shape) + " without axis " +
                               std::to_string(axis));
}

//===----------------------------------------------------------------------===//
// MseOp
//===----------------------------------------------------------------------===//

LogicalResult MseOp::verify() {
  ArrayRef<int64_t> lhs = getLhs().getType().getShape();
  ArrayRef<int64_t> rhs = getRhs().getType().getShape();
  // Dynamic sizes (the batch) are compared by the runtime.
  if (failed(verifyCompatibleShape(lhs, rhs)))
    return emitOpError("operand shapes ")
           << formatShape(lhs) << " and " << formatShape(rhs) << " must match";

  if (failed(verifySameElementType(*this, getRhs(), "rhs", getLhs(), "lhs")) ||
      failed(
          verifySameElementType(*this, getResult(), "result", getLhs(), "lhs")))
    return failure();

  if (getResult().getType().getRank() != 0)
    return emitOpError("result must be a rank-0 tensor, got ")
           << formatShape(getResult());
  return success();
}

#define GET_OP_CLASSES
#include "prism/Dialect/Sae/IR/SaeOps.cpp.inc"
