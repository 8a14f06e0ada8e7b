// RUN: prism-opt %s -split-input-file -verify-diagnostics

func.func @gemm_inner(%a: tensor<?x8xf32>, %b: tensor<7x16xf32>) {
  // expected-error @+1 {{'saek.gemm' op inner dimensions: expected 8, got 7}}
  %c = saek.gemm %a, %b : tensor<?x8xf32>, tensor<7x16xf32> -> tensor<?x16xf32>
  return
}

// -----

func.func @gemm_result(%a: tensor<?x8xf32>, %b: tensor<8x16xf32>) {
  // expected-error @+1 {{'saek.gemm' op result columns: expected 16, got 15}}
  %c = saek.gemm %a, %b : tensor<?x8xf32>, tensor<8x16xf32> -> tensor<?x15xf32>
  return
}

// -----

func.func @gemm_transposed(%a: tensor<8x5xf32>, %b: tensor<8x16xf32>) {
  // expected-error @+1 {{'saek.gemm' op result rows: expected 5, got 8}}
  %c = saek.gemm %a, %b {transpose_a} : tensor<8x5xf32>, tensor<8x16xf32> -> tensor<8x16xf32>
  return
}

// -----

func.func @gemm_missing_bias(%a: tensor<?x8xf32>, %b: tensor<8x16xf32>) {
  // expected-error @+1 {{'saek.gemm' op epilogue 'bias' needs bias operand}}
  %c = saek.gemm %a, %b {epilogue = #saek<epilogue bias>} : tensor<?x8xf32>, tensor<8x16xf32> -> tensor<?x16xf32>
  return
}

// -----

func.func @gemm_stray_bias(%a: tensor<?x8xf32>, %b: tensor<8x16xf32>, %c: tensor<16xf32>) {
  // expected-error @+1 {{'saek.gemm' op epilogue 'none' takes no bias operand}}
  %r = saek.gemm %a, %b bias %c : tensor<?x8xf32>, tensor<8x16xf32>, tensor<16xf32> -> tensor<?x16xf32>
  return
}

// -----

func.func @gemm_bias_length(%a: tensor<?x8xf32>, %b: tensor<8x16xf32>, %c: tensor<8xf32>) {
  // expected-error @+1 {{'saek.gemm' op bias length: expected 16, got 8}}
  %r = saek.gemm %a, %b bias %c {epilogue = #saek<epilogue bias>} : tensor<?x8xf32>, tensor<8x16xf32>, tensor<8xf32> -> tensor<?x16xf32>
  return
}

// -----

func.func @gemm_rank(%a: tensor<8xf32>, %b: tensor<8x16xf32>) {
  // expected-error @+1 {{'saek.gemm' op a must have rank 2, got [8]}}
  %r = saek.gemm %a, %b : tensor<8xf32>, tensor<8x16xf32> -> tensor<?x16xf32>
  return
}

// -----

func.func @topk_k(%x: tensor<?x16xf32>) {
  // expected-error @+1 {{'saek.topk' op k must be in 1..16, got 17}}
  %v, %i = saek.topk %x, k = 17 : tensor<?x16xf32> -> tensor<?x17xf32>, tensor<?x17xi32>
  return
}

// -----

func.func @topk_width(%x: tensor<?x16xf32>) {
  // expected-error @+1 {{'saek.topk' op result columns (k): expected 4, got 3}}
  %v, %i = saek.topk %x, k = 4 : tensor<?x16xf32> -> tensor<?x3xf32>, tensor<?x3xi32>
  return
}

// -----

func.func @code_shapes(%v: tensor<?x4xf32>, %i: tensor<?x3xi32>, %D: tensor<16x8xf32>) {
  // expected-error @+1 {{'saek.gather_decode' op values [?, 4] and indices [?, 3] must have one shape}}
  %r = saek.gather_decode %v, %i, %D : tensor<?x4xf32>, tensor<?x3xi32>, tensor<16x8xf32> -> tensor<?x8xf32>
  return
}

// -----

func.func @decode_width(%v: tensor<?x4xf32>, %i: tensor<?x4xi32>, %D: tensor<16x8xf32>) {
  // expected-error @+1 {{'saek.gather_decode' op result columns: expected 8, got 9}}
  %r = saek.gather_decode %v, %i, %D : tensor<?x4xf32>, tensor<?x4xi32>, tensor<16x8xf32> -> tensor<?x9xf32>
  return
}

// -----

func.func @decode_bias(%v: tensor<?x4xf32>, %i: tensor<?x4xi32>, %D: tensor<16x8xf32>, %b: tensor<7xf32>) {
  // expected-error @+1 {{'saek.gather_decode' op bias length: expected 8, got 7}}
  %r = saek.gather_decode %v, %i, %D bias %b : tensor<?x4xf32>, tensor<?x4xi32>, tensor<16x8xf32>, tensor<7xf32> -> tensor<?x8xf32>
  return
}

// -----

func.func @dot_shape(%g: tensor<?x8xf32>, %i: tensor<?x4xi32>, %D: tensor<16x8xf32>) {
  // expected-error @+1 {{'saek.gather_dot' op result [?, 5] must have the shape of indices [?, 4]}}
  %r = saek.gather_dot %g, %i, %D : tensor<?x8xf32>, tensor<?x4xi32>, tensor<16x8xf32> -> tensor<?x5xf32>
  return
}

// -----

func.func @dot_width(%g: tensor<?x7xf32>, %i: tensor<?x4xi32>, %D: tensor<16x8xf32>) {
  // expected-error @+1 {{'saek.gather_dot' op row width: expected 8, got 7}}
  %r = saek.gather_dot %g, %i, %D : tensor<?x7xf32>, tensor<?x4xi32>, tensor<16x8xf32> -> tensor<?x4xf32>
  return
}

// -----

func.func @scatter_n(%v: tensor<?x4xf32>, %i: tensor<?x4xi32>, %g: tensor<?x8xf32>) {
  // expected-error @+1 {{'saek.scatter_rows' op result latent dimension: expected 16, got 8}}
  %r = saek.scatter_rows %v, %i, %g, n = 16 transposed : tensor<?x4xf32>, tensor<?x4xi32>, tensor<?x8xf32> -> tensor<16x8xf32>
  return
}

// -----

func.func @scatter_positive(%v: tensor<?x4xf32>, %i: tensor<?x4xi32>, %g: tensor<?x8xf32>) {
  // expected-error @+1 {{'saek.scatter_rows' op n must be positive, got 0}}
  %r = saek.scatter_rows %v, %i, %g, n = 0 : tensor<?x4xf32>, tensor<?x4xi32>, tensor<?x8xf32> -> tensor<16x8xf32>
  return
}

// -----

func.func @dense_n(%v: tensor<?x4xf32>, %i: tensor<?x4xi32>) {
  // expected-error @+1 {{'saek.scatter_dense' op n (3) must be at least the code width k (4)}}
  %r = saek.scatter_dense %v, %i, n = 3 : tensor<?x4xf32>, tensor<?x4xi32> -> tensor<?x3xf32>
  return
}

// -----

func.func @adam_betas(%p: tensor<4xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{'saek.adam' op betas must be in [0, 1), got (1.000000e+00, 9.990000e-01)}}
  %a, %b, %c = saek.adam %p, %p, %p, %p, %s, %s, %s
      {beta1 = 1.0 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64, weight_decay = 0.0 : f64}
      : tensor<4xf32>, tensor<f32>
  return
}

// -----

func.func @adam_eps(%p: tensor<4xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{'saek.adam' op eps must be positive, got 0.000000e+00}}
  %a, %b, %c = saek.adam %p, %p, %p, %p, %s, %s, %s
      {beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 0.0 : f64, weight_decay = 0.0 : f64}
      : tensor<4xf32>, tensor<f32>
  return
}

// -----

func.func @adam_scalars(%p: tensor<4xf32>, %s: tensor<1xf32>) {
  // expected-error @+1 {{'saek.adam' op lr, bc1 and bc2 must be rank-0 tensors, got 'tensor<1xf32>'}}
  %a, %b, %c = saek.adam %p, %p, %p, %p, %s, %s, %s
      {beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64, weight_decay = 0.0 : f64}
      : tensor<4xf32>, tensor<1xf32>
  return
}

// -----

func.func @norm_axis(%w: tensor<4x8xf32>) {
  // expected-error @+1 {{'saek.unit_norm' op axis must be 0 or 1, got 2}}
  %r = saek.unit_norm %w, axis = 2 : tensor<4x8xf32>
  return
}

// -----

func.func @project_rank(%w: tensor<8xf32>) {
  // expected-error @+1 {{'saek.project_tangent' op operand must have rank 2, got [8]}}
  %r = saek.project_tangent %w, %w, axis = 1 : tensor<8xf32>
  return
}

// -----

func.func @gather_shape(%x: tensor<?x16xf32>, %i: tensor<?x4xi32>) {
  // expected-error @+1 {{'saek.gather' op result must have the shape of the indices, 'tensor<?x4xi32>', got 'tensor<?x5xf32>'}}
  %r = saek.gather %x, %i : tensor<?x16xf32>, tensor<?x4xi32> -> tensor<?x5xf32>
  return
}

// -----

func.func @batch_topk_k(%x: tensor<?x16xf32>) {
  // expected-error @+1 {{'saek.batch_topk' op k must be in 1..16, got 0}}
  %r = saek.batch_topk %x, k = 0 mask : tensor<?x16xf32>
  return
}
