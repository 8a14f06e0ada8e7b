//===- SaeVjpStructure.cpp - gradients of slices and modalities -*- C++ -*-===//
//
// buildVjp of the ops that move entries without computing on them: a slice
// pads its cotangent back with zeros (Matryoshka prefixes), and the
// per-modality ops route each row's cotangent to the rows of its modality.
//
//===----------------------------------------------------------------------===//

#include "VjpBuilders.h"

#include "prism/Dialect/Sae/IR/SaeOps.h"

using namespace mlir;
using namespace prism::sae;
using namespace prism::sae::vjp;

// d x[s] = g placed at s in zeros of x's shape (g itself for a whole slice).
SmallVector<Value> SliceOp::buildVjp(OpBuilder &builder,
                                     ValueRange cotangents) {
  if (getType() == getInput().getType())
    return {cotangents[0]};
  return {PadOp::create(builder, getLoc(), getInput().getType(), cotangents[0],
                        getStartsAttr(), getLimitsAttr(), getSqueezeAttr())};
}

// d (x | m) = g at the rows of modality m, zero at the others.
SmallVector<Value> FilterOp::buildVjp(OpBuilder &builder,
                                      ValueRange cotangents) {
  return {UnfilterOp::create(builder, getLoc(), cotangents[0], getModality())};
}

/// The rows of `g` of `modality`, the others zeroed.
static Value rowsOf(OpBuilder &builder, Location loc, Value g,
                    Modality modality) {
  Value kept = FilterOp::create(builder, loc, g, modality);
  return UnfilterOp::create(builder, loc, kept, modality);
}

// d by_modality(i, t) = (g at image rows, g at text rows), zero elsewhere.
SmallVector<Value> SelectModalityOp::buildVjp(OpBuilder &builder,
                                              ValueRange cotangents) {
  Location loc = getLoc();
  Value g = cotangents[0];
  return {rowsOf(builder, loc, g, Modality::Image),
          rowsOf(builder, loc, g, Modality::Text)};
}
