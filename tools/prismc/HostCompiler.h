//===- HostCompiler.h - C++ kernels to a shared object ----------*- C++ -*-===//
//
// Runs the host C++ compiler over the emitted kernels (C++17, OpenMP,
// OpenBLAS) and returns the shared object's bytes, which the program embeds
// as its CPU kernel image.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_TOOLS_PRISMC_HOSTCOMPILER_H
#define PRISM_TOOLS_PRISMC_HOSTCOMPILER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace prism::prismc {

struct HostCompilerOptions {
  /// The compiler: a path, or a name looked up on PATH.
  std::string compiler = "c++";
  /// Flags after the defaults (which they may override), before the inputs.
  std::vector<std::string> extraFlags;
  /// Whether the code calls OpenBLAS (the CPU kernels do, CUDA host code
  /// does not).
  bool linkBlas = true;
  /// Where a user sees the code that failed, for the error.
  std::string seeWith = "-emit=cpp";
};

/// The flags every kernel image is built with, for this machine.
std::vector<std::string> defaultKernelFlags();

/// The architecture kernel images built here run on ("x86_64", "aarch64"),
/// as the runtime names it.
std::string hostArchitecture();

/// The path of compiler `tool` (a path, or a name looked up on PATH); the
/// error names it as `what` and says how to choose another (`hint`).
llvm::Expected<std::string> findTool(llvm::StringRef tool, llvm::StringRef what,
                                     llvm::StringRef hint);

/// Writes `text` to a new temporary file with `suffix`; returns its path.
llvm::Expected<std::string> writeTemporary(llvm::StringRef suffix,
                                           llvm::StringRef text);

/// Runs `args` (args[0] is the compiler, at path `compiler`) and returns the
/// bytes it wrote to `outputPath`. A failure quotes the command line and
/// everything the compiler printed, and says where the user sees the code.
llvm::Expected<std::string> runCompiler(llvm::StringRef compiler,
                                        llvm::ArrayRef<std::string> args,
                                        llvm::StringRef outputPath,
                                        llvm::StringRef what,
                                        llvm::StringRef seeWith);

/// Compiles `source` into a shared object and returns its bytes. The error
/// says what failed: a compiler that cannot be found or run, or one that
/// failed, with its command line and everything it printed.
llvm::Expected<std::string> compileSharedObject(llvm::StringRef source,
                                                const HostCompilerOptions &);

} // namespace prism::prismc

#endif // PRISM_TOOLS_PRISMC_HOSTCOMPILER_H
