//===- prism-program-dump.cpp - Print a program file for lit tests --------===//
//
// Opens a .prism with the runtime's reader (so every check `Program::open`
// makes applies) and prints what it declares, one item a line, for FileCheck:
//
//   model NAME
//   hyper NAME VALUE
//   train optimizer=... lr=... ... dead_window=... matmul=...
//   buffer I NAME KIND TYPE [SHAPE] [init=KIND ...] [constraint=...]
//   kernel I TARGET ARCH FORMAT (N bytes[, ELF])
//   entry NAME image=I symbol=S scalars=[...] reads=[...] writes=[...]
//   source_path / options / compiler_version / source (first line, lines)
//   source # prismc: imported PATH    (each imported file's marker)
//
//===----------------------------------------------------------------------===//

#include "prism/runtime/Program.h"
#include "prism/runtime/Support.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

using namespace prism;

template <typename T> static std::string list(const std::vector<T> &values) {
  std::ostringstream text;
  text << "[";
  for (size_t i = 0; i < values.size(); ++i)
    text << (i ? ", " : "") << values[i];
  text << "]";
  return text.str();
}

int main(int argc, char **argv) {
  if (argc != 2) {
    std::cerr << "usage: prism-program-dump PROGRAM.prism\n";
    return 1;
  }
  StatusOr<Program> opened = Program::open(argv[1]);
  if (!opened.isOk()) {
    std::cerr << opened.getStatus().str() << "\n";
    return 1;
  }
  const Program &program = *opened;
  const ProgramInfo &info = program.info();
  std::cout << "format_version " << info.formatVersion << "\n";
  std::cout << "model " << info.modelName << "\n";
  std::cout << "target " << targetName(info.target) << "\n";
  for (const auto &[name, value] : info.hypers)
    std::cout << "hyper " << name << " " << shortestDecimal(value) << "\n";
  if (info.train) {
    const TrainConfig &t = *info.train;
    std::cout << "train optimizer=" << t.optimizer
              << " lr=" << shortestDecimal(t.lr)
              << " beta1=" << shortestDecimal(t.beta1)
              << " beta2=" << shortestDecimal(t.beta2)
              << " eps=" << shortestDecimal(t.eps)
              << " weight_decay=" << shortestDecimal(t.weightDecay)
              << " schedule=" << t.schedule << " warmup_steps=" << t.warmupSteps
              << " warmup_epochs=" << shortestDecimal(t.warmupEpochs)
              << " min_lr=" << shortestDecimal(t.minLr) << " batch=" << t.batch
              << " steps=" << t.steps << " epochs=" << t.epochs
              << " seed=" << t.seed << " dead_window=" << t.deadWindow
              << " matmul=" << t.matmul << "\n";
  } else {
    std::cout << "train none\n";
  }
  for (size_t i = 0; i < info.buffers.size(); ++i) {
    const BufferInfo &b = info.buffers[i];
    std::cout << "buffer " << i << " " << b.name << " "
              << bufferKindName(b.kind) << " " << elementTypeName(b.elementType)
              << " " << list(b.shape);
    if (b.init.kind != InitKind::None) {
      std::cout << " init=" << initKindName(b.init.kind);
      if (b.init.kind == InitKind::Constant)
        std::cout << " value=" << shortestDecimal(b.init.value);
      if (b.init.kind == InitKind::Normal)
        std::cout << " std=" << shortestDecimal(b.init.std)
                  << " seed=" << b.init.seed;
      if (!b.init.source.empty())
        std::cout << " source=" << b.init.source;
    }
    if (b.constraint != ParamConstraint::None)
      std::cout << " constraint=" << constraintName(b.constraint);
    std::cout << "\n";
  }
  for (size_t i = 0; i < info.kernels.size(); ++i) {
    const KernelImageInfo &k = info.kernels[i];
    const uint8_t *bytes = program.blob(i);
    bool elf = k.size >= 4 && std::memcmp(bytes,
                                          "\x7f"
                                          "ELF",
                                          4) == 0;
    std::cout << "kernel " << i << " " << targetName(k.target) << " " << k.arch
              << " " << k.format << " (" << k.size << " bytes"
              << (elf ? ", ELF" : "") << ")\n";
  }
  for (const EntryPointInfo &e : info.entryPoints)
    std::cout << "entry " << e.name << " image=" << e.kernelImage
              << " symbol=" << e.symbol << " scalars=" << list(e.scalars)
              << " reads=" << list(e.reads) << " writes=" << list(e.writes)
              << "\n";
  std::cout << "source_path " << info.sourcePath << "\n";
  std::cout << "options " << info.options << "\n";
  std::cout << "compiler_version " << info.compilerVersion << "\n";
  size_t lines = 0;
  for (char c : info.source)
    lines += c == '\n';
  std::cout << "source " << info.source.substr(0, info.source.find('\n'))
            << " (" << lines << " lines)\n";
  // The markers before imported files.
  std::istringstream source(info.source);
  for (std::string line; std::getline(source, line);)
    if (line.rfind("# prismc: imported ", 0) == 0)
      std::cout << "source " << line << "\n";
  return 0;
}
