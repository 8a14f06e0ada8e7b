//===- Parser.h - .sae language parser --------------------------*- C++ -*-===//
//
// A recursive-descent parser for the grammar in docs/language.md.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_LANG_PARSER_H
#define PRISM_LANG_PARSER_H

#include "prism/Lang/AST.h"

#include <memory>

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace prism::lang {

/// Parses buffer `bufferID` of `sourceMgr` as a .sae file. Errors go to the
/// diagnostic engine of `context`, located with FileLineColLoc; the parser
/// recovers at the next statement, so one run reports several. Returns null
/// if there was any error.
std::unique_ptr<ast::File> parseFile(const llvm::SourceMgr &sourceMgr,
                                     unsigned bufferID,
                                     mlir::MLIRContext *context);

} // namespace prism::lang

#endif // PRISM_LANG_PARSER_H
