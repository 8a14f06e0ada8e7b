//===- CudaDriver.cpp - The CUDA driver API, loaded at run time -----------===//

#include "CudaDriver.h"

#include <dlfcn.h>

using namespace prism;

static const char kDriverLibrary[] = "libcuda.so.1";

StatusOr<const CudaDriver *> CudaDriver::get() {
  // Loaded once per process (thread-safe static initialisation) and never
  // unloaded: executors and cuBLASLt hold its contexts until exit.
  static Status failure = Status::ok();
  static const CudaDriver *driver = load(failure);
  if (!driver)
    return failure;
  return driver;
}

const CudaDriver *CudaDriver::load(Status &status) {
  void *library = ::dlopen(kDriverLibrary, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *error = ::dlerror();
    status = Status::error("", std::string("no usable GPU: cannot load ") +
                                   kDriverLibrary + " (" +
                                   (error ? error : "dlopen failed") + ")");
    return nullptr;
  }
  CudaDriver *driver = new CudaDriver();
  driver->library = library;
  std::string missing;
#define PRISM_CUDA_DRIVER_RESOLVE(name)                                        \
  driver->name =                                                               \
      reinterpret_cast<decltype(driver->name)>(::dlsym(library, #name));       \
  if (!driver->name && missing.empty())                                        \
    missing = #name;
  PRISM_CUDA_DRIVER_FUNCTIONS(PRISM_CUDA_DRIVER_RESOLVE)
#undef PRISM_CUDA_DRIVER_RESOLVE
  driver->cuGetErrorName = reinterpret_cast<decltype(&::cuGetErrorName)>(
      ::dlsym(library, "cuGetErrorName"));
  driver->cuGetErrorString = reinterpret_cast<decltype(&::cuGetErrorString)>(
      ::dlsym(library, "cuGetErrorString"));
  if (!missing.empty()) {
    status = Status::error("", std::string("no usable GPU: ") + kDriverLibrary +
                                   " has no function " + missing +
                                   " (the NVIDIA driver is too old)");
  } else if (CUresult result = driver->cuInit(0)) {
    status = Status::error("", "no usable GPU: cuInit failed with " +
                                   driver->describe(result));
  } else {
    return driver;
  }
  delete driver;
  ::dlclose(library);
  return nullptr;
}

/// The errors that mean "no GPU here", named even where the driver cannot
/// name them (the toolkit's stub library answers every call with 34). 35 is
/// the runtime API's code, which some drivers also return.
static const char *noGpuError(CUresult result, const char *&meaning) {
  switch (static_cast<int>(result)) {
  case CUDA_ERROR_STUB_LIBRARY:
    meaning = "libcuda.so.1 is the CUDA toolkit's stub, not a driver";
    return "CUDA_ERROR_STUB_LIBRARY";
  case 35:
    meaning = "the NVIDIA driver is missing or too old";
    return "cudaErrorInsufficientDriver";
  case CUDA_ERROR_NO_DEVICE:
    meaning = "no CUDA-capable device is detected";
    return "CUDA_ERROR_NO_DEVICE";
  default:
    return nullptr;
  }
}

std::string CudaDriver::errorName(CUresult result) const {
  const char *name = nullptr, *meaning = nullptr;
  if (cuGetErrorName && cuGetErrorName(result, &name) == CUDA_SUCCESS && name)
    return name;
  if ((name = noGpuError(result, meaning)))
    return name;
  return "CUDA error " + std::to_string(static_cast<int>(result));
}

std::string CudaDriver::describe(CUresult result) const {
  std::string number = std::to_string(static_cast<int>(result));
  const char *name = nullptr, *meaning = nullptr;
  if (cuGetErrorName && cuGetErrorName(result, &name) == CUDA_SUCCESS && name) {
    if (!cuGetErrorString || cuGetErrorString(result, &meaning) != CUDA_SUCCESS)
      meaning = nullptr;
  } else {
    name = noGpuError(result, meaning);
  }
  if (!name)
    return "CUDA error " + number;
  return std::string(name) + " (" + number + ")" +
         (meaning ? std::string(": ") + meaning : std::string());
}

bool CudaDriver::isErrorCode(int code) const {
  // CUresult's values lie in [0, 1024); other ints are no CUresult at all.
  const char *name = nullptr;
  return code > 0 && code < 1024 && cuGetErrorName &&
         cuGetErrorName(static_cast<CUresult>(code), &name) == CUDA_SUCCESS &&
         name;
}
