//===- SaeOptimizerOps.cpp - verifiers of the optimizer ops -----*- C++ -*-===//
//
// Rules of sae.adam_update and sae.project_tangent (SaeOptimizerOps.td).
//
//===----------------------------------------------------------------------===//

#include "prism/Dialect/Sae/IR/SaeOps.h"
#include "prism/Dialect/Sae/IR/SaeShapes.h"

using namespace mlir;
using namespace prism::sae;

LogicalResult AdamUpdateOp::verify() {
  if (cast<ShapedType>(getLr().getType()).getRank() != 0)
    return emitOpError("lr and the bias corrections must be rank-0 tensors, "
                       "got ")
           << formatShape(getLr());
  if (failed(verifySameElementType(*this, getLr(), "lr", getParam(), "param")))
    return failure();

  double beta1 = getBeta1().convertToDouble();
  double beta2 = getBeta2().convertToDouble();
  if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1))
    return emitOpError("betas must lie in [0, 1), got ")
           << beta1 << " and " << beta2;
  if (!(getEps().convertToDouble() > 0))
    return emitOpError("eps must be positive, got ")
           << getEps().convertToDouble();
  if (!(getWeightDecay().convertToDouble() >= 0))
    return emitOpError("weight_decay must be >= 0, got ")
           << getWeightDecay().convertToDouble();
  return success();
}

LogicalResult ProjectTangentOp::verify() {
  ArrayRef<int64_t> shape = cast<ShapedType>(getParam().getType()).getShape();
  uint64_t axis = getAxis();
  if (axis < shape.size())
    return success();
  return emitOpError("axis ")
         << axis << " is out of range for " << formatShape(shape) << " of rank "
         << shape.size();
}
