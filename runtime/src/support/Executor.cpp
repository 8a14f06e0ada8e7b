//===- Executor.cpp - What every executor shares --------------------------===//

#include "prism/runtime/Executor.h"
#include "prism/runtime/CpuExecutor.h"
#ifdef PRISM_ENABLE_CUDA
#include "prism/runtime/CudaExecutor.h"
#endif

using namespace prism;

Executor::~Executor() = default;

uint64_t Executor::numElements(size_t index) const {
  return program.buffers[index].numElements(batch);
}

std::vector<uint64_t> Executor::shape(size_t index) const {
  return program.buffers[index].concreteShape(batch);
}

bool Executor::hasEntryPoint(const std::string &name) const {
  return program.findEntryPoint(name) != nullptr;
}

const EntryPointInfo *Executor::checkCall(const std::string &name,
                                          const std::vector<float> &scalars,
                                          Status &status) const {
  const EntryPointInfo *entry = program.findEntryPoint(name);
  if (!entry) {
    status = Status::error(programPath,
                           "the program has no entry point '" + name + "'");
    return nullptr;
  }
  if (scalars.size() != entry->scalars.size()) {
    status =
        Status::error(programPath, "entry point '" + name + "' takes " +
                                       std::to_string(entry->scalars.size()) +
                                       " scalars, but was given " +
                                       std::to_string(scalars.size()));
    return nullptr;
  }
  if (batch == 0) {
    status = Status::error(programPath, "entry point '" + name +
                                            "' called before the batch size "
                                            "was set");
    return nullptr;
  }
  return entry;
}

StatusOr<std::unique_ptr<Executor>>
prism::createExecutor(const Program &program) {
  if (program.info().target == ProgramTarget::Cpu) {
    StatusOr<std::unique_ptr<CpuExecutor>> cpu = CpuExecutor::create(program);
    if (!cpu.isOk())
      return cpu.getStatus();
    return std::unique_ptr<Executor>(cpu.take());
  }
#ifdef PRISM_ENABLE_CUDA
  StatusOr<std::unique_ptr<CudaExecutor>> cuda = CudaExecutor::create(program);
  if (!cuda.isOk())
    return cuda.getStatus();
  return std::unique_ptr<Executor>(cuda.take());
#else
  return Status::error(program.path(),
                       "this is a CUDA program, but this prism was built "
                       "without CUDA support (configure with "
                       "-DPRISM_ENABLE_CUDA=ON where the CUDA toolkit's "
                       "headers are installed)");
#endif
}

bool prism::cudaAvailable(std::string &why) {
#ifdef PRISM_ENABLE_CUDA
  return cudaDeviceAvailable(why);
#else
  why = "this prism was built without CUDA support";
  return false;
#endif
}
