// RUN: prismc %s -emit=cpp | FileCheck %s

// A TopK forward pass at the kernel level: the encoder GEMM with its bias
// epilogue, top-k selection, the gather-decode, and the MSE as one fused
// linalg.generic reduction.

#rows = affine_map<(b, c) -> (b, c)>
#all = affine_map<(b, c) -> ()>
func.func @topk.forward(%x: tensor<?x4xf32> {sae.input = "x"},
                        %W_enc: tensor<4x6xf32> {sae.param = "W_enc"},
                        %b_enc: tensor<6xf32> {sae.param = "b_enc"},
                        %W_dec: tensor<6x4xf32> {sae.param = "W_dec"},
                        %b_dec: tensor<4xf32> {sae.param = "b_dec"})
    -> (tensor<?x6xf32> {sae.output = "z"},
        tensor<?x4xf32> {sae.output = "xhat"},
        tensor<f32> {sae.output = "loss"})
    attributes {sae.model = "topk", sae.entry = "forward"} {
  %pre = saek.gemm %x, %W_enc bias %b_enc {epilogue = #saek<epilogue bias>}
      : tensor<?x4xf32>, tensor<4x6xf32>, tensor<6xf32> -> tensor<?x6xf32>
  %v, %i = saek.topk %pre, k = 2 : tensor<?x6xf32> -> tensor<?x2xf32>, tensor<?x2xi32>
  %xhat = saek.gather_decode %v, %i, %W_dec bias %b_dec
      : tensor<?x2xf32>, tensor<?x2xi32>, tensor<6x4xf32>, tensor<4xf32> -> tensor<?x4xf32>
  %z = saek.scatter_dense %v, %i, n = 6 : tensor<?x2xf32>, tensor<?x2xi32> -> tensor<?x6xf32>
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<f32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<f32>) -> tensor<f32>
  %sum = linalg.generic {indexing_maps = [#rows, #rows, #all],
                         iterator_types = ["reduction", "reduction"]}
      ins(%xhat, %x : tensor<?x4xf32>, tensor<?x4xf32>) outs(%acc : tensor<f32>) {
  ^bb0(%a: f32, %b: f32, %s: f32):
    %d = arith.subf %a, %b : f32
    %sq = arith.mulf %d, %d : f32
    %r = arith.addf %s, %sq : f32
    linalg.yield %r : f32
  } -> tensor<f32>
  return %z, %xhat, %sum : tensor<?x6xf32>, tensor<?x4xf32>, tensor<f32>
}

// CHECK: typedef PRISM_REAL real;
// CHECK-LABEL: extern "C" int prism_forward(void *const *buffers, const int64_t *dims, const float *scalars) {
// CHECK: const int64_t B = dims[0];
// The buffer plan: one arena of aligned slots; tensors whose lifetimes do
// not overlap share one.
// CHECK: const int64_t o0 = 0;
// CHECK-NEXT: const int64_t o1 = o0 + prism_pad((int64_t)B * (int64_t)6);
// CHECK: arenaStorage.resize(o4 + prism_pad(1));
// CHECK: real *s0 = arena + o0;
// CHECK: int32_t *s2 = (int32_t *)(arena + o2);
// The dense code takes the slot of the pre-activations, dead after top-k.
// CHECK: real *s4 = arena + o0;
// Arguments, then results, index the program's buffer table.
// CHECK: prism_gemm(false, false, B, 6, 4, ((real *)buffers[0]), ((real *)buffers[1]), s0, ((real *)buffers[2]), false);
// CHECK-NEXT: prism_topk(s0, B, 6, 2, false, s1, s2);
// CHECK-NEXT: prism_gather_decode(s1, s2, ((real *)buffers[3]), ((real *)buffers[4]), B, 2, 4, s3);
// CHECK-NEXT: prism_scatter_dense(s1, s2, B, 2, 6, s4);
// The fill's tensor.empty and the reduction share one slice.
// CHECK-NEXT: std::fill(s5, s5 + 1, (real)0x0p+0);
// CHECK-NEXT: // kernel 0: linalg.generic, 0 parallel and 2 reduction loops
// CHECK: real acc0 = s5[0];
// CHECK-NEXT: #pragma omp parallel for reduction(+ : acc0)
// CHECK-NEXT: for (int64_t i0 = 0; i0 < (int64_t)B; ++i0) {
// CHECK-NEXT: for (int64_t i1 = 0; i1 < (int64_t)4; ++i1) {
// CHECK-NEXT: const real in0 = s3[0 + i1 * 1 + i0 * 1 * (int64_t)4];
// CHECK-NEXT: const real in1 = ((real *)buffers[0])[0 + i1 * 1 + i0 * 1 * (int64_t)4];
// CHECK-NEXT: const real e0 = (in0 - in1);
// CHECK-NEXT: const real e1 = (e0 * e0);
// CHECK-NEXT: const real e2 = (acc0 + e1);
// CHECK-NEXT: acc0 = e2;
// CHECK: s5[0] = acc0;
// CHECK: std::memcpy(((real *)buffers[5]), s4, sizeof(real) * (int64_t)B * (int64_t)6); // z
// CHECK-NEXT: std::memcpy(((real *)buffers[6]), s3, sizeof(real) * (int64_t)B * (int64_t)4); // xhat
// CHECK-NEXT: std::memcpy(((real *)buffers[7]), s5, sizeof(real) * 1); // loss
// CHECK-NEXT: return 0;
