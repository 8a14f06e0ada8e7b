//===- LayoutJson.h - A program's buffer table as JSON ----------*- C++ -*-===//
//
// `prismc -layout=FILE` writes the buffers and entry points of the emitted
// code, so that test harnesses (Python over ctypes) can call the kernels:
//
//   {"buffers": [{"name", "role", "shape"}, ...],
//    "entries": [{"name", "symbol", "scalars", "reads", "writes"}, ...]}
//
// `role` is the schema's BufferKind name ("Parameter", "OptimizerState",
// "ModelState", "Input", "Output"); -1 in a shape is the batch; `reads` and
// `writes` index `buffers`, which is the order of the `buffers` argument.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_TOOLS_PRISMC_LAYOUTJSON_H
#define PRISM_TOOLS_PRISMC_LAYOUTJSON_H

#include "prism/Target/CppEmitter.h"

#include "llvm/Support/raw_ostream.h"

namespace prism::prismc {

/// The schema's name of `role`.
const char *roleName(target::BufferRole role);

/// Writes `layout` as JSON, one buffer and one entry point per line.
void writeLayoutJson(const target::ProgramLayout &layout,
                     llvm::raw_ostream &os);

} // namespace prism::prismc

#endif // PRISM_TOOLS_PRISMC_LAYOUTJSON_H
