//===- emulated_cuda.h - nvcc-style device code as host C++17 ---*- C++ -*-===//
//
// A test-only stand-in for the CUDA device compiler's language: included
// before a .cu file, it lets g++ compile the device code Prism generates as
// ordinary C++17, and runs a grid of it on the CPU with the CUDA execution
// model. emulated-nvcc builds such a translation unit into a shared object
// and MockDriver.cpp (libcuda.so.1 for tests) launches its kernels.
//
// The model:
//
//  - Blocks run one after another on the calling OS thread. The threads of a
//    block are fibers, each on its own small stack (with a guard page),
//    allocated once and reused by every block and launch. A scheduler runs
//    them round-robin, each until it blocks or returns, a warp at a time: a
//    warp's lanes run, and its warp operations complete, until they all
//    wait at a barrier or have returned; then the next warp runs. So each
//    warp runs as far ahead of the others as a barrier lets it.
//  - __syncthreads() parks a fiber until every fiber of the block that has
//    not returned has reached a __syncthreads(); a fiber that returned counts
//    as arrived.
//  - A warp is 32 consecutive threads of the block. A warp operation (the
//    _sync shuffles, votes and reductions, __syncwarp) parks until every
//    lane its mask names that has not returned has reached a warp operation
//    with the same mask; the scheduler then checks that they all reached the
//    same kind of operation and exchanges the values. Reading the value of a
//    lane that returned, or of one outside the mask, is an error.
//  - No fiber can run and some still wait: a deadlock, reported with the
//    kernel's name, and the process aborts.
//  - __shared__ is `static`: blocks do not overlap, so one copy serves them
//    all. emulated-nvcc makes every __shared__ declaration also register its
//    storage, which is filled with 0xff bytes (NaN as a float) when the first
//    thread of each block reaches it: reading shared memory no thread of the
//    block wrote shows.
//  - Emulated threads never run at the same time, so the atomics are plain
//    read-modify-writes, exact and deterministic.
//
// $PRISM_EMU_SCHEDULE=reverse runs the blocks, the warps of each round and
// the lanes of each warp in reverse order, which exposes a missing barrier
// or an overlap that the forward order happens to satisfy; random[:SEED]
// runs them in orders drawn from SEED (default 1), each a legal CUDA
// schedule, deterministic for a given seed. $PRISM_EMU_STRICT=1 also reports a
// __syncthreads() that some threads of the block reach after others returned,
// which the model above allows but the CUDA programming guide leaves undefined.
// On x86-64 the fibers switch with a few instructions of assembly; elsewhere,
// or with PRISM_EMU_UCONTEXT=1, with makecontext and swapcontext.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_TEST_EMULATED_CUDA_H
#define PRISM_TEST_EMULATED_CUDA_H

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <type_traits>
#include <vector>

#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

//===----------------------------------------------------------------------===//
// The language
//===----------------------------------------------------------------------===//

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __noinline__ __attribute__((noinline))
#define __launch_bounds__(...)
#define __shared__ static
#define __constant__ static
// __restrict__ is g++'s own keyword.

#pragma GCC visibility push(hidden)

struct uint3 {
  unsigned x, y, z;
};
struct dim3 {
  unsigned x, y, z;
};

// Updated by the scheduler before it resumes a fiber.
inline uint3 threadIdx;
inline uint3 blockIdx;
inline dim3 blockDim;
inline dim3 gridDim;
constexpr int warpSize = 32;

namespace prism_emu {

enum class State : uint8_t { Runnable, AtBarrier, AtWarp, Done };

enum class WarpOp : uint8_t {
  Sync,
  Shfl,
  ShflUp,
  ShflDown,
  ShflXor,
  Ballot,
  Any,
  All,
  ReduceAdd,
  ReduceMin,
  ReduceMax,
  ReduceAnd,
  ReduceOr,
  ReduceXor,
};

inline const char *warpOpName(WarpOp op) {
  static const char *const names[] = {
      "__syncwarp",        "__shfl_sync",       "__shfl_up_sync",
      "__shfl_down_sync",  "__shfl_xor_sync",   "__ballot_sync",
      "__any_sync",        "__all_sync",        "__reduce_add_sync",
      "__reduce_min_sync", "__reduce_max_sync", "__reduce_and_sync",
      "__reduce_or_sync",  "__reduce_xor_sync"};
  return names[static_cast<int>(op)];
}

/// The order in which blocks, warps and the lanes of a warp run.
enum class Schedule : uint8_t { Forward, Reverse, Random };

/// An emulated thread.
struct Fiber {
  void *sp = nullptr; // its saved stack pointer (the assembly switch)
  ucontext_t context; // the fallback switch
  char *stackBase = nullptr;
  size_t stackSize = 0;
  uint3 index = {0, 0, 0};
  State state = State::Done;
  // The warp operation it waits at: its inputs, then its result.
  WarpOp op = WarpOp::Sync;
  unsigned mask = 0;
  int operand = 0; // the source lane, delta or lane mask
  int width = 32;
  uint64_t value = 0;
  uint64_t result = 0;
};

/// The emulator's state: one per shared object, used by one launch at a
/// time (the mock driver serialises them).
struct Emulator {
  std::vector<Fiber> fibers;
  unsigned threads = 0; // of the current block
  unsigned done = 0, atBarrier = 0, atWarp = 0;
  Fiber *current = nullptr;
  void *schedulerSp = nullptr;
  ucontext_t schedulerContext;
  const char *kernel = nullptr;
  void (*body)(void **) = nullptr;
  void **args = nullptr;
  bool useUcontext = false;
  Schedule schedule = Schedule::Forward;
  uint64_t random = 0; // the state of the random schedule
  bool strictBarriers = false;
  bool configured = false;
  std::vector<void *> sharedSeen; // registered in this block
};

inline Emulator emulator;

constexpr size_t kStackBytes = 64 << 10;

/// Reports `what` with the kernel, block and thread, and aborts.
[[noreturn]] inline void fatal(const char *what) {
  Emulator &e = emulator;
  const Fiber *f = e.current;
  std::fprintf(stderr, "prism-emu: kernel '%s', block (%u, %u, %u)",
               e.kernel ? e.kernel : "?", blockIdx.x, blockIdx.y, blockIdx.z);
  if (f)
    std::fprintf(stderr, ", thread (%u, %u, %u)", f->index.x, f->index.y,
                 f->index.z);
  std::fprintf(stderr, ": %s\n", what);
  std::fflush(stderr);
  std::abort();
}

//===----------------------------------------------------------------------===//
// Switching fibers
//===----------------------------------------------------------------------===//

extern "C" void prism_emu_fiber_main();

#if defined(__x86_64__)
// prism_emu_switch(&from, to): saves the callee-saved registers on the
// current stack and the stack pointer in `from`, then restores those of the
// stack `to` and returns on it. A new fiber's stack holds six zeros and the
// address of prism_emu_fiber_start, which aligns the stack and calls
// prism_emu_fiber_main.
extern "C" void prism_emu_switch(void **from, void *to);
extern "C" void prism_emu_fiber_start();
asm(R"(
  .text
  .weak prism_emu_switch
  .hidden prism_emu_switch
  .type prism_emu_switch, @function
  .p2align 4
prism_emu_switch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size prism_emu_switch, .-prism_emu_switch

  .weak prism_emu_fiber_start
  .hidden prism_emu_fiber_start
  .type prism_emu_fiber_start, @function
  .p2align 4
prism_emu_fiber_start:
  andq $-16, %rsp
  call prism_emu_fiber_main
  ud2
  .size prism_emu_fiber_start, .-prism_emu_fiber_start
)");
constexpr bool kHaveFastSwitch = true;
#else
constexpr bool kHaveFastSwitch = false;
#endif

/// Runs `fiber` until it blocks or returns; called by the scheduler.
inline void resume(Fiber &fiber) {
  Emulator &e = emulator;
  e.current = &fiber;
  threadIdx = fiber.index;
#if defined(__x86_64__)
  if (!e.useUcontext) {
    prism_emu_switch(&e.schedulerSp, fiber.sp);
    e.current = nullptr;
    return;
  }
#endif
  swapcontext(&e.schedulerContext, &fiber.context);
  e.current = nullptr;
}

/// Back to the scheduler from the current fiber; returns when resumed.
inline void yield() {
  Emulator &e = emulator;
  Fiber &fiber = *e.current;
#if defined(__x86_64__)
  if (!e.useUcontext) {
    prism_emu_switch(&fiber.sp, e.schedulerSp);
    return;
  }
#endif
  swapcontext(&fiber.context, &e.schedulerContext);
}

/// Makes `fiber` start the kernel's body when next resumed.
inline void restart(Fiber &fiber) {
  Emulator &e = emulator;
  char *top = fiber.stackBase + fiber.stackSize;
#if defined(__x86_64__)
  if (!e.useUcontext) {
    void **frame = reinterpret_cast<void **>(top) - 8;
    for (int i = 0; i < 6; ++i)
      frame[i] = nullptr;
    frame[6] = reinterpret_cast<void *>(&prism_emu_fiber_start);
    frame[7] = nullptr;
    fiber.sp = frame;
    return;
  }
#endif
  (void)top;
  fiber.context.uc_stack.ss_sp = fiber.stackBase;
  fiber.context.uc_stack.ss_size = fiber.stackSize;
  fiber.context.uc_link = nullptr;
  makecontext(&fiber.context, &prism_emu_fiber_main, 0);
}

inline void allocateFibers(unsigned count) {
  Emulator &e = emulator;
  if (e.fibers.size() >= count)
    return;
  size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size_t have = e.fibers.size();
  // Never reallocated: a ucontext_t points into itself.
  e.fibers.reserve(1024);
  e.fibers.resize(count);
  for (size_t i = have; i < count; ++i) {
    Fiber &fiber = e.fibers[i];
    // A guard page below the stack turns an overflow into a fault.
    void *memory = mmap(nullptr, kStackBytes + page, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (memory == MAP_FAILED)
      fatal("cannot allocate the stack of a fiber");
    mprotect(memory, page, PROT_NONE);
    fiber.stackBase = static_cast<char *>(memory) + page;
    fiber.stackSize = kStackBytes;
    if (getcontext(&fiber.context) != 0)
      fatal("getcontext failed");
  }
}

//===----------------------------------------------------------------------===//
// Faults
//===----------------------------------------------------------------------===//

inline char faultStack[64 << 10];
inline struct sigaction previousSegv, previousBus;

/// A fault in a kernel (an access outside device memory, a fiber's stack
/// overflow) names the kernel, block and thread; then the handler that was
/// there before takes it.
inline void onFault(int signal) {
  Emulator &e = emulator;
  if (e.kernel) {
    char message[512];
    int length = std::snprintf(
        message, sizeof(message),
        "prism-emu: kernel '%s', block (%u, %u, %u), thread (%u, %u, %u): "
        "%s\n",
        e.kernel, blockIdx.x, blockIdx.y, blockIdx.z, threadIdx.x, threadIdx.y,
        threadIdx.z,
        signal == SIGSEGV ? "segmentation fault (an access outside device "
                            "memory, or a fiber's stack overflowed)"
                          : "bus error");
    if (length > 0 && write(2, message, static_cast<size_t>(length)) < 0)
      length = 0;
  }
  sigaction(signal, signal == SIGSEGV ? &previousSegv : &previousBus, nullptr);
  raise(signal);
}

inline void installFaultHandler() {
  stack_t alternate = {};
  alternate.ss_sp = faultStack;
  alternate.ss_size = sizeof(faultStack);
  sigaltstack(&alternate, nullptr);
  struct sigaction action = {};
  action.sa_handler = &onFault;
  action.sa_flags = SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  sigaction(SIGSEGV, &action, &previousSegv);
  sigaction(SIGBUS, &action, &previousBus);
}

//===----------------------------------------------------------------------===//
// Barriers and warp operations
//===----------------------------------------------------------------------===//

inline unsigned laneOf(const Fiber &fiber) {
  return static_cast<unsigned>(&fiber - emulator.fibers.data()) & 31u;
}

/// Completes the warp operation that the lanes of warp `w` named by
/// `mask` wait at, if all of them that have not returned arrived at one with
/// that mask. Returns whether it did.
inline bool completeWarpGroup(unsigned w, unsigned mask) {
  Emulator &e = emulator;
  Fiber *lanes = e.fibers.data() + 32 * w;
  unsigned count = e.threads - 32 * w < 32 ? e.threads - 32 * w : 32;
  unsigned present = 0;
  Fiber *first = nullptr;
  for (unsigned l = 0; l < 32; ++l) {
    if (!(mask >> l & 1u))
      continue;
    if (l >= count || lanes[l].state == State::Done)
      continue;
    if (lanes[l].state != State::AtWarp || lanes[l].mask != mask)
      return false;
    present |= 1u << l;
    if (!first)
      first = &lanes[l];
  }
  if (!first)
    return false;
  for (unsigned l = 0; l < 32; ++l)
    if (present >> l & 1u) {
      const Fiber &lane = lanes[l];
      if (lane.op != first->op || lane.width != first->width) {
        e.current = &lanes[l];
        char what[160];
        std::snprintf(what, sizeof(what),
                      "lanes %u and %u of warp %u wait at different warp "
                      "operations (%s and %s)",
                      laneOf(*first), l, w, warpOpName(first->op),
                      warpOpName(lane.op));
        fatal(what);
      }
    }
  auto source = [&](unsigned l, int from) -> uint64_t {
    if (from < 0 || from >= 32 || !(present >> from & 1u)) {
      e.current = &lanes[l];
      char what[160];
      std::snprintf(what, sizeof(what), "%s in lane %u reads lane %d, which %s",
                    warpOpName(lanes[l].op), l, from,
                    from >= 0 && from < 32 && (mask >> from & 1u)
                        ? "has returned"
                        : "is not in the mask");
      fatal(what);
    }
    return lanes[from].value;
  };
  // The votes and the reductions, over 32-bit values (signed where the
  // operand says so).
  const bool isSigned = first->operand != 0;
  auto widen = [&](uint64_t v) -> int64_t {
    return isSigned ? static_cast<int64_t>(static_cast<int32_t>(v))
                    : static_cast<int64_t>(v & 0xffffffffull);
  };
  uint64_t ballot = 0, sum = 0, all = ~0ull, any = 0, flips = 0;
  int64_t lowest = widen(first->value), highest = lowest;
  for (unsigned l = 0; l < 32; ++l)
    if (present >> l & 1u) {
      uint64_t v = lanes[l].value;
      ballot |= (v != 0 ? 1ull : 0ull) << l;
      sum += v;
      all &= v;
      any |= v;
      flips ^= v;
      lowest = widen(v) < lowest ? widen(v) : lowest;
      highest = widen(v) > highest ? widen(v) : highest;
    }
  for (unsigned l = 0; l < 32; ++l) {
    if (!(present >> l & 1u))
      continue;
    Fiber &lane = lanes[l];
    const int width = lane.width;
    const int segment = static_cast<int>(l) & ~(width - 1);
    const int inside = static_cast<int>(l) & (width - 1);
    switch (lane.op) {
    case WarpOp::Sync:
      lane.result = 0;
      break;
    case WarpOp::Shfl:
      lane.result = source(l, segment + (lane.operand & (width - 1)));
      break;
    case WarpOp::ShflUp:
      lane.result = inside - lane.operand < 0
                        ? lane.value
                        : source(l, static_cast<int>(l) - lane.operand);
      break;
    case WarpOp::ShflDown:
      lane.result = inside + lane.operand >= width
                        ? lane.value
                        : source(l, static_cast<int>(l) + lane.operand);
      break;
    case WarpOp::ShflXor: {
      int from = static_cast<int>(l) ^ lane.operand;
      lane.result = from >= segment + width ? lane.value : source(l, from);
      break;
    }
    case WarpOp::Ballot:
      lane.result = ballot & 0xffffffffull;
      break;
    case WarpOp::Any:
      lane.result = (ballot & 0xffffffffull) != 0;
      break;
    case WarpOp::All:
      lane.result = (ballot & 0xffffffffull) == present;
      break;
    case WarpOp::ReduceAdd:
      lane.result = sum & 0xffffffffull;
      break;
    case WarpOp::ReduceMin:
      lane.result = static_cast<uint64_t>(lowest) & 0xffffffffull;
      break;
    case WarpOp::ReduceMax:
      lane.result = static_cast<uint64_t>(highest) & 0xffffffffull;
      break;
    case WarpOp::ReduceAnd:
      lane.result = all & 0xffffffffull;
      break;
    case WarpOp::ReduceOr:
      lane.result = any & 0xffffffffull;
      break;
    case WarpOp::ReduceXor:
      lane.result = flips & 0xffffffffull;
      break;
    }
  }
  for (unsigned l = 0; l < 32; ++l)
    if (present >> l & 1u) {
      lanes[l].state = State::Runnable;
      --e.atWarp;
    }
  return true;
}

/// Completes the warp operations of warp `w` that can complete; returns
/// whether any did.
inline bool completeWarp(unsigned w) {
  Emulator &e = emulator;
  Fiber *lanes = e.fibers.data() + 32 * w;
  unsigned count = e.threads - 32 * w < 32 ? e.threads - 32 * w : 32;
  bool any = false;
  for (unsigned l = 0; l < count; ++l)
    if (lanes[l].state == State::AtWarp && completeWarpGroup(w, lanes[l].mask))
      any = true;
  return any;
}

/// The next number of the random schedule (xorshift64*).
inline uint64_t nextRandom() {
  Emulator &e = emulator;
  e.random ^= e.random >> 12;
  e.random ^= e.random << 25;
  e.random ^= e.random >> 27;
  return e.random * 0x2545f4914f6cdd1dull;
}

/// An order of `count` items (blocks of the grid, warps of a block, lanes
/// of a warp): as they are, reversed, or for the random schedule a random
/// rotation with a random stride prime to `count`.
struct Order {
  uint64_t count = 1, start = 0, stride = 1;
  Schedule schedule = Schedule::Forward;

  explicit Order(uint64_t count) : count(count) {
    schedule = emulator.schedule;
    if (schedule != Schedule::Random || count < 2)
      return;
    start = nextRandom() % count;
    do
      stride = nextRandom() % count | 1u;
    while (std::gcd(stride, count) != 1);
  }
  uint64_t operator[](uint64_t i) const {
    switch (schedule) {
    case Schedule::Forward:
      return i;
    case Schedule::Reverse:
      return count - 1 - i;
    case Schedule::Random:
      break;
    }
    return (start + i * stride) % count;
  }
};

/// Runs the lanes of warp `w` until none can go on: each runs until it
/// blocks or returns, and a warp operation they all reached completes at
/// once. So a warp runs ahead of the others up to a barrier, as a GPU may
/// schedule it, and a missing barrier between warps shows.
inline void runWarp(unsigned w) {
  Emulator &e = emulator;
  unsigned first = 32 * w;
  unsigned count = e.threads - first < 32 ? e.threads - first : 32;
  do {
    Order lanes(count);
    for (unsigned i = 0; i < count; ++i) {
      Fiber &fiber = e.fibers[first + lanes[i]];
      if (fiber.state == State::Runnable)
        resume(fiber);
    }
  } while (e.atWarp && completeWarp(w));
}

[[noreturn]] inline void deadlock() {
  Emulator &e = emulator;
  const Fiber *warpWaiter = nullptr;
  for (unsigned t = 0; t < e.threads; ++t)
    if (e.fibers[t].state == State::AtWarp) {
      warpWaiter = &e.fibers[t];
      break;
    }
  char what[256];
  if (warpWaiter)
    std::snprintf(what, sizeof(what),
                  "deadlock: %u threads wait at __syncthreads, %u at warp "
                  "operations (thread %u at %s with mask 0x%08x), %u have "
                  "returned",
                  e.atBarrier, e.atWarp, warpWaiter->index.x,
                  warpOpName(warpWaiter->op), warpWaiter->mask, e.done);
  else
    std::snprintf(what, sizeof(what),
                  "deadlock: %u threads wait at __syncthreads, %u have "
                  "returned",
                  e.atBarrier, e.done);
  e.current = nullptr;
  fatal(what);
}

/// Runs the current block to completion.
inline void runBlock() {
  Emulator &e = emulator;
  e.done = e.atBarrier = e.atWarp = 0;
  e.sharedSeen.clear();
  for (unsigned t = 0; t < e.threads; ++t) {
    Fiber &fiber = e.fibers[t];
    fiber.state = State::Runnable;
    restart(fiber);
  }
  const unsigned warps = (e.threads + 31) / 32;
  for (;;) {
    Order order(warps);
    for (unsigned i = 0; i < warps; ++i)
      runWarp(static_cast<unsigned>(order[i]));
    if (e.done == e.threads)
      return;
    if (e.atWarp == 0 && e.atBarrier + e.done == e.threads) {
      if (e.strictBarriers && e.done) {
        char what[160];
        std::snprintf(what, sizeof(what),
                      "__syncthreads() is reached by %u threads after %u "
                      "returned (PRISM_EMU_STRICT: undefined in CUDA)",
                      e.atBarrier, e.done);
        fatal(what);
      }
      for (unsigned t = 0; t < e.threads; ++t)
        if (e.fibers[t].state == State::AtBarrier)
          e.fibers[t].state = State::Runnable;
      e.atBarrier = 0;
      continue;
    }
    deadlock();
  }
}

extern "C" inline __attribute__((used)) void prism_emu_fiber_main() {
  Emulator &e = emulator;
  e.body(e.args);
  Fiber &fiber = *e.current;
  fiber.state = State::Done;
  ++e.done;
  yield();
  fatal("a returned fiber was resumed");
}

inline void syncthreads() {
  Emulator &e = emulator;
  if (!e.current)
    fatal("__syncthreads() outside a kernel");
  e.current->state = State::AtBarrier;
  ++e.atBarrier;
  yield();
}

template <typename T> inline uint64_t toBits(T value) {
  static_assert(std::is_trivially_copyable<T>::value && sizeof(T) <= 8,
                "warp operations exchange values of at most 8 bytes");
  uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof(T));
  return bits;
}

template <typename T> inline T fromBits(uint64_t bits) {
  T value;
  std::memcpy(&value, &bits, sizeof(T));
  return value;
}

/// Parks the current lane at a warp operation; returns its result.
inline uint64_t warpOp(WarpOp op, unsigned mask, uint64_t value, int operand,
                       int width) {
  Emulator &e = emulator;
  Fiber *fiber = e.current;
  if (!fiber)
    fatal("a warp operation outside a kernel");
  unsigned lane = laneOf(*fiber);
  if (!(mask >> lane & 1u)) {
    char what[128];
    std::snprintf(what, sizeof(what),
                  "%s with mask 0x%08x is called by lane %u, outside it",
                  warpOpName(op), mask, lane);
    fatal(what);
  }
  if (width <= 0 || width > 32 || (width & (width - 1)) != 0) {
    char what[128];
    std::snprintf(what, sizeof(what), "%s with width %d", warpOpName(op),
                  width);
    fatal(what);
  }
  fiber->op = op;
  fiber->mask = mask;
  fiber->value = value;
  fiber->operand = operand;
  fiber->width = width;
  fiber->state = State::AtWarp;
  ++e.atWarp;
  yield();
  return fiber->result;
}

/// Fills a __shared__ variable with 0xff bytes the first time a thread of
/// the block reaches its declaration.
inline void registerShared(void *storage, size_t bytes) {
  Emulator &e = emulator;
  for (void *seen : e.sharedSeen)
    if (seen == storage)
      return;
  e.sharedSeen.push_back(storage);
  std::memset(storage, 0xff, bytes);
}

inline void configure() {
  Emulator &e = emulator;
  if (e.configured)
    return;
  e.configured = true;
  const char *schedule = std::getenv("PRISM_EMU_SCHEDULE");
  if (schedule && std::strcmp(schedule, "reverse") == 0) {
    e.schedule = Schedule::Reverse;
  } else if (schedule && std::strncmp(schedule, "random", 6) == 0) {
    e.schedule = Schedule::Random;
    e.random =
        schedule[6] == ':' ? std::strtoull(schedule + 7, nullptr, 10) : 1;
    e.random = e.random * 0x9e3779b97f4a7c15ull + 1;
  } else if (schedule && *schedule && std::strcmp(schedule, "forward") != 0) {
    std::fprintf(stderr,
                 "prism-emu: PRISM_EMU_SCHEDULE is '%s', not "
                 "forward, reverse or random[:SEED]\n",
                 schedule);
    std::abort();
  }
  const char *strict = std::getenv("PRISM_EMU_STRICT");
  e.strictBarriers = strict && *strict && *strict != '0';
  const char *ucontext = std::getenv("PRISM_EMU_UCONTEXT");
  e.useUcontext =
      !kHaveFastSwitch || (ucontext && *ucontext && *ucontext != '0');
  installFaultHandler();
}

/// Runs kernel `name` (its body unpacks `args` and calls it) over a grid of
/// grid[0] x grid[1] x grid[2] blocks of block[0] x block[1] x block[2]
/// threads. Returns 0, or 1 for a launch CUDA would refuse.
inline int launch(const char *name, void (*body)(void **), void **args,
                  const unsigned grid[3], const unsigned block[3],
                  unsigned sharedBytes) {
  Emulator &e = emulator;
  configure();
  uint64_t threads = uint64_t(block[0]) * block[1] * block[2];
  if (threads == 0 || threads > 1024 || grid[0] == 0 || grid[1] == 0 ||
      grid[2] == 0)
    return 1;
  (void)sharedBytes; // no kernel declares extern __shared__ storage
  e.kernel = name;
  e.body = body;
  e.args = args;
  e.threads = static_cast<unsigned>(threads);
  allocateFibers(e.threads);
  for (unsigned t = 0; t < e.threads; ++t)
    e.fibers[t].index = {t % block[0], t / block[0] % block[1],
                         t / (block[0] * block[1])};
  blockDim = {block[0], block[1], block[2]};
  gridDim = {grid[0], grid[1], grid[2]};
  uint64_t blocks = uint64_t(grid[0]) * grid[1] * grid[2];
  Order order(blocks);
  for (uint64_t i = 0; i < blocks; ++i) {
    uint64_t b = order[i];
    blockIdx = {static_cast<unsigned>(b % grid[0]),
                static_cast<unsigned>(b / grid[0] % grid[1]),
                static_cast<unsigned>(b / (uint64_t(grid[0]) * grid[1]))};
    runBlock();
  }
  e.kernel = nullptr;
  return 0;
}

} // namespace prism_emu

#pragma GCC visibility pop

//===----------------------------------------------------------------------===//
// Intrinsics
//===----------------------------------------------------------------------===//

inline void __syncthreads() { prism_emu::syncthreads(); }
inline void __syncwarp(unsigned mask = 0xffffffffu) {
  prism_emu::warpOp(prism_emu::WarpOp::Sync, mask, 0, 0, 32);
}
inline void __threadfence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
inline void __threadfence_block() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

template <typename T>
inline T __shfl_sync(unsigned mask, T value, int lane, int width = 32) {
  return prism_emu::fromBits<T>(prism_emu::warpOp(
      prism_emu::WarpOp::Shfl, mask, prism_emu::toBits(value), lane, width));
}
template <typename T>
inline T __shfl_up_sync(unsigned mask, T value, unsigned delta,
                        int width = 32) {
  return prism_emu::fromBits<T>(prism_emu::warpOp(
      prism_emu::WarpOp::ShflUp, mask, prism_emu::toBits(value),
      static_cast<int>(delta), width));
}
template <typename T>
inline T __shfl_down_sync(unsigned mask, T value, unsigned delta,
                          int width = 32) {
  return prism_emu::fromBits<T>(prism_emu::warpOp(
      prism_emu::WarpOp::ShflDown, mask, prism_emu::toBits(value),
      static_cast<int>(delta), width));
}
template <typename T>
inline T __shfl_xor_sync(unsigned mask, T value, int laneMask, int width = 32) {
  return prism_emu::fromBits<T>(
      prism_emu::warpOp(prism_emu::WarpOp::ShflXor, mask,
                        prism_emu::toBits(value), laneMask, width));
}
inline unsigned __ballot_sync(unsigned mask, int predicate) {
  return static_cast<unsigned>(prism_emu::warpOp(prism_emu::WarpOp::Ballot,
                                                 mask, predicate != 0, 0, 32));
}
inline int __any_sync(unsigned mask, int predicate) {
  return static_cast<int>(
      prism_emu::warpOp(prism_emu::WarpOp::Any, mask, predicate != 0, 0, 32));
}
inline int __all_sync(unsigned mask, int predicate) {
  return static_cast<int>(
      prism_emu::warpOp(prism_emu::WarpOp::All, mask, predicate != 0, 0, 32));
}
inline unsigned __reduce_add_sync(unsigned mask, unsigned value) {
  return static_cast<unsigned>(
      prism_emu::warpOp(prism_emu::WarpOp::ReduceAdd, mask, value, 0, 32));
}
inline int __reduce_add_sync(unsigned mask, int value) {
  return static_cast<int>(prism_emu::warpOp(
      prism_emu::WarpOp::ReduceAdd, mask, static_cast<uint32_t>(value), 1, 32));
}
inline unsigned __reduce_min_sync(unsigned mask, unsigned value) {
  return static_cast<unsigned>(
      prism_emu::warpOp(prism_emu::WarpOp::ReduceMin, mask, value, 0, 32));
}
inline int __reduce_min_sync(unsigned mask, int value) {
  return static_cast<int>(prism_emu::warpOp(
      prism_emu::WarpOp::ReduceMin, mask, static_cast<uint32_t>(value), 1, 32));
}
inline unsigned __reduce_max_sync(unsigned mask, unsigned value) {
  return static_cast<unsigned>(
      prism_emu::warpOp(prism_emu::WarpOp::ReduceMax, mask, value, 0, 32));
}
inline int __reduce_max_sync(unsigned mask, int value) {
  return static_cast<int>(prism_emu::warpOp(
      prism_emu::WarpOp::ReduceMax, mask, static_cast<uint32_t>(value), 1, 32));
}
inline unsigned __reduce_and_sync(unsigned mask, unsigned value) {
  return static_cast<unsigned>(
      prism_emu::warpOp(prism_emu::WarpOp::ReduceAnd, mask, value, 0, 32));
}
inline unsigned __reduce_or_sync(unsigned mask, unsigned value) {
  return static_cast<unsigned>(
      prism_emu::warpOp(prism_emu::WarpOp::ReduceOr, mask, value, 0, 32));
}
inline unsigned __reduce_xor_sync(unsigned mask, unsigned value) {
  return static_cast<unsigned>(
      prism_emu::warpOp(prism_emu::WarpOp::ReduceXor, mask, value, 0, 32));
}

inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline int __popcll(unsigned long long x) { return __builtin_popcountll(x); }
inline int __ffs(int x) { return __builtin_ffs(x); }
inline int __ffsll(long long x) { return __builtin_ffsll(x); }
inline int __clz(int x) {
  return x == 0 ? 32 : __builtin_clz(static_cast<unsigned>(x));
}
inline int __clzll(long long x) {
  return x == 0 ? 64 : __builtin_clzll(static_cast<unsigned long long>(x));
}
inline unsigned __brev(unsigned x) {
  unsigned r = 0;
  for (int i = 0; i < 32; ++i)
    r |= (x >> i & 1u) << (31 - i);
  return r;
}

inline unsigned __float_as_uint(float x) {
  unsigned u;
  std::memcpy(&u, &x, sizeof(u));
  return u;
}
inline float __uint_as_float(unsigned u) {
  float x;
  std::memcpy(&x, &u, sizeof(x));
  return x;
}
inline int __float_as_int(float x) {
  int i;
  std::memcpy(&i, &x, sizeof(i));
  return i;
}
inline float __int_as_float(int i) {
  float x;
  std::memcpy(&x, &i, sizeof(x));
  return x;
}

template <typename T> inline T __ldg(const T *p) { return *p; }

// Atomics: emulated threads never overlap, so a plain read-modify-write is
// exact.
template <typename T> inline T atomicAdd(T *p, T v) {
  T old = *p;
  *p = old + v;
  return old;
}
template <typename T> inline T atomicSub(T *p, T v) {
  T old = *p;
  *p = old - v;
  return old;
}
template <typename T> inline T atomicMax(T *p, T v) {
  T old = *p;
  *p = old < v ? v : old;
  return old;
}
template <typename T> inline T atomicMin(T *p, T v) {
  T old = *p;
  *p = v < old ? v : old;
  return old;
}
template <typename T> inline T atomicExch(T *p, T v) {
  T old = *p;
  *p = v;
  return old;
}
template <typename T> inline T atomicCAS(T *p, T compare, T v) {
  T old = *p;
  if (old == compare)
    *p = v;
  return old;
}
template <typename T> inline T atomicOr(T *p, T v) {
  T old = *p;
  *p = old | v;
  return old;
}
template <typename T> inline T atomicAnd(T *p, T v) {
  T old = *p;
  *p = old & v;
  return old;
}
template <typename T> inline T atomicXor(T *p, T v) {
  T old = *p;
  *p = old ^ v;
  return old;
}
inline unsigned atomicInc(unsigned *p, unsigned limit) {
  unsigned old = *p;
  *p = old >= limit ? 0 : old + 1;
  return old;
}

// Arithmetic. The device code is compiled with -ffp-contract=off, so each
// operation rounds once, as the _rn intrinsics promise.
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __fsqrt_rn(float a) { return std::sqrt(a); }
inline float __frcp_rn(float a) { return 1.0f / a; }
inline float __fmaf_rn(float a, float b, float c) { return std::fma(a, b, c); }
inline float __fdividef(float a, float b) { return a / b; }
inline float __saturatef(float a) {
  return a != a ? 0.0f : a < 0.0f ? 0.0f : a > 1.0f ? 1.0f : a;
}
inline float rsqrtf(float a) { return 1.0f / std::sqrt(a); }
inline float __expf(float a) { return std::exp(a); }
inline float __logf(float a) { return std::log(a); }
inline float __powf(float a, float b) { return std::pow(a, b); }
inline float __sinf(float a) { return std::sin(a); }
inline float __cosf(float a) { return std::cos(a); }
inline float __tanhf(float a) { return std::tanh(a); }

// CUDA's global min and max.
inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
inline unsigned min(unsigned a, unsigned b) { return a < b ? a : b; }
inline unsigned max(unsigned a, unsigned b) { return a > b ? a : b; }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline long long max(long long a, long long b) { return a > b ? a : b; }
inline unsigned long long min(unsigned long long a, unsigned long long b) {
  return a < b ? a : b;
}
inline unsigned long long max(unsigned long long a, unsigned long long b) {
  return a > b ? a : b;
}
inline long min(long a, long b) { return a < b ? a : b; }
inline long max(long a, long b) { return a > b ? a : b; }
inline unsigned long min(unsigned long a, unsigned long b) {
  return a < b ? a : b;
}
inline unsigned long max(unsigned long a, unsigned long b) {
  return a > b ? a : b;
}
inline float min(float a, float b) { return std::fmin(a, b); }
inline float max(float a, float b) { return std::fmax(a, b); }
inline double min(double a, double b) { return std::fmin(a, b); }
inline double max(double a, double b) { return std::fmax(a, b); }

#endif // PRISM_TEST_EMULATED_CUDA_H
