//===- ProgramPacking.h - Kernel-level modules into programs ----*- C++ -*-===//
//
// Everything `prismc -emit=program` records besides the kernel image: the
// buffer table (from the emitter's layout) with each parameter's initialiser
// and constraint (from `sae.param`), the model's hyperparameters, the
// training configuration (`sae.train`), the entry points, and the source and
// options the program was built from. A program with a `train_step` entry
// point is checked against the runtime's contract (docs/formats.md, "Program
// entry points") so that a program prismc writes is one `prism train` runs.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_TOOLS_PRISMC_PROGRAMPACKING_H
#define PRISM_TOOLS_PRISMC_PROGRAMPACKING_H

#include "prism/Target/CppEmitter.h"
#include "prism/runtime/Program.h"

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace prism::prismc {

/// What a program records about how it was built.
struct ProgramProvenance {
  std::string sourcePath; // the input file
  std::string source;     // its text, imported files appended
  std::string options;    // the compiler command line
  std::string compilerVersion;
};

/// Describes the program of `module`, a kernel-level module whose entry
/// functions emitCpp laid out in `layout`; the CPU kernel image (index 0,
/// format "so", this machine's architecture) is left for the caller to
/// supply. Buffers the program declares but no entry point touches are
/// appended to `layout` (the indices the code uses stay as they are): the
/// model's unused parameters, and `dead_mask` [n] beside a `fired` [n] for
/// the runtime to write. Errors are reported as diagnostics on the op at
/// fault.
mlir::FailureOr<ProgramInfo> buildProgramInfo(mlir::ModuleOp module,
                                              target::ProgramLayout &layout,
                                              const ProgramProvenance &from);

} // namespace prism::prismc

#endif // PRISM_TOOLS_PRISMC_PROGRAMPACKING_H
