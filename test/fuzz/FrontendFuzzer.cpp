//===- FrontendFuzzer.cpp - libFuzzer target for the .sae front end -------===//
//
// Feeds arbitrary bytes through the whole front end: lexer, parser, AST
// printer, sema and MLIRGen, diagnostic printing with source carets, and the
// printing of the verified module. Any crash, hang or sanitizer report is a
// bug: bad input must only ever produce diagnostics.
//
//===----------------------------------------------------------------------===//

#include "prism/Lang/ASTPrinter.h"
#include "prism/Lang/Frontend.h"
#include "prism/Lang/Parser.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static mlir::MLIRContext *context = [] {
    auto *created =
        new mlir::MLIRContext(mlir::MLIRContext::Threading::DISABLED);
    return created;
  }();
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);

  llvm::SourceMgr sourceMgr;
  unsigned buffer = sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(text, "fuzz.sae"), llvm::SMLoc());
  // Render every diagnostic (source line and caret included), then drop it.
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, context, llvm::nulls());

  if (std::unique_ptr<prism::lang::ast::File> file =
          prism::lang::parseFile(sourceMgr, buffer, context))
    prism::lang::printAST(*file, sourceMgr, llvm::nulls());
  if (mlir::OwningOpRef<mlir::ModuleOp> module =
          prism::lang::compileToModule(sourceMgr, buffer, context))
    module->print(llvm::nulls());
  return 0;
}
