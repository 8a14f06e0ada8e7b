//===- SaeDialect.cpp - sae dialect registration ----------------*- C++ -*-===//
//
// Registers the sae ops and attributes, and instantiates the generated enum
// and attribute code.
//
//===----------------------------------------------------------------------===//

#include "prism/Dialect/Sae/IR/SaeDialect.h"
#include "prism/Dialect/Sae/IR/SaeOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace prism::sae;

#include "prism/Dialect/Sae/IR/SaeOpsDialect.cpp.inc"

#include "prism/Dialect/Sae/IR/SaeEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "prism/Dialect/Sae/IR/SaeAttrs.cpp.inc"

void SaeDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "prism/Dialect/Sae/IR/SaeOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "prism/Dialect/Sae/IR/SaeAttrs.cpp.inc"
      >();
}
