// RUN: prism-opt %s | prism-opt | FileCheck %s

// CHECK-LABEL: func @kernels
func.func @kernels(%x: tensor<?x8xf32>, %W: tensor<8x16xf32>, %b: tensor<16xf32>,
                   %D: tensor<16x8xf32>, %c: tensor<8xf32>, %s: tensor<f32>)
    -> (tensor<16x8xf32>, tensor<8x16xf32>) {
  // CHECK: saek.gemm %{{.*}}, %{{.*}} bias %{{.*}} {epilogue = #saek<epilogue bias_relu>}
  %pre = saek.gemm %x, %W bias %b {epilogue = #saek<epilogue bias_relu>}
      : tensor<?x8xf32>, tensor<8x16xf32>, tensor<16xf32> -> tensor<?x16xf32>
  // CHECK: saek.gemm %{{.*}}, %{{.*}} {transpose_a} : tensor<?x8xf32>, tensor<?x16xf32> -> tensor<8x16xf32>
  %gW = saek.gemm %x, %pre {transpose_a} : tensor<?x8xf32>, tensor<?x16xf32> -> tensor<8x16xf32>
  // CHECK: saek.topk %{{.*}}, k = 4 abs : tensor<?x16xf32> -> tensor<?x4xf32>, tensor<?x4xi32>
  %v, %i = saek.topk %pre, k = 4 abs : tensor<?x16xf32> -> tensor<?x4xf32>, tensor<?x4xi32>
  // CHECK: saek.gather_decode
  %xhat = saek.gather_decode %v, %i, %D bias %c
      : tensor<?x4xf32>, tensor<?x4xi32>, tensor<16x8xf32>, tensor<8xf32> -> tensor<?x8xf32>
  // CHECK: saek.gather_dot
  %gv = saek.gather_dot %xhat, %i, %D : tensor<?x8xf32>, tensor<?x4xi32>, tensor<16x8xf32> -> tensor<?x4xf32>
  // CHECK: saek.scatter_rows %{{.*}}, n = 16 :
  %gD = saek.scatter_rows %gv, %i, %xhat, n = 16
      : tensor<?x4xf32>, tensor<?x4xi32>, tensor<?x8xf32> -> tensor<16x8xf32>
  // CHECK: saek.scatter_rows %{{.*}}, n = 16 transposed
  %gE = saek.scatter_rows %gv, %i, %x, n = 16 transposed
      : tensor<?x4xf32>, tensor<?x4xi32>, tensor<?x8xf32> -> tensor<8x16xf32>
  // CHECK: saek.scatter_dense
  %z = saek.scatter_dense %v, %i, n = 16 : tensor<?x4xf32>, tensor<?x4xi32> -> tensor<?x16xf32>
  // CHECK: saek.gather %{{.*}}, %{{.*}} : tensor<?x16xf32>, tensor<?x4xi32> -> tensor<?x4xf32>
  %zg = saek.gather %z, %i : tensor<?x16xf32>, tensor<?x4xi32> -> tensor<?x4xf32>
  // CHECK: saek.batch_topk %{{.*}}, k = 4 mask : tensor<?x16xf32>
  %bm = saek.batch_topk %z, k = 4 mask : tensor<?x16xf32>
  // CHECK: saek.project_tangent %{{.*}}, axis = 1
  %g2 = saek.project_tangent %gD, %D, axis = 1 : tensor<16x8xf32>
  // CHECK: saek.adam
  %p, %m, %vv = saek.adam %D, %g2, %D, %D, %s, %s, %s
      {beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64, weight_decay = 0.0 : f64}
      : tensor<16x8xf32>, tensor<f32>
  // CHECK: saek.unit_norm %{{.*}}, axis = 1
  %u = saek.unit_norm %p, axis = 1 : tensor<16x8xf32>
  return %u, %gE : tensor<16x8xf32>, tensor<8x16xf32>
}
