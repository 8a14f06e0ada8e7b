//===- SaeGradOps.cpp - verifiers of the backward-pass ops ------*- C++ -*-===//
//
// Shape rules of the ops gradient rules build (SaeGradOps.td). Messages spell
// shapes as `[?, 512]`, like the forward ops' verifiers.
//
//===----------------------------------------------------------------------===//

#include "prism/Dialect/Sae/IR/SaeOps.h"
#include "prism/Dialect/Sae/IR/SaeShapes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/TypeUtilities.h"

#include <string>

using namespace mlir;
using namespace prism::sae;

static ArrayRef<int64_t> shapeOf(Value value) {
  return cast<ShapedType>(value.getType()).getShape();
}

/// Whether two sizes may be equal at run time.
static bool sizesAgree(int64_t lhs, int64_t rhs) {
  return ShapedType::isDynamic(lhs) || ShapedType::isDynamic(rhs) || lhs == rhs;
}

/// Whether every size agrees, rank included.
static bool shapesAgree(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs) {
  return lhs.size() == rhs.size() &&
         llvm::all_of(llvm::zip_equal(lhs, rhs), [](auto sizes) {
           return sizesAgree(std::get<0>(sizes), std::get<1>(sizes));
         });
}

static LogicalResult verifyAxisOf(Operation *op, std::optional<uint64_t> axis,
                                  ArrayRef<int64_t> shape) {
  if (!axis || *axis < shape.size())
    return success();
  return op->emitOpError("axis ")
         << *axis << " is out of range for " << formatShape(shape)
         << " of rank " << shape.size();
}

//===----------------------------------------------------------------------===//
// UnbroadcastOp
//===----------------------------------------------------------------------===//

LogicalResult UnbroadcastOp::verify() {
  ArrayRef<int64_t> input = shapeOf(getInput()), result = shapeOf(getResult());
  if (failed(verifySameElementType(*this, getResult(), "result", getInput(),
                                   "input")))
    return failure();
  auto error = [&]() {
    return emitOpError("cannot sum ")
           << formatShape(input) << " back to " << formatShape(result);
  };
  if (result.size() > input.size())
    return error() << ": the result has the higher rank";
  size_t lead = input.size() - result.size();
  for (auto [i, size] : llvm::enumerate(result))
    if (size != 1 && !sizesAgree(size, input[lead + i]))
      return error() << ": axis " << lead + i << " has sizes "
                     << input[lead + i] << " and " << size;
  return success();
}

//===----------------------------------------------------------------------===//
// BroadcastOp
//===----------------------------------------------------------------------===//

void BroadcastOp::build(OpBuilder &builder, OperationState &state, Value input,
                        Value like, std::optional<int64_t> axis) {
  build(builder, state, like.getType(), input, like,
        axis ? builder.getI64IntegerAttr(*axis) : IntegerAttr());
}

LogicalResult BroadcastOp::verify() {
  ArrayRef<int64_t> input = shapeOf(getInput()), like = shapeOf(getLike());
  if (failed(verifySameElementType(*this, getInput(), "input", getLike(),
                                   "like")) ||
      failed(verifyAxisOf(*this, getAxis(), like)))
    return failure();

  if (std::optional<uint64_t> axis = getAxis()) {
    SmallVector<int64_t> expected(like);
    expected.erase(expected.begin() + *axis);
    if (!shapesAgree(input, expected))
      return emitOpError("input ")
             << formatShape(input) << " must have the shape "
             << formatShape(expected) << " of " << formatShape(like)
             << " without axis " << *axis;
    return success();
  }
  Broadcast broadcast = broadcastShapes(input, like);
  if (input.size() > like.size() || broadcast.conflict ||
      !shapesAgree(broadcast.shape, like))
    return emitOpError("input ")
           << formatShape(input) << " does not broadcast to "
           << formatShape(like);
  return success();
}

//===----------------------------------------------------------------------===//
// SizeOp
//===----------------------------------------------------------------------===//

void SizeOp::build(OpBuilder &builder, OperationState &state, Value input,
                   std::optional<int64_t> axis) {
  Type scalar =
      RankedTensorType::get({}, getElementTypeOrSelf(input.getType()));
  build(builder, state, scalar, input,
        axis ? builder.getI64IntegerAttr(*axis) : IntegerAttr());
}

LogicalResult SizeOp::verify() {
  if (failed(verifyAxisOf(*this, getAxis(), shapeOf(getInput()))) ||
      failed(verifySameElementType(*this, getResult(), "result", getInput(),
                                   "input")))
    return failure();
  if (!shapeOf(getResult()).empty())
    return emitOpError("result must be a rank-0 tensor, got ")
           << formatShape(getResult());
  return success();
}

//===----------------------------------------------------------------------===//
// SelectMaskOp
//===----------------------------------------------------------------------===//

void SelectMaskOp::build(OpBuilder &builder, OperationState &state,
                         SelectKind kind, Value input, int64_t k, Value among) {
  build(builder, state, input.getType(),
        SelectKindAttr::get(builder.getContext(), kind), input,
        builder.getI64IntegerAttr(k), among);
}

LogicalResult SelectMaskOp::verify() {
  ArrayRef<int64_t> shape = shapeOf(getInput());
  if (shape.size() != 2)
    return emitOpError("input must have rank 2, got ") << formatShape(shape);
  int64_t k = getK();
  if (k <= 0)
    return emitOpError("k must be positive, got ") << k;
  if (!ShapedType::isDynamic(shape[1]) && k > shape[1])
    return emitOpError("k must be at most ")
           << shape[1] << " (the last dimension of " << formatShape(shape)
           << "), got " << k;

  Value among = getAmong();
  if (!among)
    return success();
  if (getKind() != SelectKind::TopK)
    return emitOpError("'among' needs the topk selection, got ")
           << stringifySelectKind(getKind());
  ArrayRef<int64_t> amongShape = shapeOf(among);
  if (amongShape.size() != 1 || !sizesAgree(amongShape[0], shape[1]))
    return emitOpError("among must have shape [")
           << shape[1] << "] (the last dimension of " << formatShape(shape)
           << "), got " << formatShape(amongShape);
  return verifySameElementType(*this, among, "among", getInput(), "input");
}

//===----------------------------------------------------------------------===//
// PadOp
//===----------------------------------------------------------------------===//

LogicalResult PadOp::verify() {
  ArrayRef<int64_t> shape = shapeOf(getResult());
  ArrayRef<int64_t> starts = getStarts(), limits = getLimits();
  if (failed(verifySliceBounds(*this, shape, starts, limits)))
    return failure();

  ArrayRef<int64_t> squeeze;
  if (std::optional<ArrayRef<int64_t>> axes = getSqueeze())
    squeeze = *axes;
  for (auto [i, axis] : llvm::enumerate(squeeze))
    if (axis < 0 || axis >= static_cast<int64_t>(shape.size()) ||
        (i > 0 && axis <= squeeze[i - 1]) || limits[axis] - starts[axis] != 1)
      return emitOpError("squeezed axes must increase, lie in [0, ")
             << shape.size() << ") and hold one element, got [" << squeeze
             << "]";

  if (failed(verifySameElementType(*this, getResult(), "result", getInput(),
                                   "input")))
    return failure();
  // The slice of the result that `input` fills, as sae.slice computes it.
  SmallVector<int64_t> expected = *sliceShape(shape, starts, limits, squeeze);
  if (!shapesAgree(shapeOf(getInput()), expected))
    return emitOpError("input shape must be ")
           << formatShape(expected) << " (a slice of " << formatShape(shape)
           << "), got " << formatShape(getInput());
  return success();
}

//===----------------------------------------------------------------------===//
// UnfilterOp
//===----------------------------------------------------------------------===//

LogicalResult UnfilterOp::verify() {
  ArrayRef<int64_t> shape = shapeOf(getInput());
  if (!shape.empty() && ShapedType::isDynamic(shape.front()))
    return success();
  return emitOpError("input must be per row, with the dynamic batch as axis "
                     "0, got ")
         << formatShape(shape);
}
