// RUN: prism-opt %s | prism-opt | FileCheck %s
// RUN: prism-opt %s --mlir-print-op-generic | prism-opt | FileCheck %s

// CHECK-LABEL: func.func @params
func.func @params() {
  // CHECK: sae.param "W_enc" kaiming : tensor<512x4096xf32>
  %0 = sae.param "W_enc" kaiming : tensor<512x4096xf32>
  // CHECK: sae.param "W_dec" xavier : tensor<4096x512xbf16>
  %1 = sae.param "W_dec" xavier : tensor<4096x512xbf16>
  // CHECK: sae.param "b_enc" zeros : tensor<4096xf16>
  %2 = sae.param "b_enc" zeros : tensor<4096xf16>
  // CHECK: sae.param "b_dec" median : tensor<512xf64>
  %3 = sae.param "b_dec" median : tensor<512xf64>
  // CHECK: sae.param "mu" mean : tensor<512xf32>
  %4 = sae.param "mu" mean : tensor<512xf32>
  // CHECK: sae.param "theta" constant(1.000000e-03) : tensor<4096xf32>
  %5 = sae.param "theta" constant(0.001) : tensor<4096xf32>
  // CHECK: sae.param "W_init" normal(2.000000e-02) : tensor<512x4096xf32>
  %6 = sae.param "W_init" normal(0.02) : tensor<512x4096xf32>
  // CHECK: sae.param "W_unit" normal : tensor<8x8xf32>
  %7 = sae.param "W_unit" normal : tensor<8x8xf32>
  // A rank-0 parameter, e.g. a learned scalar threshold.
  // CHECK: sae.param "scale" constant(1.000000e+00) : tensor<f32>
  %8 = sae.param "scale" constant(1.0) : tensor<f32>
  return
}

// CHECK-LABEL: func.func @matmul
func.func @matmul(%x: tensor<?x512xf32>, %w: tensor<512x4096xf32>,
                  %u: tensor<?x?xf32>) -> tensor<?x4096xf32> {
  // CHECK: sae.matmul %{{.*}}, %{{.*}} : tensor<?x512xf32>, tensor<512x4096xf32> -> tensor<?x4096xf32>
  %0 = sae.matmul %x, %w : tensor<?x512xf32>, tensor<512x4096xf32> -> tensor<?x4096xf32>
  // A dynamic inner dimension is left to the runtime.
  // CHECK: sae.matmul %{{.*}}, %{{.*}} : tensor<?x?xf32>, tensor<512x4096xf32> -> tensor<?x4096xf32>
  %1 = sae.matmul %u, %w : tensor<?x?xf32>, tensor<512x4096xf32> -> tensor<?x4096xf32>
  return %0 : tensor<?x4096xf32>
}

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%x: tensor<?x512xf32>, %b: tensor<512xf32>,
                       %c: tensor<?x1xf32>, %s: tensor<f32>,
                       %y: tensor<8x512xf32>, %r: tensor<1x?xf32>) {
  // CHECK: sae.add %{{.*}}, %{{.*}} : tensor<?x512xf32>, tensor<512xf32> -> tensor<?x512xf32>
  %0 = sae.add %x, %b : tensor<?x512xf32>, tensor<512xf32> -> tensor<?x512xf32>
  // CHECK: sae.sub %{{.*}}, %{{.*}} : tensor<512xf32>, tensor<?x512xf32> -> tensor<?x512xf32>
  %1 = sae.sub %b, %x : tensor<512xf32>, tensor<?x512xf32> -> tensor<?x512xf32>
  // CHECK: sae.mul %{{.*}}, %{{.*}} : tensor<?x512xf32>, tensor<f32> -> tensor<?x512xf32>
  %2 = sae.mul %x, %s : tensor<?x512xf32>, tensor<f32> -> tensor<?x512xf32>
  // A size-1 dimension stretches; a dynamic one takes the static size.
  // CHECK: sae.mul %{{.*}}, %{{.*}} : tensor<?x1xf32>, tensor<512xf32> -> tensor<?x512xf32>
  %3 = sae.mul %c, %b : tensor<?x1xf32>, tensor<512xf32> -> tensor<?x512xf32>
  // CHECK: sae.add %{{.*}}, %{{.*}} : tensor<?x512xf32>, tensor<8x512xf32> -> tensor<8x512xf32>
  %4 = sae.add %x, %y : tensor<?x512xf32>, tensor<8x512xf32> -> tensor<8x512xf32>
  // Dynamic against 1 stays dynamic.
  // CHECK: sae.sub %{{.*}}, %{{.*}} : tensor<?x1xf32>, tensor<1x?xf32> -> tensor<?x?xf32>
  %5 = sae.sub %c, %r : tensor<?x1xf32>, tensor<1x?xf32> -> tensor<?x?xf32>
  return
}

// CHECK-LABEL: func.func @activations
func.func @activations(%h: tensor<?x4096xf32>) -> tensor<?x4096xf32> {
  // CHECK: %[[A:.*]] = sae.relu %{{.*}} : tensor<?x4096xf32>
  %0 = sae.relu %h : tensor<?x4096xf32>
  // CHECK: sae.topk %[[A]], k = 32 : tensor<?x4096xf32>
  %1 = sae.topk %0, k = 32 : tensor<?x4096xf32>
  // CHECK: sae.topk %{{.*}}, k = 4096 : tensor<?x4096xf32>
  %2 = sae.topk %0, k = 4096 : tensor<?x4096xf32>
  // CHECK: sae.topk %{{.*}}, k = 8 : tensor<?x?xf16>
  %u = tensor.cast %h : tensor<?x4096xf32> to tensor<?x?xf32>
  %v = arith.truncf %u : tensor<?x?xf32> to tensor<?x?xf16>
  %3 = sae.topk %v, k = 8 : tensor<?x?xf16>
  return %1 : tensor<?x4096xf32>
}

// CHECK-LABEL: func.func @reductions
func.func @reductions(%z: tensor<?x4096xf32>) {
  // CHECK: sae.reduce sum %{{.*}}, axis = 0 : tensor<?x4096xf32> -> tensor<4096xf32>
  %0 = sae.reduce sum %z, axis = 0 : tensor<?x4096xf32> -> tensor<4096xf32>
  // CHECK: sae.reduce mean %{{.*}}, axis = 1 : tensor<?x4096xf32> -> tensor<?xf32>
  %1 = sae.reduce mean %z, axis = 1 : tensor<?x4096xf32> -> tensor<?xf32>
  // CHECK: sae.reduce max %{{.*}}, axis = 0 : tensor<?x4096xf32> -> tensor<4096xf32>
  %2 = sae.reduce max %z, axis = 0 : tensor<?x4096xf32> -> tensor<4096xf32>
  // CHECK: sae.reduce count %{{.*}}, axis = 1 : tensor<?x4096xf32> -> tensor<?xf32>
  %3 = sae.reduce count %z, axis = 1 : tensor<?x4096xf32> -> tensor<?xf32>
  // CHECK: sae.reduce mean %{{.*}}, axis = 0 : tensor<?xf32> -> tensor<f32>
  %4 = sae.reduce mean %3, axis = 0 : tensor<?xf32> -> tensor<f32>
  return
}

// CHECK-LABEL: func.func @mse
func.func @mse(%xhat: tensor<?x512xf32>, %x: tensor<?x512xf32>,
               %y: tensor<8x512xf32>) -> tensor<f32> {
  // CHECK: sae.mse %{{.*}}, %{{.*}} : tensor<?x512xf32>, tensor<?x512xf32> -> tensor<f32>
  %0 = sae.mse %xhat, %x : tensor<?x512xf32>, tensor<?x512xf32> -> tensor<f32>
  // CHECK: sae.mse %{{.*}}, %{{.*}} : tensor<?x512xf32>, tensor<8x512xf32> -> tensor<f32>
  %1 = sae.mse %xhat, %y : tensor<?x512xf32>, tensor<8x512xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// The TopK model of DESIGN.md, end to end.
// CHECK-LABEL: func.func @topk_sae
func.func @topk_sae(%x: tensor<?x512xf32>) -> tensor<f32> {
  // CHECK-DAG: %[[BDEC:.*]] = sae.param "b_dec" median : tensor<512xf32>
  // CHECK-DAG: %[[WENC:.*]] = sae.param "W_enc" kaiming : tensor<512x4096xf32>
  // CHECK-DAG: %[[BENC:.*]] = sae.param "b_enc" zeros : tensor<4096xf32>
  // CHECK-DAG: %[[WDEC:.*]] = sae.param "W_dec" kaiming : tensor<4096x512xf32>
  %b_dec = sae.param "b_dec" median : tensor<512xf32>
  %W_enc = sae.param "W_enc" kaiming : tensor<512x4096xf32>
  %b_enc = sae.param "b_enc" zeros : tensor<4096xf32>
  %W_dec = sae.param "W_dec" kaiming : tensor<4096x512xf32>
  // CHECK: %[[XC:.*]] = sae.sub %{{.*}}, %[[BDEC]]
  %xc = sae.sub %x, %b_dec : tensor<?x512xf32>, tensor<512xf32> -> tensor<?x512xf32>
  // CHECK: %[[PRE:.*]] = sae.matmul %[[XC]], %[[WENC]]
  %pre = sae.matmul %xc, %W_enc : tensor<?x512xf32>, tensor<512x4096xf32> -> tensor<?x4096xf32>
  // CHECK: %[[H:.*]] = sae.add %[[PRE]], %[[BENC]]
  %h = sae.add %pre, %b_enc : tensor<?x4096xf32>, tensor<4096xf32> -> tensor<?x4096xf32>
  // CHECK: %[[A:.*]] = sae.relu %[[H]]
  %a = sae.relu %h : tensor<?x4096xf32>
  // CHECK: %[[Z:.*]] = sae.topk %[[A]], k = 32
  %z = sae.topk %a, k = 32 : tensor<?x4096xf32>
  // CHECK: %[[D:.*]] = sae.matmul %[[Z]], %[[WDEC]]
  %d = sae.matmul %z, %W_dec : tensor<?x4096xf32>, tensor<4096x512xf32> -> tensor<?x512xf32>
  // CHECK: %[[XHAT:.*]] = sae.add %[[D]], %[[BDEC]]
  %xhat = sae.add %d, %b_dec : tensor<?x512xf32>, tensor<512xf32> -> tensor<?x512xf32>
  // CHECK: %[[LOSS:.*]] = sae.mse %[[XHAT]], %{{.*}}
  %loss = sae.mse %xhat, %x : tensor<?x512xf32>, tensor<?x512xf32> -> tensor<f32>
  // CHECK: return %[[LOSS]]
  return %loss : tensor<f32>
}
