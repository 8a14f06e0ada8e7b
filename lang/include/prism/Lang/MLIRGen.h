//===- MLIRGen.h - .sae syntax trees to the sae dialect ---------*- C++ -*-===//
//
// Checks the meaning of parsed .sae files (names, constants, shapes, builtin
// signatures) and lowers them into one module of `sae` ops whose locations
// point at the source. Errors are reported through the MLIR diagnostic engine
// with notes pointing at related declarations.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_LANG_MLIRGEN_H
#define PRISM_LANG_MLIRGEN_H

#include "prism/Lang/AST.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/ArrayRef.h"

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace prism::lang {

/// Lowers `files` (imported files first, the main file last) into a module.
/// Returns null after reporting errors; the module it returns verifies.
mlir::OwningOpRef<mlir::ModuleOp>
generateModule(const llvm::SourceMgr &sourceMgr,
               llvm::ArrayRef<const ast::File *> files,
               mlir::MLIRContext *context);

} // namespace prism::lang

#endif // PRISM_LANG_MLIRGEN_H
