//===- CpuExecutor.cpp - Running a program's entry points on the CPU ------===//

#include "prism/runtime/CpuExecutor.h"

#include <cstdlib>
#include <cstring>
#include <thread>

using namespace prism;

StatusOr<std::unique_ptr<CpuExecutor>>
CpuExecutor::create(const Program &program) {
  std::unique_ptr<CpuExecutor> executor(new CpuExecutor());
  executor->program = program.info();
  executor->programPath = program.path();
  const std::string &path = program.path();
  const ProgramInfo &info = executor->program;

  std::vector<SharedImage *> byImage(info.kernels.size(), nullptr);
  for (const EntryPointInfo &entry : info.entryPoints) {
    size_t index = entry.kernelImage;
    const KernelImageInfo &image = info.kernels[index];
    std::string what = "kernel image " + std::to_string(index);
    if (!byImage[index]) {
      if (image.target != ProgramTarget::Cpu || image.format != "so")
        return Status::error(
            path, "entry point '" + entry.name + "' uses " + what + " (" +
                      prism::targetName(image.target) + " " + image.format +
                      "), but the CPU executor runs only "
                      "Cpu images in format 'so'");
      if (!image.arch.empty() && image.arch != hostArchitecture())
        return Status::error(path, what + " was built for " + image.arch +
                                       ", but this machine is " +
                                       hostArchitecture());
      StatusOr<std::unique_ptr<SharedImage>> library =
          SharedImage::open(program, index);
      if (!library.isOk())
        return library.getStatus();
      byImage[index] = library->get();
      executor->libraries.push_back(library.take());
    }
    void *symbol = byImage[index]->symbol(entry.symbol);
    if (!symbol)
      return Status::error(path, what + " does not export the symbol '" +
                                     entry.symbol + "' of entry point '" +
                                     entry.name + "'");
    executor->entries.push_back(reinterpret_cast<Entry>(symbol));
  }

  executor->storage.resize(info.buffers.size());
  for (size_t i = 0; i < info.buffers.size(); ++i) {
    if (info.buffers[i].isBatched())
      continue;
    Status status = executor->allocate(i);
    if (!status.isOk())
      return status;
  }
  return executor;
}

CpuExecutor::~CpuExecutor() {
  // Buffers go before the libraries that might have handed out pointers
  // into them; the order is otherwise irrelevant.
  storage.clear();
  libraries.clear();
}

void CpuExecutor::FloatDeleter::operator()(float *data) const {
  std::free(data);
}

Status CpuExecutor::allocate(size_t index) {
  const BufferInfo &buffer = program.buffers[index];
  uint64_t bytes = buffer.numElements(batch) * sizeof(float);
  // aligned_alloc wants a multiple of the alignment; never ask for 0 bytes.
  uint64_t rounded = (bytes + 63) / 64 * 64;
  void *data = std::aligned_alloc(64, rounded ? rounded : 64);
  if (!data)
    return Status::error(programPath,
                         "cannot allocate " + std::to_string(bytes) +
                             " bytes for buffer '" + buffer.name + "'");
  std::memset(data, 0, rounded ? rounded : 64);
  storage[index].reset(static_cast<float *>(data));
  return Status::ok();
}

Status CpuExecutor::setBatchSize(uint64_t rows) {
  if (rows == 0)
    return Status::error(programPath, "the batch size must be positive");
  if (rows == batch)
    return Status::ok();
  batch = rows;
  for (size_t i = 0; i < program.buffers.size(); ++i) {
    if (!program.buffers[i].isBatched())
      continue;
    storage[i].reset();
    Status status = allocate(i);
    if (!status.isOk())
      return status;
  }
  return Status::ok();
}

std::string CpuExecutor::deviceDescription() const {
  return std::string("CPU (") + hostArchitecture() + ", " +
         std::to_string(std::thread::hardware_concurrency()) + " threads)";
}

Status CpuExecutor::run(const std::string &name,
                        const std::vector<float> &scalars) {
  Status status = Status::ok();
  const EntryPointInfo *entry = checkCall(name, scalars, status);
  if (!entry)
    return status;
  std::vector<void *> pointers(storage.size());
  for (size_t i = 0; i < storage.size(); ++i)
    pointers[i] = storage[i].get();
  int64_t dims[1] = {static_cast<int64_t>(batch)};
  Entry function = entries[entry - program.entryPoints.data()];
  int code = function(pointers.data(), dims, scalars.data());
  if (code != 0)
    return Status::error(programPath, "entry point '" + name + "' (symbol '" +
                                          entry->symbol + "') returned " +
                                          std::to_string(code));
  return Status::ok();
}
