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

} // namespace prism::sae
