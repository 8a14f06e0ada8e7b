//===- Diagnostics.h - Located errors for the .sae front end ----*- C++ -*-===//
//
// The front end reports through MLIR's diagnostic engine, with locations
// converted from the SourceMgr's SMLoc to FileLineColLoc. Drivers then get
// `file:line:col: error:` with the source line and a caret from
// mlir::SourceMgrDiagnosticHandler, and `expected-error` checking from
// mlir::SourceMgrDiagnosticVerifierHandler.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_LANG_DIAGNOSTICS_H
#define PRISM_LANG_DIAGNOSTICS_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "llvm/Support/SMLoc.h"

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace prism::lang {

/// Returns `loc` as a FileLineColLoc naming the buffer that holds it, or an
/// UnknownLoc when no buffer of `sourceMgr` does.
mlir::Location getLocation(const llvm::SourceMgr &sourceMgr, llvm::SMLoc loc,
                           mlir::MLIRContext *context);

/// Emits located errors and counts them. After `kMaxErrors` errors it reports
/// once that it gives up and drops the rest, so a badly broken file cannot
/// flood the terminal.
class DiagnosticReporter {
public:
  static constexpr unsigned kMaxErrors = 20;

  DiagnosticReporter(const llvm::SourceMgr &sourceMgr,
                     mlir::MLIRContext *context)
      : sourceMgr(sourceMgr), context(context) {}

  mlir::Location getLocation(llvm::SMLoc loc) const {
    return lang::getLocation(sourceMgr, loc, context);
  }

  /// Reports an error at `loc`. The result converts to failure() and takes
  /// notes; once the reporter has given up it is abandoned, never printed.
  mlir::InFlightDiagnostic emitError(llvm::SMLoc loc, const llvm::Twine &msg);

  unsigned getNumErrors() const { return numErrors; }
  bool hasGivenUp() const { return givenUp; }

private:
  const llvm::SourceMgr &sourceMgr;
  mlir::MLIRContext *context;
  unsigned numErrors = 0;
  bool givenUp = false;
};

} // namespace prism::lang

#endif // PRISM_LANG_DIAGNOSTICS_H
