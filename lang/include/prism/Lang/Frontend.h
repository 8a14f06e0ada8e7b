//===- Frontend.h - From .sae source to a verified module -------*- C++ -*-===//
//
// The whole front end in two calls: parse a file with everything it imports,
// then check and lower it. Drivers (prismc, the fuzzer) use only these.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_LANG_FRONTEND_H
#define PRISM_LANG_FRONTEND_H

#include "prism/Lang/AST.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <memory>
#include <vector>

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace prism::lang {

/// A parsed file and the files it imports, transitively: imported files come
/// before the files importing them; the main file is last.
struct ParsedProgram {
  std::vector<std::unique_ptr<ast::File>> files;

  std::vector<const ast::File *> getFiles() const;
};

/// Parses buffer `mainBuffer` of `sourceMgr` and every file it imports. An
/// import's path is relative to the importing file's directory; each file is
/// read once, and an import cycle is an error. Returns null after errors.
std::unique_ptr<ParsedProgram> parseProgram(llvm::SourceMgr &sourceMgr,
                                            unsigned mainBuffer,
                                            mlir::MLIRContext *context);

/// Parses and lowers buffer `mainBuffer` into a verified module of `sae`
/// ops, or returns null after reporting errors.
mlir::OwningOpRef<mlir::ModuleOp> compileToModule(llvm::SourceMgr &sourceMgr,
                                                  unsigned mainBuffer,
                                                  mlir::MLIRContext *context);

} // namespace prism::lang

#endif // PRISM_LANG_FRONTEND_H
