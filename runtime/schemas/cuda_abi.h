/*===- cuda_abi.h - How the runtime calls a CUDA program's host image -----===*
 *
 * A CUDA program (Program.target = Cuda) carries three kinds of kernel image:
 * "ptx" (compute_80, for any newer GPU through the driver's JIT), "cubin"
 * per architecture (sm_80, sm_90) and one host image, format "so", that
 * holds the entry points. An entry point is host code: it sizes the launches
 * from the batch and issues them, in order, through the callbacks below. It
 * never calls CUDA itself, so the same shared object runs wherever the
 * runtime finds a driver.
 *
 * The host image exports:
 *
 *   const int prism_cuda_abi_version;          // PRISM_CUDA_ABI_VERSION
 *   const int prism_cuda_num_kernels;
 *   const char *const prism_cuda_kernel_names[]; // __global__ functions of
 *                                               // the device images
 *   int SYMBOL(const prism_cuda_context *cx, void *const *buffers,
 *              const int64_t *dims, const float *scalars);
 *
 * buffers[i] is the device storage of Program.buffers[i]; dims[0] is the
 * batch size; `scalars` is a device array holding EntryPoint.scalars in
 * order. Every callback works on one stream, in issue order, and returns 0
 * or a non-zero code that the entry point returns at once. This header is
 * the contract shared by prismc (which pastes it into the host code it
 * emits) and the runtime; change PRISM_CUDA_ABI_VERSION with it.
 *
 *===----------------------------------------------------------------------===*/

#ifndef PRISM_CUDA_ABI_H
#define PRISM_CUDA_ABI_H

#include <stdint.h>

#define PRISM_CUDA_ABI_VERSION 1

#ifdef __cplusplus
extern "C" {
#endif

typedef struct prism_cuda_context {
  void *self;
  /* Device scratch of at least `bytes` bytes, 256-byte aligned, valid until
   * the entry point returns; NULL when it cannot be had. */
  void *(*arena)(void *self, int64_t bytes);
  /* Launches kernel prism_cuda_kernel_names[kernel] with a grid of
   * grid_x * grid_y blocks of `block` threads, `shared_bytes` of dynamic
   * shared memory and cuLaunchKernel's argument array. */
  int (*launch)(void *self, int32_t kernel, uint32_t grid_x, uint32_t grid_y,
                uint32_t block, uint32_t shared_bytes, void **args);
  /* Row-major float32 C[m, n] = op(A) @ op(B), op a transpose where ta/tb;
   * with a bias, + bias[n] per row of C, then max(0, .) where relu. */
  int (*gemm)(void *self, int ta, int tb, int64_t m, int64_t n, int64_t k,
              const float *a, const float *b, float *c, const float *bias,
              int relu);
  /* Device-to-device copy of `bytes` bytes. */
  int (*copy)(void *self, void *dst, const void *src, int64_t bytes);
} prism_cuda_context;

#ifdef __cplusplus
}
#endif

#endif /* PRISM_CUDA_ABI_H */
