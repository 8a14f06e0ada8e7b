//===- CudaCompiler.cpp - CUDA kernels to PTX and cubins ------------------===//

#include "CudaCompiler.h"
#include "HostCompiler.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"

#include <cstdlib>

using namespace llvm;
using namespace prism::prismc;

std::string prism::prismc::defaultNvcc() {
  if (const char *nvcc = std::getenv("PRISM_NVCC"); nvcc && *nvcc)
    return nvcc;
  if (const char *home = std::getenv("CUDA_HOME"); home && *home) {
    std::string path = std::string(home) + "/bin/nvcc";
    if (sys::fs::can_execute(path))
      return path;
  }
  if (sys::fs::can_execute("/usr/local/cuda/bin/nvcc"))
    return "/usr/local/cuda/bin/nvcc";
  return "nvcc";
}

std::vector<std::string> prism::prismc::defaultCudaFlags() {
  // IEEE division and square root, no flush to zero: nvcc's defaults,
  // spelled out because the CPU parity suite relies on them.
  return {"-std=c++17", "-O3", "-prec-div=true", "-prec-sqrt=true",
          "-ftz=false"};
}

/// "sm_80" -> "compute_80".
static std::string virtualArch(StringRef arch) {
  return ("compute_" + arch.drop_front(arch.find('_') + 1)).str();
}

Expected<std::vector<CudaImage>>
prism::prismc::compileCudaKernels(StringRef source,
                                  const CudaCompilerOptions &options) {
  Expected<std::string> nvcc = findTool(
      options.nvcc.empty() ? defaultNvcc() : options.nvcc, "CUDA compiler",
      "install the CUDA toolkit, or choose nvcc with -nvcc=PATH or "
      "$PRISM_NVCC");
  if (!nvcc)
    return nvcc.takeError();
  if (options.archs.empty())
    return createStringError(inconvertibleErrorCode(),
                             "no CUDA architecture to build for");
  Expected<std::string> sourcePath = writeTemporary("cu", source);
  if (!sourcePath)
    return sourcePath.takeError();
  FileRemover removeSource(*sourcePath);

  std::vector<CudaImage> images;
  auto build = [&](StringRef mode, StringRef archFlag, StringRef arch,
                   StringRef format) -> Error {
    SmallString<128> output;
    if (std::error_code error =
            sys::fs::createTemporaryFile("prism-kernels", format, output))
      return createStringError(error, "cannot create a temporary ." + format +
                                          " file: " + error.message());
    FileRemover removeOutput(output);
    std::vector<std::string> args = {*nvcc};
    for (const std::string &flag : defaultCudaFlags())
      args.push_back(flag);
    for (const std::string &flag : options.extraFlags)
      args.push_back(flag);
    for (StringRef arg : {mode, archFlag, StringRef("-o"), StringRef(output),
                          StringRef(*sourcePath)})
      args.push_back(arg.str());
    Expected<std::string> bytes =
        runCompiler(*nvcc, args, output, "CUDA compiler", "-emit=cuda");
    if (!bytes)
      return bytes.takeError();
    images.push_back({arch.str(), format.str(), std::move(*bytes)});
    return Error::success();
  };
  for (const std::string &arch : options.archs)
    if (Error error = build("-cubin", "-arch=" + arch, arch, "cubin"))
      return std::move(error);
  std::string ptxArch = virtualArch(options.archs.front());
  if (Error error = build("-ptx", "-arch=" + ptxArch, ptxArch, "ptx"))
    return std::move(error);
  return images;
}
