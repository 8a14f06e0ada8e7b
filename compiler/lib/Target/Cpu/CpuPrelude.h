//===- CpuPrelude.h - Kernels every generated C++ file carries --*- C++ -*-===//

#ifndef PRISM_TARGET_CPU_CPUPRELUDE_H
#define PRISM_TARGET_CPU_CPUPRELUDE_H

namespace prism::target {

/// C++ source placed at the top of every generated CPU kernel file.
const char *getCpuPrelude();

} // namespace prism::target

#endif // PRISM_TARGET_CPU_CPUPRELUDE_H
