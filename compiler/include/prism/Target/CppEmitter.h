//===- CppEmitter.h - saek to C++ with OpenMP -------------------*- C++ -*-===//
//
// Translates the entry functions of a kernel-level module (saek ops, fused
// linalg.generic kernels on tensors, tensor.empty, func.return) into one C++
// file that exports each entry point with the ABI of runtime/schemas/
// program.fbs. Alongside, it lays out the program's buffer table, which the
// program writer stores so that the runtime allocates what the code indexes.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_TARGET_CPPEMITTER_H
#define PRISM_TARGET_CPPEMITTER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>
#include <vector>

namespace prism::target {

/// What a program buffer holds; mirrors schema::BufferKind.
enum class BufferRole {
  Parameter,
  OptimizerState,
  ModelState,
  Input,
  Output,
  Accumulator, // a metrics accumulator, kept across calls
};

struct ProgramBuffer {
  std::string name;
  BufferRole role;
  std::vector<int64_t> shape; // -1 for the batch dimension
};

struct ProgramEntry {
  std::string name;   // "train_step", "forward", ...
  std::string symbol; // the exported C function
  std::vector<std::string> scalars;
  std::vector<unsigned> reads, writes;
};

/// The buffer table and entry points shared by every back end.
struct ProgramLayout {
  std::vector<ProgramBuffer> buffers;
  std::vector<ProgramEntry> entries;

  /// The index of buffer `name`, added with `role` and `shape` if new; fails
  /// (returns -1) when it exists with another shape.
  int findOrAdd(const std::string &name, BufferRole role,
                const std::vector<int64_t> &shape);
};

/// Emits C++ for every `func.func` carrying a `sae.entry` attribute.
mlir::LogicalResult emitCpp(mlir::ModuleOp module, llvm::raw_ostream &os,
                            ProgramLayout &layout);

} // namespace prism::target

#endif // PRISM_TARGET_CPPEMITTER_H
