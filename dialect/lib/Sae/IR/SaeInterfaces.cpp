//===- SaeInterfaces.cpp - sae op interfaces --------------------*- C++ -*-===//
//
// Instantiates the generated interface code.
//
//===----------------------------------------------------------------------===//

#include "prism/Dialect/Sae/IR/SaeInterfaces.h"

#include "prism/Dialect/Sae/IR/SaeInterfaces.cpp.inc"
