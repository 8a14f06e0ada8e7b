//===- Diagnostics.cpp - Located errors for the .sae front end --*- C++ -*-===//

#include "prism/Lang/Diagnostics.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/SourceMgr.h"

using namespace prism::lang;

mlir::Location prism::lang::getLocation(const llvm::SourceMgr &sourceMgr,
                                        llvm::SMLoc loc,
                                        mlir::MLIRContext *context) {
  unsigned bufferID = sourceMgr.FindBufferContainingLoc(loc);
  if (!bufferID)
    return mlir::UnknownLoc::get(context);
  auto [line, column] = sourceMgr.getLineAndColumn(loc, bufferID);
  llvm::StringRef file =
      sourceMgr.getMemoryBuffer(bufferID)->getBufferIdentifier();
  return mlir::FileLineColLoc::get(context, file, line, column);
}

mlir::InFlightDiagnostic DiagnosticReporter::emitError(llvm::SMLoc loc,
                                                       const llvm::Twine &msg) {
  if (givenUp) {
    // Still build it, abandoned, so that it converts to failure().
    mlir::InFlightDiagnostic dropped = mlir::emitError(getLocation(loc), msg);
    dropped.abandon();
    return dropped;
  }
  if (numErrors == kMaxErrors) {
    givenUp = true;
    return mlir::emitError(getLocation(loc), "too many errors (")
           << kMaxErrors << "), stopping here";
  }
  ++numErrors;
  return mlir::emitError(getLocation(loc), msg);
}
