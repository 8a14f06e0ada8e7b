//===- MockDriver.cpp - libcuda.so.1 over the CUDA emulator, for tests ----===//
//
// Test-only: built as libcuda.so.1 into the build tree's test/cuda-emulator
// directory, where LD_LIBRARY_PATH makes the runtime's CudaExecutor load it
// instead of NVIDIA's driver. It implements every driver function
// runtime/src/cuda/CudaDriver.h resolves, on the host:
//
//  - one device, "Prism CUDA emulator", compute capability 9.0 ($MOCK_ARCH,
//    e.g. 80 or sm_100, changes it), 16 GiB ($MOCK_MEMORY_MB, e.g. 32.5,
//    changes it);
//  - device memory is host memory: each allocation ends right below a page
//    that cannot be accessed, so a kernel that runs past the end of a buffer
//    faults (with $MOCK_GUARD=front it starts right above one, for accesses
//    before the start), and it starts filled with 0xff bytes (NaN as a
//    float, -1 as an integer), so reading what was never written shows;
//  - a stream runs its operations in order when they are issued; with
//    $MOCK_STREAMS=deferred it queues them until it is synchronised, as a
//    GPU that lags far behind the host would (copies from pageable host
//    memory still read it when issued, copies to it still complete first),
//    which shows a host that reads results or rewrites pinned staging
//    memory too early;
//  - a stream being captured records its operations instead; the graph
//    replays them, kernel arguments as they were at capture time. Allocating
//    or freeing memory or synchronising during a capture fails and
//    invalidates it, as the real driver's thread-local capture mode does;
//  - a module image must be an ELF shared object from emulated-nvcc (the
//    cubin or the "PTX" of a program compiled with -nvcc=emulated-nvcc):
//    it is staged in a memfd and opened with dlopen, and its architecture
//    must suit the device as a real cubin's or PTX's must;
//  - cuLaunchKernel checks the launch as the driver does (block size, grid
//    size, __launch_bounds__, shared memory, pointer arguments inside device
//    allocations), copies the argument bytes (NAME__argsizes) and issues a
//    call of NAME__emulate, which runs the grid in the emulator.
//
// $MOCK_NO_DEVICE makes cuInit fail with CUDA_ERROR_NO_DEVICE; $MOCK_STATS
// prints the launches and any leaked allocations at exit.
//
//===----------------------------------------------------------------------===//

#include "MockDriver.h"

#include <dlfcn.h>
#include <elf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace {

using Op = std::function<void()>;
using EmulateFunction = int (*)(void **, const unsigned *, const unsigned *,
                                unsigned);

struct Stream {
  std::vector<Op> pending; // MOCK_STREAMS=deferred
  std::unique_ptr<std::vector<Op>> capture;
  bool invalidated = false; // of the capture
};

struct Graph {
  std::vector<Op> ops;
};

struct Function {
  std::string name;
  EmulateFunction emulate = nullptr;
  unsigned argCount = 0;
  const unsigned *argSizes = nullptr;
  const unsigned char *argPointers = nullptr;
  unsigned maxThreads = 1024;
  unsigned maxDynamicShared = 48 << 10;
};

struct Module {
  void *library = nullptr;
  int fd = -1;
  std::map<std::string, std::unique_ptr<Function>> functions;
};

struct Allocation {
  size_t bytes = 0; // usable: the request rounded up to 256
  char *mapping = nullptr;
  size_t mappingBytes = 0;
};

constexpr unsigned kStaticSharedLimit = 48 << 10;
constexpr unsigned kOptInSharedLimit = 227 << 10;

struct Driver {
  std::recursive_mutex mutex;
  bool initialized = false;
  bool deferred = false;
  bool guardFront = false;
  int major = 9, minor = 0;
  size_t totalBytes = 16ull << 30;
  int contextRefs = 0;
  std::map<uintptr_t, Allocation> device; // by first address
  std::map<uintptr_t, size_t> host;       // pinned, by first address
  size_t allocatedBytes = 0;
  std::set<Stream *> streams;
  std::set<Module *> modules;
  std::set<Graph *> graphs, execs;
  int capturing = 0;
  CUresult sticky = CUDA_SUCCESS; // a kernel failed after its launch
  unsigned long launches = 0, graphLaunches = 0;
};

Driver &driver() {
  static Driver *instance = new Driver();
  return *instance;
}

using Lock = std::lock_guard<std::recursive_mutex>;

/// $MOCK_STATS: the counts and leaks, when the process exits.
struct Report {
  ~Report() {
    if (!std::getenv("MOCK_STATS"))
      return;
    Driver &d = driver();
    std::fprintf(stderr,
                 "mock cuda: %lu launches, %lu graph launches, %zu device "
                 "and %zu pinned allocations left\n",
                 d.launches, d.graphLaunches, d.device.size(), d.host.size());
  }
} report;

int ownContext;
CUcontext theContext() { return reinterpret_cast<CUcontext>(&ownContext); }

size_t pageBytes() { return static_cast<size_t>(sysconf(_SC_PAGESIZE)); }

size_t roundUp(size_t value, size_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}

/// The allocation holding [address, address + bytes), if any.
const Allocation *findDevice(uintptr_t address, size_t bytes) {
  Driver &d = driver();
  auto next = d.device.upper_bound(address);
  if (next == d.device.begin())
    return nullptr;
  auto it = std::prev(next);
  if (address + bytes > it->first + it->second.bytes)
    return nullptr;
  return &it->second;
}

bool isPinned(const void *pointer) {
  Driver &d = driver();
  uintptr_t address = reinterpret_cast<uintptr_t>(pointer);
  auto next = d.host.upper_bound(address);
  if (next == d.host.begin())
    return false;
  auto it = std::prev(next);
  return address < it->first + it->second;
}

Stream *toStream(CUstream stream) { return reinterpret_cast<Stream *>(stream); }

bool validStream(CUstream stream) {
  return !stream || driver().streams.count(toStream(stream));
}

void runAll(std::vector<Op> &ops) {
  std::vector<Op> now;
  now.swap(ops);
  for (Op &op : now)
    op();
}

/// Runs what `stream` has pending.
void flush(Stream *stream) {
  if (stream)
    runAll(stream->pending);
}

/// Runs what every stream has pending (the device is synchronised).
void flushAll() {
  for (Stream *stream : driver().streams)
    flush(stream);
}

/// Whether a capture is in progress; if so it is invalidated, as the
/// thread-local capture mode does for an unsafe call.
bool breaksCapture() {
  Driver &d = driver();
  if (!d.capturing)
    return false;
  for (Stream *stream : d.streams)
    if (stream->capture)
      stream->invalidated = true;
  return true;
}

void issue(CUstream handle, Op op) {
  Stream *stream = toStream(handle);
  if (stream && stream->capture) {
    stream->capture->push_back(std::move(op));
    return;
  }
  if (stream && driver().deferred) {
    stream->pending.push_back(std::move(op));
    return;
  }
  op();
}

int parseArch(const char *text) {
  if (!text || !*text)
    return 90;
  if (std::strncmp(text, "sm_", 3) == 0)
    text += 3;
  return std::atoi(text);
}

void setLog(unsigned count, CUjit_option *options, void **values,
            const std::string &message) {
  char *buffer = nullptr;
  size_t size = 0;
  for (unsigned i = 0; i < count; ++i) {
    if (options[i] == CU_JIT_ERROR_LOG_BUFFER)
      buffer = static_cast<char *>(values[i]);
    else if (options[i] == CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES)
      size = static_cast<size_t>(reinterpret_cast<uintptr_t>(values[i]));
  }
  if (!buffer || size == 0)
    return;
  std::snprintf(buffer, size, "%s", message.c_str());
}

/// The size of an ELF64 file from its headers: the end of its last
/// section, program header table or section header table.
size_t elfSize(const unsigned char *image) {
  const auto *header = reinterpret_cast<const Elf64_Ehdr *>(image);
  size_t end = header->e_ehsize;
  end = std::max<size_t>(end, header->e_phoff + size_t(header->e_phnum) *
                                                    header->e_phentsize);
  end = std::max<size_t>(end, header->e_shoff + size_t(header->e_shnum) *
                                                    header->e_shentsize);
  const auto *sections =
      reinterpret_cast<const Elf64_Shdr *>(image + header->e_shoff);
  for (unsigned i = 0; header->e_shoff && i < header->e_shnum; ++i)
    if (sections[i].sh_type != SHT_NOBITS)
      end = std::max<size_t>(end, sections[i].sh_offset + sections[i].sh_size);
  return end;
}

/// Whether an image built for `kind` ("cubin" or "ptx") and `arch` runs on
/// the device; `why` says why not.
bool suitsDevice(const std::string &kind, const std::string &arch,
                 std::string &why) {
  Driver &d = driver();
  int capability = d.major * 10 + d.minor;
  std::string digits = arch.substr(arch.find('_') + 1);
  bool specific = !digits.empty() && digits.back() == 'a';
  int version = std::atoi(digits.c_str());
  std::string device = "sm_" + std::to_string(capability);
  if (kind == "cubin") {
    // A cubin runs on its major version, at its minor version or later.
    if (version / 10 == d.major && version % 10 <= d.minor &&
        (!specific || version == capability))
      return true;
    why = "a cubin for " + arch + " does not run on " + device;
    return false;
  }
  if (version <= capability && (!specific || version == capability))
    return true;
  why = "ptxas fatal   : PTX for " + arch + " cannot be compiled for " + device;
  return false;
}

struct ErrorText {
  CUresult code;
  const char *name, *meaning;
};

/// The name and meaning of the results this driver returns.
const ErrorText *findError(CUresult result) {
  static const ErrorText table[] = {
      {CUDA_SUCCESS, "CUDA_SUCCESS", "no error"},
      {CUDA_ERROR_INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE",
       "invalid argument"},
      {CUDA_ERROR_OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
      {CUDA_ERROR_NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED",
       "initialization error"},
      {CUDA_ERROR_NO_DEVICE, "CUDA_ERROR_NO_DEVICE",
       "no CUDA-capable device is detected"},
      {CUDA_ERROR_INVALID_DEVICE, "CUDA_ERROR_INVALID_DEVICE",
       "invalid device ordinal"},
      {CUDA_ERROR_INVALID_IMAGE, "CUDA_ERROR_INVALID_IMAGE",
       "device kernel image is invalid"},
      {CUDA_ERROR_INVALID_CONTEXT, "CUDA_ERROR_INVALID_CONTEXT",
       "invalid device context"},
      {CUDA_ERROR_NO_BINARY_FOR_GPU, "CUDA_ERROR_NO_BINARY_FOR_GPU",
       "no kernel image is available for execution on the device"},
      {CUDA_ERROR_INVALID_PTX, "CUDA_ERROR_INVALID_PTX",
       "a PTX JIT compilation failed"},
      {CUDA_ERROR_OPERATING_SYSTEM, "CUDA_ERROR_OPERATING_SYSTEM",
       "OS call failed or operation not supported on this OS"},
      {CUDA_ERROR_INVALID_HANDLE, "CUDA_ERROR_INVALID_HANDLE",
       "invalid resource handle"},
      {CUDA_ERROR_ILLEGAL_STATE, "CUDA_ERROR_ILLEGAL_STATE",
       "the operation cannot be performed in the present state"},
      {CUDA_ERROR_NOT_FOUND, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
      {CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES",
       "too many resources requested for launch"},
      {CUDA_ERROR_LAUNCH_FAILED, "CUDA_ERROR_LAUNCH_FAILED",
       "unspecified launch failure"},
      {CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED,
       "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED",
       "operation not permitted when stream is capturing"},
      {CUDA_ERROR_STREAM_CAPTURE_INVALIDATED,
       "CUDA_ERROR_STREAM_CAPTURE_INVALIDATED",
       "operation failed due to a previous error during capture"},
      {CUDA_ERROR_UNKNOWN, "CUDA_ERROR_UNKNOWN", "unknown error"},
  };
  for (const ErrorText &entry : table)
    if (entry.code == result)
      return &entry;
  return nullptr;
}

} // namespace

void prism_mock::enqueue(CUstream stream, std::function<void()> op) {
  Lock lock(driver().mutex);
  issue(stream, std::move(op));
}

bool prism_mock::isDeviceRange(const void *pointer, size_t bytes) {
  Lock lock(driver().mutex);
  return findDevice(reinterpret_cast<uintptr_t>(pointer), bytes) != nullptr;
}

bool prism_mock::isStream(CUstream stream) {
  Lock lock(driver().mutex);
  return validStream(stream);
}

#define MOCK_LOCK                                                              \
  Driver &d = driver();                                                        \
  Lock lock(d.mutex)
#define MOCK_REQUIRE_INIT                                                      \
  if (!d.initialized)                                                          \
  return CUDA_ERROR_NOT_INITIALIZED

extern "C" {

CUresult cuInit(unsigned flags) {
  MOCK_LOCK;
  if (flags != 0)
    return CUDA_ERROR_INVALID_VALUE;
  if (std::getenv("MOCK_NO_DEVICE"))
    return CUDA_ERROR_NO_DEVICE;
  int arch = parseArch(std::getenv("MOCK_ARCH"));
  if (arch < 10)
    return CUDA_ERROR_INVALID_DEVICE;
  d.major = arch / 10;
  d.minor = arch % 10;
  if (const char *megabytes = std::getenv("MOCK_MEMORY_MB"))
    d.totalBytes =
        static_cast<size_t>(std::strtod(megabytes, nullptr) * double(1 << 20));
  const char *streams = std::getenv("MOCK_STREAMS");
  d.deferred = streams && std::strcmp(streams, "deferred") == 0;
  const char *guard = std::getenv("MOCK_GUARD");
  d.guardFront = guard && std::strcmp(guard, "front") == 0;
  d.initialized = true;
  return CUDA_SUCCESS;
}

CUresult cuDriverGetVersion(int *version) {
  if (!version)
    return CUDA_ERROR_INVALID_VALUE;
  *version = 13000;
  return CUDA_SUCCESS;
}

CUresult cuDeviceGetCount(int *count) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  if (!count)
    return CUDA_ERROR_INVALID_VALUE;
  *count = 1;
  return CUDA_SUCCESS;
}

CUresult cuDeviceGet(CUdevice *device, int ordinal) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  if (!device)
    return CUDA_ERROR_INVALID_VALUE;
  if (ordinal != 0)
    return CUDA_ERROR_INVALID_DEVICE;
  *device = 0;
  return CUDA_SUCCESS;
}

CUresult cuDeviceGetName(char *name, int length, CUdevice device) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  if (!name || length <= 0)
    return CUDA_ERROR_INVALID_VALUE;
  if (device != 0)
    return CUDA_ERROR_INVALID_DEVICE;
  std::snprintf(name, static_cast<size_t>(length), "Prism CUDA emulator");
  return CUDA_SUCCESS;
}

CUresult cuDeviceGetAttribute(int *value, CUdevice_attribute attribute,
                              CUdevice device) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  if (!value)
    return CUDA_ERROR_INVALID_VALUE;
  if (device != 0)
    return CUDA_ERROR_INVALID_DEVICE;
  switch (attribute) {
  case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR:
    *value = d.major;
    break;
  case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR:
    *value = d.minor;
    break;
  case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK:
  case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X:
  case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y:
    *value = 1024;
    break;
  case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z:
    *value = 64;
    break;
  case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X:
    *value = 0x7fffffff;
    break;
  case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y:
  case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z:
    *value = 65535;
    break;
  case CU_DEVICE_ATTRIBUTE_WARP_SIZE:
    *value = 32;
    break;
  case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT:
    *value = 132;
    break;
  case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK:
    *value = static_cast<int>(kStaticSharedLimit);
    break;
  case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN:
    *value = static_cast<int>(kOptInSharedLimit);
    break;
  default:
    return CUDA_ERROR_INVALID_VALUE;
  }
  return CUDA_SUCCESS;
}

CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice device) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  if (!bytes)
    return CUDA_ERROR_INVALID_VALUE;
  if (device != 0)
    return CUDA_ERROR_INVALID_DEVICE;
  *bytes = d.totalBytes;
  return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRetain(CUcontext *context, CUdevice device) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  if (!context)
    return CUDA_ERROR_INVALID_VALUE;
  if (device != 0)
    return CUDA_ERROR_INVALID_DEVICE;
  ++d.contextRefs;
  *context = theContext();
  return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRelease_v2(CUdevice device) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  if (device != 0)
    return CUDA_ERROR_INVALID_DEVICE;
  if (d.contextRefs == 0)
    return CUDA_ERROR_INVALID_CONTEXT;
  --d.contextRefs;
  return CUDA_SUCCESS;
}

CUresult cuCtxSetCurrent(CUcontext context) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  if (context && (context != theContext() || d.contextRefs == 0))
    return CUDA_ERROR_INVALID_CONTEXT;
  return CUDA_SUCCESS;
}

CUresult cuStreamCreate(CUstream *stream, unsigned flags) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  if (!stream || (flags & ~unsigned(CU_STREAM_NON_BLOCKING)))
    return CUDA_ERROR_INVALID_VALUE;
  Stream *created = new Stream();
  d.streams.insert(created);
  *stream = reinterpret_cast<CUstream>(created);
  return CUDA_SUCCESS;
}

CUresult cuStreamDestroy_v2(CUstream handle) {
  MOCK_LOCK;
  Stream *stream = toStream(handle);
  if (!stream || !d.streams.count(stream))
    return CUDA_ERROR_INVALID_HANDLE;
  // Work still queued completes first, as on a GPU.
  flush(stream);
  if (stream->capture)
    --d.capturing;
  d.streams.erase(stream);
  delete stream;
  return CUDA_SUCCESS;
}

CUresult cuStreamSynchronize(CUstream handle) {
  MOCK_LOCK;
  if (!validStream(handle))
    return CUDA_ERROR_INVALID_HANDLE;
  Stream *stream = toStream(handle);
  if (stream && stream->capture) {
    stream->invalidated = true;
    return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
  }
  if (stream)
    flush(stream);
  else
    flushAll();
  return d.sticky;
}

CUresult cuMemAlloc_v2(CUdeviceptr *pointer, size_t bytes) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  if (!pointer || bytes == 0)
    return CUDA_ERROR_INVALID_VALUE;
  if (breaksCapture())
    return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
  size_t usable = roundUp(bytes, 256);
  if (d.allocatedBytes + usable > d.totalBytes)
    return CUDA_ERROR_OUT_OF_MEMORY;
  size_t page = pageBytes();
  size_t data = roundUp(usable, page);
  void *mapping = mmap(nullptr, data + page, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mapping == MAP_FAILED)
    return CUDA_ERROR_OUT_OF_MEMORY;
  char *base = static_cast<char *>(mapping);
  // The page after the allocation (before it with MOCK_GUARD=front) stays
  // inaccessible.
  char *first;
  if (d.guardFront) {
    mprotect(base, page, PROT_NONE);
    first = base + page;
  } else {
    mprotect(base + data, page, PROT_NONE);
    first = base + data - usable;
  }
  std::memset(first, 0xff, usable);
  Allocation allocation;
  allocation.bytes = usable;
  allocation.mapping = base;
  allocation.mappingBytes = data + page;
  d.device[reinterpret_cast<uintptr_t>(first)] = allocation;
  d.allocatedBytes += usable;
  *pointer = static_cast<CUdeviceptr>(reinterpret_cast<uintptr_t>(first));
  return CUDA_SUCCESS;
}

CUresult cuMemGetInfo_v2(size_t *freeBytes, size_t *totalBytes) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  if (!freeBytes || !totalBytes)
    return CUDA_ERROR_INVALID_VALUE;
  *totalBytes = d.totalBytes;
  *freeBytes = d.totalBytes - d.allocatedBytes;
  return CUDA_SUCCESS;
}

CUresult cuMemFree_v2(CUdeviceptr pointer) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  if (breaksCapture())
    return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
  auto it = d.device.find(static_cast<uintptr_t>(pointer));
  if (it == d.device.end()) {
    std::fprintf(stderr,
                 "mock cuda: cuMemFree of 0x%llx, which is not the "
                 "start of a device allocation\n",
                 static_cast<unsigned long long>(pointer));
    return CUDA_ERROR_INVALID_VALUE;
  }
  // cuMemFree waits for the work that may use the memory.
  flushAll();
  munmap(it->second.mapping, it->second.mappingBytes);
  d.allocatedBytes -= it->second.bytes;
  d.device.erase(it);
  return CUDA_SUCCESS;
}

CUresult cuMemAllocHost_v2(void **pointer, size_t bytes) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  if (!pointer || bytes == 0)
    return CUDA_ERROR_INVALID_VALUE;
  if (breaksCapture())
    return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
  void *memory = std::aligned_alloc(4096, roundUp(bytes, 4096));
  if (!memory)
    return CUDA_ERROR_OUT_OF_MEMORY;
  std::memset(memory, 0xcd, bytes);
  d.host[reinterpret_cast<uintptr_t>(memory)] = bytes;
  *pointer = memory;
  return CUDA_SUCCESS;
}

CUresult cuMemFreeHost(void *pointer) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  if (breaksCapture())
    return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
  auto it = d.host.find(reinterpret_cast<uintptr_t>(pointer));
  if (it == d.host.end()) {
    std::fprintf(stderr,
                 "mock cuda: cuMemFreeHost of %p, which "
                 "cuMemAllocHost did not return\n",
                 pointer);
    return CUDA_ERROR_INVALID_VALUE;
  }
  flushAll();
  std::free(pointer);
  d.host.erase(it);
  return CUDA_SUCCESS;
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr target, const void *source, size_t bytes) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  if (breaksCapture())
    return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
  if (bytes == 0)
    return CUDA_SUCCESS;
  if (!source || !findDevice(static_cast<uintptr_t>(target), bytes))
    return CUDA_ERROR_INVALID_VALUE;
  // The legacy stream: it does not wait for non-blocking streams.
  std::memcpy(reinterpret_cast<void *>(static_cast<uintptr_t>(target)), source,
              bytes);
  return d.sticky;
}

CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr target, const void *source,
                              size_t bytes, CUstream stream) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  if (!validStream(stream))
    return CUDA_ERROR_INVALID_HANDLE;
  if (bytes == 0)
    return CUDA_SUCCESS;
  if (!source || !findDevice(static_cast<uintptr_t>(target), bytes))
    return CUDA_ERROR_INVALID_VALUE;
  void *to = reinterpret_cast<void *>(static_cast<uintptr_t>(target));
  Stream *s = toStream(stream);
  if (!isPinned(source) && !(s && s->capture)) {
    // Pageable memory is staged before the call returns.
    auto staged = std::make_shared<std::vector<char>>(
        static_cast<const char *>(source),
        static_cast<const char *>(source) + bytes);
    issue(stream, [=] { std::memcpy(to, staged->data(), bytes); });
    return CUDA_SUCCESS;
  }
  issue(stream, [=] { std::memcpy(to, source, bytes); });
  return CUDA_SUCCESS;
}

CUresult cuMemcpyDtoHAsync_v2(void *target, CUdeviceptr source, size_t bytes,
                              CUstream stream) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  if (!validStream(stream))
    return CUDA_ERROR_INVALID_HANDLE;
  if (bytes == 0)
    return CUDA_SUCCESS;
  if (!target || !findDevice(static_cast<uintptr_t>(source), bytes))
    return CUDA_ERROR_INVALID_VALUE;
  const void *from =
      reinterpret_cast<const void *>(static_cast<uintptr_t>(source));
  issue(stream, [=] { std::memcpy(target, from, bytes); });
  // A copy to pageable memory has completed when the call returns.
  Stream *s = toStream(stream);
  if (!isPinned(target) && !(s && s->capture))
    flush(s);
  return CUDA_SUCCESS;
}

CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr target, CUdeviceptr source,
                              size_t bytes, CUstream stream) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  if (!validStream(stream))
    return CUDA_ERROR_INVALID_HANDLE;
  if (bytes == 0)
    return CUDA_SUCCESS;
  if (!findDevice(static_cast<uintptr_t>(target), bytes) ||
      !findDevice(static_cast<uintptr_t>(source), bytes))
    return CUDA_ERROR_INVALID_VALUE;
  void *to = reinterpret_cast<void *>(static_cast<uintptr_t>(target));
  const void *from =
      reinterpret_cast<const void *>(static_cast<uintptr_t>(source));
  issue(stream, [=] { std::memmove(to, from, bytes); });
  return CUDA_SUCCESS;
}

CUresult cuMemsetD8Async(CUdeviceptr target, unsigned char value, size_t count,
                         CUstream stream) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  if (!validStream(stream))
    return CUDA_ERROR_INVALID_HANDLE;
  if (count == 0)
    return CUDA_SUCCESS;
  if (!findDevice(static_cast<uintptr_t>(target), count))
    return CUDA_ERROR_INVALID_VALUE;
  void *to = reinterpret_cast<void *>(static_cast<uintptr_t>(target));
  issue(stream, [=] { std::memset(to, value, count); });
  return CUDA_SUCCESS;
}

CUresult cuModuleLoadDataEx(CUmodule *module, const void *image, unsigned count,
                            CUjit_option *options, void **values) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  if (!module || !image || (count && (!options || !values)))
    return CUDA_ERROR_INVALID_VALUE;
  const auto *bytes = static_cast<const unsigned char *>(image);
  if (std::memcmp(bytes, ELFMAG, SELFMAG) != 0) {
    setLog(count, options, values,
           "mock cuda: this image is not an ELF file from emulated-nvcc (the "
           "mock driver does not run PTX text or fatbins)\n");
    return CUDA_ERROR_INVALID_IMAGE;
  }
  const auto *header = static_cast<const Elf64_Ehdr *>(image);
  if (bytes[EI_CLASS] != ELFCLASS64 || header->e_type != ET_DYN) {
    setLog(count, options, values,
           "mock cuda: this ELF image is no shared object from "
           "emulated-nvcc (a real cubin?)\n");
    return CUDA_ERROR_INVALID_IMAGE;
  }
  size_t size = elfSize(bytes);
  int fd = memfd_create("prism-emulated-module", MFD_CLOEXEC);
  if (fd < 0)
    return CUDA_ERROR_OPERATING_SYSTEM;
  for (size_t done = 0; done < size;) {
    ssize_t wrote = write(fd, bytes + done, size - done);
    if (wrote <= 0) {
      close(fd);
      return CUDA_ERROR_OPERATING_SYSTEM;
    }
    done += static_cast<size_t>(wrote);
  }
  std::string path = "/proc/self/fd/" + std::to_string(fd);
  void *library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *error = dlerror();
    setLog(count, options, values,
           std::string("mock cuda: dlopen of the image failed: ") +
               (error ? error : "?") + "\n");
    close(fd);
    return CUDA_ERROR_INVALID_IMAGE;
  }
  const char *built =
      static_cast<const char *>(dlsym(library, "prism_emu_image"));
  std::string kind, arch, why;
  if (built) {
    std::string text = built;
    size_t space = text.find(' ');
    kind = text.substr(0, space);
    arch = space == std::string::npos ? "" : text.substr(space + 1);
  }
  if (!built || (kind != "cubin" && kind != "ptx")) {
    setLog(count, options, values,
           "mock cuda: the image does not say what emulated-nvcc built it "
           "as (prism_emu_image)\n");
    dlclose(library);
    close(fd);
    return CUDA_ERROR_INVALID_IMAGE;
  }
  if (!suitsDevice(kind, arch, why)) {
    setLog(count, options, values, why + "\n");
    dlclose(library);
    close(fd);
    return kind == "cubin" ? CUDA_ERROR_NO_BINARY_FOR_GPU
                           : CUDA_ERROR_INVALID_PTX;
  }
  Module *loaded = new Module();
  loaded->library = library;
  loaded->fd = fd;
  d.modules.insert(loaded);
  *module = reinterpret_cast<CUmodule>(loaded);
  return CUDA_SUCCESS;
}

CUresult cuModuleUnload(CUmodule handle) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  Module *module = reinterpret_cast<Module *>(handle);
  if (!d.modules.count(module))
    return CUDA_ERROR_INVALID_HANDLE;
  flushAll();
  d.modules.erase(module);
  dlclose(module->library);
  close(module->fd);
  delete module;
  return CUDA_SUCCESS;
}

CUresult cuModuleGetFunction(CUfunction *function, CUmodule handle,
                             const char *name) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  Module *module = reinterpret_cast<Module *>(handle);
  if (!function || !name)
    return CUDA_ERROR_INVALID_VALUE;
  if (!d.modules.count(module))
    return CUDA_ERROR_INVALID_HANDLE;
  auto found = module->functions.find(name);
  if (found == module->functions.end()) {
    std::string prefix = name;
    auto symbol = [&](const char *suffix) {
      return dlsym(module->library, (prefix + suffix).c_str());
    };
    auto emulate = reinterpret_cast<EmulateFunction>(symbol("__emulate"));
    auto *argCount = static_cast<const unsigned *>(symbol("__argcount"));
    auto *argSizes = static_cast<const unsigned *>(symbol("__argsizes"));
    auto *argPointers =
        static_cast<const unsigned char *>(symbol("__argpointers"));
    auto *maxThreads = static_cast<const unsigned *>(symbol("__maxthreads"));
    if (!emulate || !argCount || !argSizes || !argPointers || !maxThreads)
      return CUDA_ERROR_NOT_FOUND;
    auto created = std::make_unique<Function>();
    created->name = name;
    created->emulate = emulate;
    created->argCount = *argCount;
    created->argSizes = argSizes;
    created->argPointers = argPointers;
    created->maxThreads = *maxThreads;
    found = module->functions.emplace(name, std::move(created)).first;
  }
  *function = reinterpret_cast<CUfunction>(found->second.get());
  return CUDA_SUCCESS;
}

CUresult cuFuncSetAttribute(CUfunction handle, CUfunction_attribute attribute,
                            int value) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  Function *function = reinterpret_cast<Function *>(handle);
  if (!function)
    return CUDA_ERROR_INVALID_HANDLE;
  switch (attribute) {
  case CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES:
    if (value < 0 || static_cast<unsigned>(value) > kOptInSharedLimit)
      return CUDA_ERROR_INVALID_VALUE;
    function->maxDynamicShared = static_cast<unsigned>(value);
    return CUDA_SUCCESS;
  case CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT:
    return value >= -1 && value <= 100 ? CUDA_SUCCESS
                                       : CUDA_ERROR_INVALID_VALUE;
  default:
    return CUDA_ERROR_INVALID_VALUE;
  }
}

CUresult cuLaunchKernel(CUfunction handle, unsigned gridX, unsigned gridY,
                        unsigned gridZ, unsigned blockX, unsigned blockY,
                        unsigned blockZ, unsigned sharedBytes, CUstream stream,
                        void **params, void **extra) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  Function *function = reinterpret_cast<Function *>(handle);
  if (!function)
    return CUDA_ERROR_INVALID_HANDLE;
  if (!validStream(stream))
    return CUDA_ERROR_INVALID_HANDLE;
  uint64_t threads = uint64_t(blockX) * blockY * blockZ;
  if (gridX == 0 || gridY == 0 || gridZ == 0 || gridX > 0x7fffffffu ||
      gridY > 65535 || gridZ > 65535 || threads == 0 || blockX > 1024 ||
      blockY > 1024 || blockZ > 64 || threads > 1024 || extra ||
      (function->argCount && !params) ||
      sharedBytes > function->maxDynamicShared)
    return CUDA_ERROR_INVALID_VALUE;
  if (threads > function->maxThreads)
    return CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES;
  // The argument bytes, each at a 16-byte boundary.
  std::vector<size_t> offsets(function->argCount);
  size_t total = 0;
  for (unsigned i = 0; i < function->argCount; ++i) {
    offsets[i] = total;
    total += roundUp(std::max(function->argSizes[i], 1u), 16);
  }
  auto blob = std::make_shared<std::vector<unsigned char>>(total);
  for (unsigned i = 0; i < function->argCount; ++i) {
    if (!params[i])
      return CUDA_ERROR_INVALID_VALUE;
    std::memcpy(blob->data() + offsets[i], params[i], function->argSizes[i]);
    if (!function->argPointers[i])
      continue;
    uintptr_t address = 0;
    std::memcpy(&address, params[i], sizeof(address));
    // A pointer argument is null or points into (or just past) a device
    // allocation.
    if (address && !findDevice(address, 0)) {
      std::fprintf(stderr,
                   "mock cuda: argument %u of kernel '%s' is 0x%llx, which "
                   "is not device memory\n",
                   i, function->name.c_str(),
                   static_cast<unsigned long long>(address));
      return CUDA_ERROR_INVALID_VALUE;
    }
  }
  ++d.launches;
  const unsigned grid[3] = {gridX, gridY, gridZ};
  const unsigned block[3] = {blockX, blockY, blockZ};
  Function *f = function;
  issue(stream, [=] {
    std::vector<void *> argv(f->argCount);
    for (unsigned i = 0; i < f->argCount; ++i)
      argv[i] = blob->data() + offsets[i];
    if (f->emulate(argv.data(), grid, block, sharedBytes) != 0) {
      std::fprintf(stderr, "mock cuda: the emulator refused kernel '%s'\n",
                   f->name.c_str());
      driver().sticky = CUDA_ERROR_LAUNCH_FAILED;
    }
  });
  return CUDA_SUCCESS;
}

CUresult cuStreamBeginCapture_v2(CUstream handle, CUstreamCaptureMode mode) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  Stream *stream = toStream(handle);
  if (!stream)
    return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
  if (!d.streams.count(stream))
    return CUDA_ERROR_INVALID_HANDLE;
  if (mode != CU_STREAM_CAPTURE_MODE_GLOBAL &&
      mode != CU_STREAM_CAPTURE_MODE_THREAD_LOCAL &&
      mode != CU_STREAM_CAPTURE_MODE_RELAXED)
    return CUDA_ERROR_INVALID_VALUE;
  if (stream->capture)
    return CUDA_ERROR_ILLEGAL_STATE;
  // Work issued before the capture is not part of it.
  flush(stream);
  stream->capture = std::make_unique<std::vector<Op>>();
  stream->invalidated = false;
  ++d.capturing;
  return CUDA_SUCCESS;
}

CUresult cuStreamEndCapture(CUstream handle, CUgraph *graph) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  Stream *stream = toStream(handle);
  if (!graph)
    return CUDA_ERROR_INVALID_VALUE;
  if (!stream || !d.streams.count(stream))
    return CUDA_ERROR_INVALID_HANDLE;
  if (!stream->capture)
    return CUDA_ERROR_ILLEGAL_STATE;
  std::unique_ptr<std::vector<Op>> ops = std::move(stream->capture);
  --d.capturing;
  *graph = nullptr;
  if (stream->invalidated)
    return CUDA_ERROR_STREAM_CAPTURE_INVALIDATED;
  Graph *captured = new Graph();
  captured->ops = std::move(*ops);
  d.graphs.insert(captured);
  *graph = reinterpret_cast<CUgraph>(captured);
  return CUDA_SUCCESS;
}

CUresult cuGraphInstantiateWithFlags(CUgraphExec *exec, CUgraph handle,
                                     unsigned long long flags) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  Graph *graph = reinterpret_cast<Graph *>(handle);
  if (!exec || flags != 0)
    return CUDA_ERROR_INVALID_VALUE;
  if (!d.graphs.count(graph))
    return CUDA_ERROR_INVALID_HANDLE;
  Graph *instance = new Graph(*graph);
  d.execs.insert(instance);
  *exec = reinterpret_cast<CUgraphExec>(instance);
  return CUDA_SUCCESS;
}

CUresult cuGraphLaunch(CUgraphExec handle, CUstream stream) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  Graph *exec = reinterpret_cast<Graph *>(handle);
  if (!d.execs.count(exec) || !validStream(stream))
    return CUDA_ERROR_INVALID_HANDLE;
  ++d.graphLaunches;
  for (const Op &op : exec->ops)
    issue(stream, op);
  return CUDA_SUCCESS;
}

CUresult cuGraphExecDestroy(CUgraphExec handle) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  Graph *exec = reinterpret_cast<Graph *>(handle);
  if (!d.execs.erase(exec))
    return CUDA_ERROR_INVALID_HANDLE;
  // A launched graph finishes before its resources go.
  flushAll();
  delete exec;
  return CUDA_SUCCESS;
}

CUresult cuGraphDestroy(CUgraph handle) {
  MOCK_LOCK;
  MOCK_REQUIRE_INIT;
  Graph *graph = reinterpret_cast<Graph *>(handle);
  if (!d.graphs.erase(graph))
    return CUDA_ERROR_INVALID_HANDLE;
  delete graph;
  return CUDA_SUCCESS;
}

CUresult cuGetErrorName(CUresult result, const char **name) {
  if (!name)
    return CUDA_ERROR_INVALID_VALUE;
  const ErrorText *text = findError(result);
  *name = text ? text->name : nullptr;
  return text ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

CUresult cuGetErrorString(CUresult result, const char **meaning) {
  if (!meaning)
    return CUDA_ERROR_INVALID_VALUE;
  const ErrorText *text = findError(result);
  *meaning = text ? text->meaning : nullptr;
  return text ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

} // extern "C"
