//===- SaeShapes.cpp - shape rules of the sae ops ---------------*- C++ -*-===//
//
// Shape formatting and broadcasting, and the verifier helpers built on them.
// Messages spell shapes as the model author writes them (`[?, 512]`) so that
// they still read well when the front end maps them back to a .sae source
// location.
//
//===----------------------------------------------------------------------===//

#include "prism/Dialect/Sae/IR/SaeShapes.h"

#include "mlir/IR/BuiltinTypeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

using namespace mlir;

namespace prism::sae {

std::string formatShape(ArrayRef<int64_t> shape) {
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

std::string formatShape(Type type) {
  return formatShape(cast<ShapedType>(type).getShape());
}

std::string formatShape(Value value) { return formatShape(value.getType()); }

Broadcast broadcastShapes(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs) {
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

LogicalResult verifySameElementType(Operation *op, Value value, StringRef name,
                                    Value reference, StringRef referenceName) {
  Type actual = getElementTypeOrSelf(value.getType());
  Type expected = getElementTypeOrSelf(reference.getType());
  if (actual == expected)
    return success();
  return op->emitOpError() << name << " element type " << actual
                           << " does not match " << referenceName
                           << " element type " << expected;
}

LogicalResult verifyResultShape(Operation *op, ArrayRef<int64_t> expected,
                                StringRef reason) {
  ArrayRef<int64_t> actual =
      cast<ShapedType>(op->getResult(0).getType()).getShape();
  if (actual == expected)
    return success();
  return op->emitOpError("result shape must be ")
         << formatShape(expected) << " (" << reason << "), got "
         << formatShape(actual);
}

Type broadcastType(Value lhs, Value rhs) {
  auto lhsType = dyn_cast<RankedTensorType>(lhs.getType());
  auto rhsType = dyn_cast<RankedTensorType>(rhs.getType());
  if (!lhsType || !rhsType)
    return lhs.getType();
  Broadcast broadcast = broadcastShapes(lhsType.getShape(), rhsType.getShape());
  if (broadcast.conflict)
    return lhs.getType();
  return RankedTensorType::get(broadcast.shape, lhsType.getElementType());
}

} // namespace prism::sae

std::optional<SmallVector<int64_t>>
prism::sae::sliceShape(ArrayRef<int64_t> shape, ArrayRef<int64_t> starts,
                       ArrayRef<int64_t> limits, ArrayRef<int64_t> squeeze) {
  if (starts.size() != shape.size() || limits.size() != shape.size())
    return std::nullopt;
  SmallVector<int64_t> result;
  for (auto [axis, bounds] :
       llvm::enumerate(llvm::zip_equal(shape, starts, limits))) {
    auto [size, start, limit] = bounds;
    if (llvm::is_contained(squeeze, static_cast<int64_t>(axis)))
      continue;
    result.push_back(ShapedType::isDynamic(size) ? ShapedType::kDynamic
                                                 : limit - start);
  }
  return result;
}

LogicalResult prism::sae::verifySliceBounds(Operation *op,
                                            ArrayRef<int64_t> shape,
                                            ArrayRef<int64_t> starts,
                                            ArrayRef<int64_t> limits) {
  if (starts.size() != shape.size() || limits.size() != shape.size())
    return op->emitOpError("needs one start and one limit per axis of ")
           << formatShape(shape) << ", got " << starts.size() << " and "
           << limits.size();
  for (auto [axis, bounds] :
       llvm::enumerate(llvm::zip_equal(shape, starts, limits))) {
    auto [size, start, limit] = bounds;
    if (ShapedType::isDynamic(size)) {
      if (start != 0 || limit != kWholeAxis)
        return op->emitOpError("axis ")
               << axis << " of " << formatShape(shape)
               << " is dynamic and can only be taken whole (start 0, limit "
               << kWholeAxis << "), got " << start << ":" << limit;
      continue;
    }
    if (start < 0 || start > limit || limit > size)
      return op->emitOpError("slice ")
             << start << ":" << limit << " of axis " << axis << " of "
             << formatShape(shape)
             << " must satisfy 0 <= start <= limit <= " << size;
  }
  return success();
}
