// RUN: prismc %s -emit=cuda | FileCheck %s

// Each fused kernel takes one of four shapes (CudaEmitter.cpp): a thread per
// point without reduction loops, two launches for a full reduction, a warp
// per output when the reduction loop is innermost, and a serial loop per
// thread otherwise (a sum down columns). The host code issues them, and the
// GEMM with its epilogue and the top-k, through the runtime's callbacks.

#id = affine_map<(b, c) -> (b, c)>
#row = affine_map<(b, c) -> (b)>
#col = affine_map<(b, c) -> (c)>
#all = affine_map<(b, c) -> ()>
func.func @s.forward(%x: tensor<?x6xf32> {sae.input = "x"},
                     %w: tensor<6x8xf32> {sae.param = "w"},
                     %bias: tensor<8xf32> {sae.param = "bias"},
                     %lr: tensor<f32> {sae.scalar = "lr"})
    -> (tensor<?x6xf32> {sae.output = "square"},
        tensor<f32> {sae.output = "total"},
        tensor<?xf32> {sae.output = "row_max"},
        tensor<6xf32> {sae.output = "col_sum"},
        tensor<?x8xf32> {sae.output = "pre"},
        tensor<?x2xf32> {sae.output = "top"},
        tensor<?x2xi32> {sae.output = "top_index"})
    attributes {sae.entry = "forward"} {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %rows = tensor.dim %x, %c0 : tensor<?x6xf32>
  %e = tensor.empty(%rows) : tensor<?x6xf32>
  %sq = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<?x6xf32>) outs(%e : tensor<?x6xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<?x6xf32>
  %t0 = tensor.empty() : tensor<f32>
  %t1 = linalg.fill ins(%zero : f32) outs(%t0 : tensor<f32>) -> tensor<f32>
  %total = linalg.generic {indexing_maps = [#id, #all], iterator_types = ["reduction", "reduction"]}
      ins(%x : tensor<?x6xf32>) outs(%t1 : tensor<f32>) {
  ^bb0(%a: f32, %acc: f32):
    %m = arith.mulf %a, %a : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  %r0 = tensor.empty(%rows) : tensor<?xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<?xf32>) -> tensor<?xf32>
  %rmax = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<?x6xf32>) outs(%r1 : tensor<?xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.maximumf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  %c0t = tensor.empty() : tensor<6xf32>
  %c1t = linalg.fill ins(%zero : f32) outs(%c0t : tensor<6xf32>) -> tensor<6xf32>
  %csum = linalg.generic {indexing_maps = [#id, #col], iterator_types = ["reduction", "parallel"]}
      ins(%x : tensor<?x6xf32>) outs(%c1t : tensor<6xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  } -> tensor<6xf32>
  %pre = saek.gemm %x, %w bias %bias {epilogue = #saek<epilogue bias_relu>}
      : tensor<?x6xf32>, tensor<6x8xf32>, tensor<8xf32> -> tensor<?x8xf32>
  %v, %i = saek.topk %pre, k = 2 : tensor<?x8xf32> -> tensor<?x2xf32>, tensor<?x2xi32>
  return %sq, %total, %rmax, %csum, %pre, %v, %i
      : tensor<?x6xf32>, tensor<f32>, tensor<?xf32>, tensor<6xf32>, tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x2xi32>
}

// CHECK-LABEL: ===== device code (nvcc) =====
// CHECK: typedef float real;

// CHECK-LABEL: // prism_forward_k0: linalg.generic, 2 parallel and 0 reduction loops
// CHECK-NEXT: extern "C" __global__ void prism_forward_k0(const real *in0_p, real *out0_p, int64_t B) {
// CHECK: for (int64_t flat = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; flat < ((int64_t)B * (int64_t)6); flat += (int64_t)gridDim.x * blockDim.x) {
// CHECK-NEXT: int64_t rest_flat = flat;
// CHECK-NEXT: const int64_t i1 = rest_flat % (int64_t)6;
// CHECK-NEXT: rest_flat /= (int64_t)6;
// CHECK-NEXT: const int64_t i0 = rest_flat;
// CHECK: const real in0 = (real)in0_p[0 + i1 * 1 + i0 * 1 * (int64_t)6];
// CHECK-NEXT: const real e0 = (in0 * in0);

// The full reduction: per-block partials from the identity, then one block.
// CHECK-LABEL: // prism_forward_k1: linalg.generic, 0 parallel and 2 reduction loops
// CHECK-NEXT: extern "C" __global__ void prism_forward_k1(const real *in0_p, real *out0_p, real *partials, int64_t B) {
// CHECK: real acc0 = (real)0;
// CHECK: acc0 = prism_block_add(acc0, shared32);
// CHECK-NEXT: if (threadIdx.x == 0)
// CHECK-NEXT: partials[blockIdx.x] = acc0;
// CHECK-LABEL: // prism_forward_k2: the partials of prism_forward_k1
// CHECK: acc0 = prism_add(acc0, partials[i]);
// CHECK: out0_p[0] = prism_add(out0_p[0], acc0);

// A maximum along rows: a warp per row.
// CHECK-LABEL: // prism_forward_k3: linalg.generic, 1 parallel and 1 reduction loops
// CHECK: const int lane = threadIdx.x & 31;
// CHECK: real acc0 = (real)(-INFINITY);
// CHECK: for (int64_t inner = lane; inner < ((int64_t)6); inner += 32) {
// CHECK: prism_maximum(in0, acc0);
// CHECK: acc0 = prism_warp_max(acc0);
// CHECK-NEXT: if (lane == 0)
// CHECK-NEXT: out0_p[0 + i0 * 1] = prism_maximum(out0_p[0 + i0 * 1], acc0);

// A sum down columns: a thread per column, the rows serial, adjacent threads
// on adjacent columns.
// CHECK-LABEL: // prism_forward_k4: linalg.generic, 1 parallel and 1 reduction loops
// CHECK: const int64_t i1 = rest_flat;
// CHECK-NEXT: real acc0 = out0_p[0 + i1 * 1];
// CHECK-NEXT: for (int64_t i0 = 0; i0 < (int64_t)B; ++i0) {

// CHECK-LABEL: ===== host code (c++) =====
// CHECK: #define PRISM_CUDA_ABI_VERSION 1
// CHECK-LABEL: extern "C" int prism_forward(const prism_cuda_context *cx, void *const *buffers, const int64_t *dims, const float *scalars) {
// CHECK: // scalars[0]: lr
// CHECK: real *arena = (real *)cx->arena(cx->self, (int64_t)sizeof(real) * arenaElements + PRISM_CU_WORK_BYTES);
// CHECK: if (((int64_t)B * (int64_t)6) > 0) {
// CHECK: PRISM_CU_CHECK(cx->launch(cx->self, PRISM_NUM_PRELUDE_KERNELS + 0, prism_cu_grid(((int64_t)B * (int64_t)6), PRISM_BLOCK), 1, PRISM_BLOCK, 0, args));
// CHECK: PRISM_CU_CHECK(prism_cu_fill(cx, [[TOTAL:s[0-9]+]], 1, (real)0x0p+0));
// CHECK: // prism_forward_k1 and prism_forward_k2: a full reduction
// CHECK: real * a2 = (real *)work;
// CHECK: PRISM_CU_CHECK(cx->launch(cx->self, PRISM_NUM_PRELUDE_KERNELS + 1, prism_cu_partials(((int64_t)B * (int64_t)6)), 1, PRISM_BLOCK, 0, args));
// CHECK: PRISM_CU_CHECK(cx->launch(cx->self, PRISM_NUM_PRELUDE_KERNELS + 2, 1, 1, PRISM_BLOCK, 0, args));
// CHECK: PRISM_CU_CHECK(cx->launch(cx->self, PRISM_NUM_PRELUDE_KERNELS + 3, prism_cu_grid(((int64_t)B), PRISM_BLOCK / 32), 1, PRISM_BLOCK, 0, args));
// CHECK: PRISM_CU_CHECK(cx->gemm(cx->self, 0, 0, B, 8, 6, ((real *)buffers[0]), ((real *)buffers[1]), [[PRE:s[0-9]+]], ((real *)buffers[2]), 1));
// CHECK: PRISM_CU_CHECK(prism_cu_topk(cx, [[PRE]], B, 8, 2, false, [[VALUES:s[0-9]+]], [[INDEX:s[0-9]+]]));
// CHECK: PRISM_CU_CHECK(cx->copy(cx->self, ((real *)buffers[{{[0-9]+}}]), [[VALUES]], (int64_t)sizeof(real) * (int64_t)B * (int64_t)2)); // top
// CHECK: return 0;
// CHECK: extern "C" const int prism_cuda_abi_version = PRISM_CUDA_ABI_VERSION;
// CHECK-NEXT: extern "C" const char *const prism_cuda_kernel_names[] = {
// CHECK-NEXT: PRISM_PRELUDE_KERNEL_NAMES,
// CHECK-NEXT: "prism_forward_k0",
// CHECK: "prism_forward_k4"};
// CHECK-NEXT: extern "C" const int prism_cuda_num_kernels = PRISM_NUM_PRELUDE_KERNELS + 5;
