//===- CudaExecutor.cpp - Running a program's entry points on a GPU -------===//
//
// One stream carries everything, in order: the sends of a call's inputs,
// its scalars, its launches (or the graph that replays them), the fetches
// of its outputs; run() then waits for the stream. Between calls the stream
// is idle, so host views and staging arrays may be rewritten freely.
//
//===----------------------------------------------------------------------===//

#include "prism/runtime/CudaExecutor.h"

#include "CublasLt.h"
#include "CudaDriver.h"
#include "cuda_abi.h"

#include "prism/runtime/SharedImage.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace prism;

namespace {

using EntryFunction = int (*)(const prism_cuda_context *, void *const *,
                              const int64_t *, const float *);

/// The device storage and the host view of a buffer.
struct Buffer {
  CUdeviceptr device = 0;
  float *host = nullptr;
  bool pinned = false;
  uint64_t bytes = 0; // of the buffer's elements, before rounding
};

/// A loaded host image and the device functions its kernel indices name.
struct HostImage {
  std::unique_ptr<SharedImage> library;
  std::vector<std::string> kernelNames;
  std::vector<CUfunction> kernels;
  std::vector<uint32_t> sharedOptIn; // dynamic shared bytes allowed so far
};

struct EntryState {
  HostImage *image = nullptr;
  EntryFunction function = nullptr;
  /// The batch size of the last direct call that succeeded: it sized the
  /// arena, so the next call at this size can be captured.
  uint64_t warmBatch = 0;
  CUgraphExec graph = nullptr;
  bool noGraph = false; // a capture failed: always called directly
};

bool isPinned(BufferKind kind) {
  return kind == BufferKind::Input || kind == BufferKind::Output ||
         kind == BufferKind::ModelState;
}

/// Sent before each call that reads them, fetched after each that writes.
bool isSent(BufferKind kind) {
  return kind == BufferKind::Input || kind == BufferKind::ModelState;
}
bool isFetched(BufferKind kind) {
  return kind == BufferKind::Output || kind == BufferKind::ModelState;
}

/// Sent by pushState(), fetched by pullState().
bool isState(BufferKind kind) {
  return kind == BufferKind::Parameter || kind == BufferKind::OptimizerState ||
         kind == BufferKind::Metric;
}

uint64_t roundUp(uint64_t value, uint64_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}

void *toPointer(CUdeviceptr address) {
  return reinterpret_cast<void *>(static_cast<uintptr_t>(address));
}

CUdeviceptr toAddress(const void *pointer) {
  return static_cast<CUdeviceptr>(reinterpret_cast<uintptr_t>(pointer));
}

/// 80 for "compute_80"; -1 when `arch` is no "compute_" name. Sets
/// `specific` for "compute_90a"-like names, whose PTX runs on that exact
/// architecture only.
int computeVersion(const std::string &arch, bool &specific) {
  const std::string prefix = "compute_";
  specific = false;
  if (arch.compare(0, prefix.size(), prefix) != 0)
    return -1;
  size_t digits = prefix.size();
  int version = 0;
  while (digits < arch.size() && arch[digits] >= '0' && arch[digits] <= '9')
    version = version * 10 + (arch[digits++] - '0');
  if (digits == prefix.size())
    return -1;
  specific = digits < arch.size();
  return version;
}

} // namespace

struct CudaExecutor::Impl {
  explicit Impl(CudaExecutor &owner);
  ~Impl();

  Status error(const std::string &message) const {
    return Status::error(owner.programPath, message);
  }
  Status check(CUresult result, const std::string &what) const {
    if (result == CUDA_SUCCESS)
      return Status::ok();
    return error(what + " failed with " + driver->describe(result));
  }
  Status bind() const {
    return check(driver->cuCtxSetCurrent(context), "cuCtxSetCurrent");
  }

  Status openDevice();
  Status loadDeviceImage(const Program &program);
  Status loadHostImages(const Program &program);
  Status resolveKernels(HostImage &image, const std::string &what);
  /// Device storage and host view of buffer `index` at the current batch
  /// size, zeroed (the device side by a memset on the stream).
  Status allocate(size_t index);
  void release(Buffer &buffer);
  void dropGraphs();
  /// Copies the buffers of `indices` whose kind passes `select` to the
  /// device (`send`) or to their host views.
  Status transfer(const std::vector<uint32_t> &indices,
                  bool (*select)(BufferKind), bool send);
  Status run(const EntryPointInfo &entry, EntryState &state,
             const std::vector<float> &values);
  Status execute(const EntryPointInfo &entry, EntryState &state);
  int callEntry(EntryState &state);
  void capture(EntryState &state);
  /// After a call: frees the arena chunks a growth retired and, if the
  /// call needed more than one chunk, replaces them by one that fits it.
  Status settleArena();

  // The callbacks of prism_cuda_context, and their trampolines.
  void *arena(int64_t bytes);
  int launch(int32_t kernel, uint32_t gridX, uint32_t gridY, uint32_t block,
             uint32_t sharedBytes, void **args);
  int gemm(int ta, int tb, int64_t m, int64_t n, int64_t k, const float *a,
           const float *b, float *c, const float *bias, int relu);
  int copy(void *dst, const void *src, int64_t bytes);
  static void *arenaThunk(void *self, int64_t bytes) {
    return static_cast<Impl *>(self)->arena(bytes);
  }
  static int launchThunk(void *self, int32_t kernel, uint32_t gridX,
                         uint32_t gridY, uint32_t block, uint32_t sharedBytes,
                         void **args) {
    return static_cast<Impl *>(self)->launch(kernel, gridX, gridY, block,
                                             sharedBytes, args);
  }
  static int gemmThunk(void *self, int ta, int tb, int64_t m, int64_t n,
                       int64_t k, const float *a, const float *b, float *c,
                       const float *bias, int relu) {
    return static_cast<Impl *>(self)->gemm(ta, tb, m, n, k, a, b, c, bias,
                                           relu);
  }
  static int copyThunk(void *self, void *dst, const void *src, int64_t bytes) {
    return static_cast<Impl *>(self)->copy(dst, src, bytes);
  }
  /// Keeps the first callback failure of a call for its error message.
  void fail(std::string message) {
    if (failure.empty())
      failure = std::move(message);
  }

  CudaExecutor &owner;
  const CudaDriver *driver = nullptr;
  CUdevice device = 0;
  CUcontext context = nullptr; // the device's primary context, retained
  CUstream stream = nullptr;
  CUmodule module = nullptr;
  std::string deviceName, imageName;
  int major = 0, minor = 0, driverVersion = 0;
  size_t totalMemory = 0;
  std::unique_ptr<CublasLt> blas;
  GemmMath math = GemmMath::Tf32;
  std::vector<std::unique_ptr<HostImage>> images;
  std::vector<EntryState> entries; // parallel to program.entryPoints
  std::vector<Buffer> buffers;     // parallel to program.buffers
  CUdeviceptr scalars = 0;         // the scalars of the current call
  float *scalarStaging = nullptr;  // pinned
  size_t scalarCapacity = 1;
  CUdeviceptr arenaBase = 0;
  uint64_t arenaCapacity = 0, arenaUsed = 0, arenaRequested = 0;
  std::vector<CUdeviceptr> retiredArenas;
  bool graphsEnabled = true;
  bool capturing = false;
  HostImage *current = nullptr; // the image of the entry being called
  std::vector<void *> pointers; // the buffers' device addresses, per call
  /// The dataset kept on the device for one Input buffer (makeResident).
  struct Resident {
    size_t index = 0;
    CUdeviceptr table = 0; // [count, dim]
    uint64_t count = 0, dim = 0;
    CUdeviceptr rows = 0;       // the batch's row numbers, int64
    int64_t *staging = nullptr; // pinned, `capacity` of them
    uint64_t capacity = 0, pending = 0;
    CUfunction gather = nullptr;
  };
  std::unique_ptr<Resident> resident;
  Status gatherResident(const EntryPointInfo &entry);
  Status moveState(bool send);
  void releaseResident();
  std::string failure;
  prism_cuda_context abi = {};
};

CudaExecutor::Impl::Impl(CudaExecutor &owner) : owner(owner) {
  abi.self = this;
  abi.arena = &Impl::arenaThunk;
  abi.launch = &Impl::launchThunk;
  abi.gemm = &Impl::gemmThunk;
  abi.copy = &Impl::copyThunk;
}

// Construction may have stopped anywhere: everything is released only if
// it was made.
CudaExecutor::Impl::~Impl() {
  if (!driver)
    return;
  if (context)
    driver->cuCtxSetCurrent(context);
  if (stream)
    driver->cuStreamSynchronize(stream);
  dropGraphs();
  blas.reset();
  releaseResident();
  for (Buffer &buffer : buffers)
    release(buffer);
  if (scalars)
    driver->cuMemFree_v2(scalars);
  if (scalarStaging)
    driver->cuMemFreeHost(scalarStaging);
  retiredArenas.push_back(arenaBase);
  for (CUdeviceptr chunk : retiredArenas)
    if (chunk)
      driver->cuMemFree_v2(chunk);
  if (module)
    driver->cuModuleUnload(module);
  if (stream)
    driver->cuStreamDestroy_v2(stream);
  images.clear();
  if (context)
    driver->cuDevicePrimaryCtxRelease_v2(device);
}

Status CudaExecutor::Impl::openDevice() {
  StatusOr<const CudaDriver *> loaded = CudaDriver::get();
  if (!loaded.isOk())
    return error("cannot run this CUDA program: " +
                 loaded.getStatus().getMessage());
  driver = *loaded;
  int count = 0;
  Status status = check(driver->cuDeviceGetCount(&count), "cuDeviceGetCount");
  if (!status.isOk())
    return status;
  if (count == 0)
    return error("cannot run this CUDA program: no usable GPU: the CUDA "
                 "driver sees no device");
  int ordinal = 0;
  if (const char *chosen = std::getenv("PRISM_CUDA_DEVICE");
      chosen && *chosen) {
    char *end = nullptr;
    errno = 0;
    long value = std::strtol(chosen, &end, 10);
    if (*end || errno || value < 0 || value >= count)
      return error("PRISM_CUDA_DEVICE is '" + std::string(chosen) +
                   "', but the CUDA devices are numbered 0 to " +
                   std::to_string(count - 1));
    ordinal = static_cast<int>(value);
  }
  std::string which = "device " + std::to_string(ordinal);
  status = check(driver->cuDeviceGet(&device, ordinal), "cuDeviceGet");
  char name[256] = {};
  if (status.isOk())
    status = check(driver->cuDeviceGetName(name, sizeof(name) - 1, device),
                   "cuDeviceGetName");
  deviceName = name;
  if (status.isOk())
    status =
        check(driver->cuDeviceGetAttribute(
                  &major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device),
              "cuDeviceGetAttribute");
  if (status.isOk())
    status =
        check(driver->cuDeviceGetAttribute(
                  &minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device),
              "cuDeviceGetAttribute");
  if (status.isOk())
    status = check(driver->cuDeviceTotalMem_v2(&totalMemory, device),
                   "cuDeviceTotalMem");
  if (status.isOk())
    status =
        check(driver->cuDriverGetVersion(&driverVersion), "cuDriverGetVersion");
  if (status.isOk())
    status = check(driver->cuDevicePrimaryCtxRetain(&context, device),
                   "creating a context on CUDA " + which);
  if (status.isOk())
    status = bind();
  if (status.isOk())
    status = check(driver->cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING),
                   "cuStreamCreate");
  return status;
}

Status CudaExecutor::Impl::loadDeviceImage(const Program &program) {
  const ProgramInfo &info = owner.program;
  std::string arch = "sm_" + std::to_string(major) + std::to_string(minor);
  int capability = major * 10 + minor;
  int cubin = -1, cubinVersion = -1, ptx = -1, ptxVersion = -1;
  std::string available;
  for (size_t i = 0; i < info.kernels.size(); ++i) {
    const KernelImageInfo &image = info.kernels[i];
    if (image.target != ProgramTarget::Cuda)
      continue;
    available += (available.empty() ? "" : ", ") + image.format + " " +
                 (image.arch.empty() ? "(no arch)" : image.arch);
    // A cubin runs on its own major architecture at the same or a later
    // minor one (sm_80 code on sm_86): the closest such, before any PTX.
    bool specificCubin = false;
    int cubinArch =
        image.arch.compare(0, 3, "sm_") == 0
            ? computeVersion("compute_" + image.arch.substr(3), specificCubin)
            : -1;
    if (image.format == "cubin" && cubinArch / 10 == major &&
        cubinArch <= capability && cubinArch > cubinVersion &&
        (!specificCubin || cubinArch == capability)) {
      cubin = static_cast<int>(i);
      cubinVersion = cubinArch;
    }
    if (image.format != "ptx")
      continue;
    // The newest PTX the device can compile; a PTX without an arch is
    // taken last.
    bool specific = false;
    int version = image.arch.empty() ? 0 : computeVersion(image.arch, specific);
    if (version < 0 || version > capability ||
        (specific && version != capability) || version <= ptxVersion)
      continue;
    ptx = static_cast<int>(i);
    ptxVersion = version;
  }
  int chosen = cubin >= 0 ? cubin : ptx;
  if (chosen < 0)
    return error("no kernel image of this program runs on " + deviceName +
                 " (" + arch + "): it has " +
                 (available.empty() ? "no CUDA images" : available));
  const KernelImageInfo &image = info.kernels[chosen];
  imageName = image.format + " " + image.arch;
  // PTX is text and the driver wants it NUL-terminated; a cubin is an ELF
  // file that gives its own size.
  std::string text;
  const void *data = program.blob(chosen);
  if (image.format == "ptx") {
    text.assign(reinterpret_cast<const char *>(data), image.size);
    data = text.c_str();
  }
  char log[8192] = {};
  CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER,
                            CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
  void *values[] = {
      log, reinterpret_cast<void *>(static_cast<uintptr_t>(sizeof(log) - 1))};
  CUresult result =
      driver->cuModuleLoadDataEx(&module, data, 2, options, values);
  if (result == CUDA_SUCCESS)
    return Status::ok();
  module = nullptr;
  std::string message = "cannot load kernel image " + std::to_string(chosen) +
                        " (" + imageName + ") on " + deviceName + " (" + arch +
                        "): " + driver->describe(result);
  std::string jitLog = log;
  while (!jitLog.empty() && (jitLog.back() == '\n' || jitLog.back() == ' '))
    jitLog.pop_back();
  if (!jitLog.empty())
    message += "\n" + jitLog;
  return error(message);
}

Status CudaExecutor::Impl::resolveKernels(HostImage &image,
                                          const std::string &what) {
  const SharedImage &library = *image.library;
  auto *version =
      static_cast<const int *>(library.symbol("prism_cuda_abi_version"));
  if (!version)
    return error(what + " is no CUDA host image: it does not export "
                        "prism_cuda_abi_version");
  if (*version != PRISM_CUDA_ABI_VERSION)
    return error(what + " was built for version " + std::to_string(*version) +
                 " of the CUDA host ABI, but this runtime implements "
                 "version " +
                 std::to_string(PRISM_CUDA_ABI_VERSION) +
                 " (recompile the model with this release's prismc)");
  auto *count =
      static_cast<const int *>(library.symbol("prism_cuda_num_kernels"));
  auto *names = static_cast<const char *const *>(
      library.symbol("prism_cuda_kernel_names"));
  if (!count || *count < 0 || (*count > 0 && !names))
    return error(what + " does not export prism_cuda_num_kernels and "
                        "prism_cuda_kernel_names");
  for (int k = 0; k < *count; ++k) {
    std::string name = names[k] ? names[k] : "";
    CUfunction function = nullptr;
    CUresult result =
        name.empty()
            ? CUDA_ERROR_NOT_FOUND
            : driver->cuModuleGetFunction(&function, module, name.c_str());
    if (result != CUDA_SUCCESS)
      return error("the device image (" + imageName + ") has no kernel '" +
                   name + "', kernel " + std::to_string(k) + " of " + what +
                   ": " + driver->describe(result));
    image.kernelNames.push_back(name);
    image.kernels.push_back(function);
    image.sharedOptIn.push_back(48 << 10);
  }
  return Status::ok();
}

Status CudaExecutor::Impl::loadHostImages(const Program &program) {
  const ProgramInfo &info = owner.program;
  std::vector<HostImage *> byIndex(info.kernels.size(), nullptr);
  entries.resize(info.entryPoints.size());
  for (size_t e = 0; e < info.entryPoints.size(); ++e) {
    const EntryPointInfo &entry = info.entryPoints[e];
    size_t index = entry.kernelImage;
    const KernelImageInfo &image = info.kernels[index];
    std::string what = "kernel image " + std::to_string(index);
    if (!byIndex[index]) {
      if (image.target != ProgramTarget::Cpu || image.format != "so")
        return error("entry point '" + entry.name + "' uses " + what + " (" +
                     prism::targetName(image.target) + " " + image.format +
                     "), but the entry points of a CUDA program live in a "
                     "host image (Cpu, format 'so')");
      if (!image.arch.empty() && image.arch != hostArchitecture())
        return error(what + " was built for " + image.arch +
                     ", but this machine is " + hostArchitecture());
      StatusOr<std::unique_ptr<SharedImage>> library =
          SharedImage::open(program, index);
      if (!library.isOk())
        return library.getStatus();
      auto host = std::make_unique<HostImage>();
      host->library = library.take();
      Status status = resolveKernels(*host, what);
      if (!status.isOk())
        return status;
      byIndex[index] = host.get();
      images.push_back(std::move(host));
    }
    void *symbol = byIndex[index]->library->symbol(entry.symbol);
    if (!symbol)
      return error(what + " does not export the symbol '" + entry.symbol +
                   "' of entry point '" + entry.name + "'");
    entries[e].image = byIndex[index];
    entries[e].function = reinterpret_cast<EntryFunction>(symbol);
  }
  return Status::ok();
}

Status CudaExecutor::Impl::allocate(size_t index) {
  const BufferInfo &info = owner.program.buffers[index];
  Buffer &buffer = buffers[index];
  buffer.bytes = info.numElements(owner.batch) * sizeof(float);
  // Never 0 bytes; whole 256-byte blocks, so the host side also meets
  // aligned_alloc's rule.
  uint64_t rounded = roundUp(std::max<uint64_t>(buffer.bytes, 1), 256);
  std::string what =
      std::to_string(buffer.bytes) + " bytes for buffer '" + info.name + "'";
  Status status = check(driver->cuMemAlloc_v2(&buffer.device, rounded),
                        "allocating " + what + " on the GPU");
  if (!status.isOk()) {
    buffer.device = 0;
    return status;
  }
  status = check(driver->cuMemsetD8Async(buffer.device, 0, rounded, stream),
                 "cuMemsetD8Async");
  if (!status.isOk())
    return status;
  void *host = nullptr;
  if (isPinned(info.kind)) {
    status = check(driver->cuMemAllocHost_v2(&host, rounded),
                   "allocating " + what + " in pinned host memory");
    if (!status.isOk())
      return status;
    buffer.pinned = true;
  } else {
    host = std::aligned_alloc(64, rounded);
    if (!host)
      return error("cannot allocate " + what);
  }
  std::memset(host, 0, rounded);
  buffer.host = static_cast<float *>(host);
  return Status::ok();
}

void CudaExecutor::Impl::release(Buffer &buffer) {
  if (buffer.device)
    driver->cuMemFree_v2(buffer.device);
  if (buffer.host && buffer.pinned)
    driver->cuMemFreeHost(buffer.host);
  else
    std::free(buffer.host);
  buffer = Buffer();
}

void CudaExecutor::Impl::dropGraphs() {
  for (EntryState &state : entries) {
    if (state.graph)
      driver->cuGraphExecDestroy(state.graph);
    state.graph = nullptr;
  }
}

Status CudaExecutor::Impl::transfer(const std::vector<uint32_t> &indices,
                                    bool (*select)(BufferKind), bool send) {
  for (uint32_t index : indices) {
    const BufferInfo &info = owner.program.buffers[index];
    const Buffer &buffer = buffers[index];
    if (!select(info.kind) || buffer.bytes == 0)
      continue;
    CUresult result =
        send ? driver->cuMemcpyHtoDAsync_v2(buffer.device, buffer.host,
                                            buffer.bytes, stream)
             : driver->cuMemcpyDtoHAsync_v2(buffer.host, buffer.device,
                                            buffer.bytes, stream);
    if (result != CUDA_SUCCESS)
      return error(std::string(send ? "sending" : "fetching") + " buffer '" +
                   info.name + "' failed with " + driver->describe(result));
  }
  return Status::ok();
}

void *CudaExecutor::Impl::arena(int64_t bytes) {
  if (bytes < 0) {
    fail("the arena was asked for " + std::to_string(bytes) + " bytes");
    return nullptr;
  }
  uint64_t size = roundUp(std::max<int64_t>(bytes, 1), 256);
  arenaRequested += size;
  if (arenaUsed + size <= arenaCapacity) {
    CUdeviceptr address = arenaBase + arenaUsed;
    arenaUsed += size;
    return toPointer(address);
  }
  // A graph holds the addresses it was captured with: no growing now.
  if (capturing) {
    fail("the entry point asked for more device scratch while being "
         "captured as a CUDA graph");
    return nullptr;
  }
  // Work already issued may use the current chunk: it is freed once the
  // call is over. A new one serves the rest of this call.
  if (arenaBase)
    retiredArenas.push_back(arenaBase);
  uint64_t capacity = std::max(size, 2 * arenaCapacity);
  arenaBase = 0;
  arenaCapacity = arenaUsed = 0;
  // Every graph refers to the chunks being retired.
  dropGraphs();
  if (CUresult result = driver->cuMemAlloc_v2(&arenaBase, capacity)) {
    arenaBase = 0;
    fail("cannot allocate " + std::to_string(capacity) +
         " bytes of device scratch: " + driver->describe(result));
    return nullptr;
  }
  arenaCapacity = capacity;
  arenaUsed = size;
  return toPointer(arenaBase);
}

Status CudaExecutor::Impl::settleArena() {
  if (retiredArenas.empty())
    return Status::ok();
  for (CUdeviceptr chunk : retiredArenas)
    driver->cuMemFree_v2(chunk);
  retiredArenas.clear();
  if (arenaRequested <= arenaCapacity)
    return Status::ok();
  if (arenaBase)
    driver->cuMemFree_v2(arenaBase);
  arenaBase = 0;
  arenaCapacity = 0;
  Status status = check(driver->cuMemAlloc_v2(&arenaBase, arenaRequested),
                        "allocating " + std::to_string(arenaRequested) +
                            " bytes of device scratch");
  if (!status.isOk()) {
    arenaBase = 0;
    return status;
  }
  arenaCapacity = arenaRequested;
  return Status::ok();
}

int CudaExecutor::Impl::launch(int32_t kernel, uint32_t gridX, uint32_t gridY,
                               uint32_t block, uint32_t sharedBytes,
                               void **args) {
  HostImage &image = *current;
  if (kernel < 0 || static_cast<size_t>(kernel) >= image.kernels.size()) {
    fail("kernel " + std::to_string(kernel) +
         " was launched, but the host image names " +
         std::to_string(image.kernels.size()) + " kernels");
    return CUDA_ERROR_INVALID_VALUE;
  }
  // An empty grid has nothing to do (the driver would refuse it).
  if (gridX == 0 || gridY == 0)
    return CUDA_SUCCESS;
  CUfunction function = image.kernels[kernel];
  const std::string &name = image.kernelNames[kernel];
  // Built only on failure: launches are the hot path.
  auto failed = [&](CUresult result) {
    fail("launching kernel '" + name + "' (" + std::to_string(gridX) + " x " +
         std::to_string(gridY) + " blocks of " + std::to_string(block) +
         " threads, " + std::to_string(sharedBytes) +
         " bytes of shared memory) failed with " + driver->describe(result));
    return result;
  };
  // Beyond 48 KiB, dynamic shared memory is opt-in per function.
  if (sharedBytes > image.sharedOptIn[kernel]) {
    CUresult result = driver->cuFuncSetAttribute(
        function, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
        static_cast<int>(sharedBytes));
    if (result != CUDA_SUCCESS)
      return failed(result);
    image.sharedOptIn[kernel] = sharedBytes;
  }
  CUresult result =
      driver->cuLaunchKernel(function, gridX, gridY, 1, block, 1, 1,
                             sharedBytes, stream, args, nullptr);
  return result == CUDA_SUCCESS ? result : failed(result);
}

int CudaExecutor::Impl::gemm(int ta, int tb, int64_t m, int64_t n, int64_t k,
                             const float *a, const float *b, float *c,
                             const float *bias, int relu) {
  Status status =
      blas->gemm(ta != 0, tb != 0, m, n, k, a, b, c, bias, relu != 0, stream);
  if (status.isOk())
    return 0;
  fail(status.getMessage());
  return -1;
}

int CudaExecutor::Impl::copy(void *dst, const void *src, int64_t bytes) {
  if (bytes < 0) {
    fail("a copy of " + std::to_string(bytes) + " bytes was asked for");
    return CUDA_ERROR_INVALID_VALUE;
  }
  if (bytes == 0)
    return CUDA_SUCCESS;
  CUresult result = driver->cuMemcpyDtoDAsync_v2(
      toAddress(dst), toAddress(src), static_cast<size_t>(bytes), stream);
  if (result != CUDA_SUCCESS)
    fail("copying " + std::to_string(bytes) + " bytes on the GPU failed with " +
         driver->describe(result));
  return result;
}

int CudaExecutor::Impl::callEntry(EntryState &state) {
  current = state.image;
  failure.clear();
  arenaUsed = arenaRequested = 0;
  pointers.resize(buffers.size());
  for (size_t i = 0; i < buffers.size(); ++i)
    pointers[i] = toPointer(buffers[i].device);
  const int64_t dims[1] = {static_cast<int64_t>(owner.batch)};
  return state.function(&abi, pointers.data(), dims,
                        static_cast<const float *>(toPointer(scalars)));
}

// The host function runs once between begin and end of a capture, which
// records its launches, GEMMs and copies instead of running them. Any
// failure leaves the entry point to direct calls for good.
void CudaExecutor::Impl::capture(EntryState &state) {
  if (driver->cuStreamBeginCapture_v2(
          stream, CU_STREAM_CAPTURE_MODE_THREAD_LOCAL) != CUDA_SUCCESS) {
    state.noGraph = true;
    return;
  }
  capturing = true;
  int code = callEntry(state);
  capturing = false;
  failure.clear();
  CUgraph graph = nullptr;
  CUresult result = driver->cuStreamEndCapture(stream, &graph);
  CUgraphExec exec = nullptr;
  if (code == 0 && result == CUDA_SUCCESS && graph &&
      driver->cuGraphInstantiateWithFlags(&exec, graph, 0) != CUDA_SUCCESS)
    exec = nullptr;
  if (graph)
    driver->cuGraphDestroy(graph);
  state.graph = exec;
  state.noGraph = !exec;
}

Status CudaExecutor::Impl::execute(const EntryPointInfo &entry,
                                   EntryState &state) {
  std::string what =
      "entry point '" + entry.name + "' (symbol '" + entry.symbol + "')";
  if (graphsEnabled && !state.noGraph && state.warmBatch == owner.batch) {
    if (!state.graph)
      capture(state);
    if (state.graph)
      return check(driver->cuGraphLaunch(state.graph, stream),
                   "launching the CUDA graph of " + what);
  }
  int code = callEntry(state);
  if (code != 0) {
    if (!failure.empty())
      return error(what + " failed: " + failure);
    return error(what + " returned " +
                 (driver->isErrorCode(code)
                      ? driver->describe(static_cast<CUresult>(code))
                      : std::to_string(code)));
  }
  state.warmBatch = owner.batch;
  return Status::ok();
}

void CudaExecutor::Impl::releaseResident() {
  if (!resident)
    return;
  if (resident->table)
    driver->cuMemFree_v2(resident->table);
  if (resident->rows)
    driver->cuMemFree_v2(resident->rows);
  if (resident->staging)
    driver->cuMemFreeHost(resident->staging);
  resident.reset();
}

// The batch of a resident input: its row numbers sent, the rows gathered
// into the buffer by one block per row. Outside any graph, like the sends.
Status CudaExecutor::Impl::gatherResident(const EntryPointInfo &entry) {
  Resident &data = *resident;
  const std::string &name = owner.program.buffers[data.index].name;
  if (data.pending != owner.batch)
    return error("entry point '" + entry.name + "' reads the resident input '" +
                 name + "' of " + std::to_string(owner.batch) +
                 " rows, but the row numbers of " +
                 std::to_string(data.pending) + " rows were given");
  Status status = check(
      driver->cuMemcpyHtoDAsync_v2(data.rows, data.staging,
                                   data.pending * sizeof(int64_t), stream),
      "sending the row numbers of input '" + name + "'");
  if (!status.isOk())
    return status;
  CUdeviceptr out = buffers[data.index].device;
  int64_t count = static_cast<int64_t>(data.pending);
  int64_t dim = static_cast<int64_t>(data.dim);
  void *args[] = {&data.table, &data.rows, &count, &dim, &out};
  return check(driver->cuLaunchKernel(data.gather,
                                      static_cast<unsigned>(data.pending), 1, 1,
                                      256, 1, 1, 0, stream, args, nullptr),
               "gathering the rows of input '" + name + "'");
}

Status CudaExecutor::Impl::run(const EntryPointInfo &entry, EntryState &state,
                               const std::vector<float> &values) {
  Status status = bind();
  if (!status.isOk())
    return status;
  bool gathers = resident && std::find(entry.reads.begin(), entry.reads.end(),
                                       resident->index) != entry.reads.end();
  if (gathers) {
    std::vector<uint32_t> sends;
    for (uint32_t index : entry.reads)
      if (index != resident->index)
        sends.push_back(index);
    status = transfer(sends, isSent, /*send=*/true);
    if (status.isOk())
      status = gatherResident(entry);
  } else {
    status = transfer(entry.reads, isSent, /*send=*/true);
  }
  if (status.isOk() && !values.empty()) {
    std::copy(values.begin(), values.end(), scalarStaging);
    status = check(driver->cuMemcpyHtoDAsync_v2(scalars, scalarStaging,
                                                values.size() * sizeof(float),
                                                stream),
                   "sending the scalars of entry point '" + entry.name + "'");
  }
  if (status.isOk())
    status = execute(entry, state);
  if (status.isOk())
    status = transfer(entry.writes, isFetched, /*send=*/false);
  // Whatever happened, the stream is drained before returning.
  CUresult done = driver->cuStreamSynchronize(stream);
  if (status.isOk() && done != CUDA_SUCCESS)
    status = error("entry point '" + entry.name + "' (symbol '" + entry.symbol +
                   "') failed on the GPU: " + driver->describe(done));
  Status settled = settleArena();
  return status.isOk() ? settled : status;
}

CudaExecutor::CudaExecutor() : impl(std::make_unique<Impl>(*this)) {}

CudaExecutor::~CudaExecutor() = default;

StatusOr<std::unique_ptr<CudaExecutor>>
CudaExecutor::create(const Program &program) {
  std::unique_ptr<CudaExecutor> executor(new CudaExecutor());
  executor->program = program.info();
  executor->programPath = program.path();
  Impl &impl = *executor->impl;
  const char *graphs = std::getenv("PRISM_CUDA_GRAPHS");
  impl.graphsEnabled = !(graphs && std::string(graphs) == "0");

  Status status = impl.openDevice();
  if (status.isOk())
    status = impl.loadDeviceImage(program);
  if (status.isOk())
    status = impl.loadHostImages(program);
  if (status.isOk()) {
    StatusOr<std::unique_ptr<CublasLt>> blas = CublasLt::create(*impl.driver);
    if (blas.isOk())
      impl.blas = blas.take();
    else
      status = impl.error(blas.getStatus().getMessage());
  }
  if (!status.isOk())
    return status;

  const ProgramInfo &info = executor->program;
  for (const EntryPointInfo &entry : info.entryPoints)
    impl.scalarCapacity = std::max(impl.scalarCapacity, entry.scalars.size());
  size_t scalarBytes = impl.scalarCapacity * sizeof(float);
  status = impl.check(impl.driver->cuMemAlloc_v2(&impl.scalars, scalarBytes),
                      "allocating the scalars on the GPU");
  void *staging = nullptr;
  if (status.isOk())
    status = impl.check(impl.driver->cuMemAllocHost_v2(&staging, scalarBytes),
                        "allocating the scalars in pinned memory");
  impl.scalarStaging = static_cast<float *>(staging);

  impl.buffers.resize(info.buffers.size());
  for (size_t i = 0; status.isOk() && i < info.buffers.size(); ++i)
    if (!info.buffers[i].isBatched())
      status = impl.allocate(i);
  if (status.isOk())
    status = impl.check(impl.driver->cuStreamSynchronize(impl.stream),
                        "cuStreamSynchronize");
  if (!status.isOk())
    return status;

  // The GEMM precision: the train block's `matmul`, unless
  // $PRISM_CUDA_MATMUL says otherwise (parity runs ask for fp32).
  std::string matmul = info.train ? info.train->matmul : "tf32";
  if (const char *chosen = std::getenv("PRISM_CUDA_MATMUL"); chosen && *chosen)
    matmul = chosen;
  if (matmul == "fp32")
    executor->setGemmMath(GemmMath::Fp32);
  else if (matmul == "bf16")
    executor->setGemmMath(GemmMath::Bf16);
  else if (matmul == "tf32")
    executor->setGemmMath(GemmMath::Tf32);
  else
    return Status::error(executor->programPath,
                         "unknown GEMM precision '" + matmul +
                             "' (from the train block's matmul or "
                             "PRISM_CUDA_MATMUL; expected tf32, bf16 or "
                             "fp32)");
  return executor;
}

std::string CudaExecutor::deviceDescription() const {
  char memory[32];
  std::snprintf(memory, sizeof(memory), "%.1f GiB",
                static_cast<double>(impl->totalMemory) / (1ull << 30));
  int version = impl->driverVersion;
  return impl->deviceName + " (sm_" + std::to_string(impl->major) +
         std::to_string(impl->minor) + ", " + memory + ", driver " +
         std::to_string(version / 1000) + "." +
         std::to_string(version % 1000 / 10) + ")";
}

Status CudaExecutor::setBatchSize(uint64_t rows) {
  if (rows == 0)
    return Status::error(programPath, "the batch size must be positive");
  if (rows == batch)
    return Status::ok();
  Status status = impl->bind();
  if (!status.isOk())
    return status;
  impl->dropGraphs();
  batch = rows;
  for (size_t i = 0; status.isOk() && i < program.buffers.size(); ++i) {
    if (!program.buffers[i].isBatched())
      continue;
    impl->release(impl->buffers[i]);
    status = impl->allocate(i);
  }
  if (status.isOk())
    status = impl->check(impl->driver->cuStreamSynchronize(impl->stream),
                         "cuStreamSynchronize");
  return status;
}

float *CudaExecutor::buffer(size_t index) { return impl->buffers[index].host; }

Status CudaExecutor::run(const std::string &name,
                         const std::vector<float> &scalars) {
  Status status = Status::ok();
  const EntryPointInfo *entry = checkCall(name, scalars, status);
  if (!entry)
    return status;
  return impl->run(*entry, impl->entries[entry - program.entryPoints.data()],
                   scalars);
}

// Parameters, optimizer state and metric accumulators, one way or the
// other, then a wait for the stream.
Status CudaExecutor::Impl::moveState(bool send) {
  Status status = bind();
  std::vector<uint32_t> all(owner.program.buffers.size());
  for (size_t i = 0; i < all.size(); ++i)
    all[i] = static_cast<uint32_t>(i);
  if (status.isOk())
    status = transfer(all, isState, send);
  CUresult done = driver->cuStreamSynchronize(stream);
  return status.isOk() ? check(done, send ? "sending the model state"
                                          : "fetching the model state")
                       : status;
}

Status CudaExecutor::pullState() { return impl->moveState(/*send=*/false); }

Status CudaExecutor::pushState() { return impl->moveState(/*send=*/true); }

void CudaExecutor::setGemmMath(GemmMath math) {
  if (math == impl->math)
    return;
  impl->math = math;
  // Captured graphs hold the GEMMs of the old mode.
  if (impl->bind().isOk())
    impl->dropGraphs();
  switch (math) {
  case GemmMath::Fp32:
    impl->blas->setMathMode(CublasLt::MathMode::Fp32);
    break;
  case GemmMath::Tf32:
    impl->blas->setMathMode(CublasLt::MathMode::Tf32);
    break;
  case GemmMath::Bf16:
    impl->blas->setMathMode(CublasLt::MathMode::Bf16);
    break;
  }
}

GemmMath CudaExecutor::gemmMath() const { return impl->math; }

bool CudaExecutor::runsAsGraph(const std::string &name) const {
  const EntryPointInfo *entry = program.findEntryPoint(name);
  return entry &&
         impl->entries[entry - program.entryPoints.data()].graph != nullptr;
}

bool prism::cudaDeviceAvailable(std::string &why) {
  StatusOr<const CudaDriver *> driver = CudaDriver::get();
  if (!driver.isOk()) {
    why = driver.getStatus().getMessage();
    return false;
  }
  int count = 0;
  if (CUresult result = (*driver)->cuDeviceGetCount(&count)) {
    why = "no usable GPU: cuDeviceGetCount failed with " +
          (*driver)->describe(result);
    return false;
  }
  if (count == 0) {
    why = "no usable GPU: the CUDA driver sees no device";
    return false;
  }
  why.clear();
  return true;
}

bool CudaExecutor::makeResident(size_t index, const float *rows, uint64_t count,
                                uint64_t dim, std::string &why) {
  Impl &state = *impl;
  const BufferInfo &buffer = program.buffers[index];
  if (buffer.kind != BufferKind::Input || buffer.shape.size() != 2 ||
      buffer.shape[0] != -1 || buffer.shape[1] != static_cast<int64_t>(dim)) {
    why = "input '" + buffer.name + "' is not [batch, " + std::to_string(dim) +
          "]";
    return false;
  }
  if (!state.bind().isOk()) {
    why = "the GPU context cannot be made current";
    return false;
  }
  CUfunction gather = nullptr;
  if (state.driver->cuModuleGetFunction(&gather, state.module,
                                        "prism_gather_rows") != CUDA_SUCCESS) {
    why = "the program has no prism_gather_rows kernel (built by an older "
          "prismc)";
    return false;
  }
  size_t freeBytes = 0, totalBytes = 0;
  uint64_t bytes = count * dim * sizeof(float);
  if (state.driver->cuMemGetInfo_v2(&freeBytes, &totalBytes) != CUDA_SUCCESS ||
      bytes > freeBytes / 2) {
    auto mebibytes = [](uint64_t count) {
      char text[32];
      std::snprintf(text, sizeof(text), "%.1f MiB",
                    static_cast<double>(count) / (1 << 20));
      return std::string(text);
    };
    why = "the data (" + mebibytes(bytes) +
          ") does not fit in half the free GPU memory (" +
          mebibytes(freeBytes) + " free)";
    return false;
  }
  state.releaseResident();
  auto data = std::make_unique<Impl::Resident>();
  data->index = index;
  data->count = count;
  data->dim = dim;
  data->gather = gather;
  bool ok =
      state.driver->cuMemAlloc_v2(&data->table, bytes) == CUDA_SUCCESS &&
      state.driver->cuMemcpyHtoD_v2(data->table, rows, bytes) == CUDA_SUCCESS;
  state.resident = std::move(data);
  if (!ok) {
    state.releaseResident();
    why = "copying the data to the GPU failed";
    return false;
  }
  return true;
}

void CudaExecutor::setResidentRows(const uint64_t *rows, uint64_t count) {
  Impl &state = *impl;
  if (!state.resident)
    return;
  Impl::Resident &data = *state.resident;
  if (count > data.capacity) {
    if (data.staging)
      state.driver->cuMemFreeHost(data.staging);
    if (data.rows)
      state.driver->cuMemFree_v2(data.rows);
    data.staging = nullptr;
    data.rows = 0;
    data.capacity = 0;
    void *staging = nullptr;
    if (state.driver->cuMemAllocHost_v2(&staging, count * sizeof(int64_t)) !=
            CUDA_SUCCESS ||
        state.driver->cuMemAlloc_v2(&data.rows, count * sizeof(int64_t)) !=
            CUDA_SUCCESS) {
      if (staging)
        state.driver->cuMemFreeHost(staging);
      data.pending = 0; // the next call reports the mismatch
      return;
    }
    data.staging = static_cast<int64_t *>(staging);
    data.capacity = count;
  }
  // Row numbers past the table would read outside it: clamp, and let the
  // loader's own checks (it hands out rows of this dataset) be the guard.
  for (uint64_t i = 0; i < count; ++i)
    data.staging[i] = static_cast<int64_t>(std::min(rows[i], data.count - 1));
  data.pending = count;
}
