//===- ASTPrinter.h - Dump a .sae syntax tree -------------------*- C++ -*-===//
//
// The `prismc -emit=ast` form: one node per line, children indented by two
// spaces, each line ending in the node's `(line:col)`: where it starts, or
// for a binary operator where the operator is. Names and literals that are
// the whole value of a binding, dimension or bound print on their owner's
// line (`hyper d = 512 (1:12)`); everything else is a subtree.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_LANG_ASTPRINTER_H
#define PRISM_LANG_ASTPRINTER_H

namespace llvm {
class SourceMgr;
class raw_ostream;
} // namespace llvm

namespace prism::lang {

namespace ast {
class File;
} // namespace ast

/// Prints `file`, whose locations are in `sourceMgr`, to `os`.
void printAST(const ast::File &file, const llvm::SourceMgr &sourceMgr,
              llvm::raw_ostream &os);

} // namespace prism::lang

#endif // PRISM_LANG_ASTPRINTER_H
