//===- MockDriver.h - What the mock driver lends the mock cuBLASLt -*- C++ -*-//
//
// Test-only. libcublasLt.so.13 (MockCublasLt.cpp) links the mock
// libcuda.so.1 (MockDriver.cpp) and queues its matmuls on the driver's
// streams through these functions.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_TEST_CUDA_EMULATOR_MOCKDRIVER_H
#define PRISM_TEST_CUDA_EMULATOR_MOCKDRIVER_H

#include <cuda.h>

#include <cstddef>
#include <functional>

namespace prism_mock {

/// Runs `op` on `stream` now, or records it when the stream is being
/// captured into a graph.
void enqueue(CUstream stream, std::function<void()> op);

/// Whether [pointer, pointer + bytes) lies inside one device allocation.
bool isDeviceRange(const void *pointer, size_t bytes);

/// Whether `stream` is a stream of this driver (or 0, the legacy stream).
bool isStream(CUstream stream);

} // namespace prism_mock

#endif // PRISM_TEST_CUDA_EMULATOR_MOCKDRIVER_H
