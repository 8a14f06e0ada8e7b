//===- SaekDialect.cpp - saek dialect registration --------------*- C++ -*-===//

#include "prism/Dialect/Saek/IR/SaekDialect.h"
#include "prism/Dialect/Saek/IR/SaekOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace prism::saek;

#include "prism/Dialect/Saek/IR/SaekOpsDialect.cpp.inc"

#include "prism/Dialect/Saek/IR/SaekEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "prism/Dialect/Saek/IR/SaekAttrs.cpp.inc"

void SaekDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "prism/Dialect/Saek/IR/SaekOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "prism/Dialect/Saek/IR/SaekAttrs.cpp.inc"
      >();
}
