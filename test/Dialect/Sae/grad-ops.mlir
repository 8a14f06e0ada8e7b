// RUN: prism-opt %s | prism-opt | FileCheck %s
// RUN: prism-opt %s --mlir-print-op-generic | prism-opt | FileCheck %s

// The ops gradient rules and the optimizer build (SaeGradOps.td,
// SaeOptimizerOps.td), and sae.auxk with its dead-latent mask.

// CHECK-LABEL: func.func @unbroadcast
func.func @unbroadcast(%g: tensor<?x4096xf32>, %h: tensor<?x512xf32>) {
  // CHECK: sae.unbroadcast %{{.*}} : tensor<?x4096xf32> -> tensor<4096xf32>
  %0 = sae.unbroadcast %g : tensor<?x4096xf32> -> tensor<4096xf32>
  // CHECK: sae.unbroadcast %{{.*}} : tensor<?x4096xf32> -> tensor<f32>
  %1 = sae.unbroadcast %g : tensor<?x4096xf32> -> tensor<f32>
  // CHECK: sae.unbroadcast %{{.*}} : tensor<?x512xf32> -> tensor<?x1xf32>
  %2 = sae.unbroadcast %h : tensor<?x512xf32> -> tensor<?x1xf32>
  // CHECK: sae.unbroadcast %{{.*}} : tensor<?x512xf32> -> tensor<1x512xf32>
  %3 = sae.unbroadcast %h : tensor<?x512xf32> -> tensor<1x512xf32>
  return
}

// CHECK-LABEL: func.func @broadcast
func.func @broadcast(%r: tensor<?xf32>, %s: tensor<f32>, %c: tensor<4096xf32>,
                     %x: tensor<?x4096xf32>) {
  // CHECK: sae.broadcast %{{.*}}, %{{.*}}, axis = 1 : tensor<?xf32>, tensor<?x4096xf32>
  %0 = sae.broadcast %r, %x, axis = 1 : tensor<?xf32>, tensor<?x4096xf32>
  // CHECK: sae.broadcast %{{.*}}, %{{.*}}, axis = 0 : tensor<4096xf32>, tensor<?x4096xf32>
  %1 = sae.broadcast %c, %x, axis = 0 : tensor<4096xf32>, tensor<?x4096xf32>
  // CHECK: sae.broadcast %{{.*}}, %{{.*}} : tensor<f32>, tensor<?x4096xf32>
  %2 = sae.broadcast %s, %x : tensor<f32>, tensor<?x4096xf32>
  // CHECK: sae.broadcast %{{.*}}, %{{.*}} : tensor<4096xf32>, tensor<?x4096xf32>
  %3 = sae.broadcast %c, %x : tensor<4096xf32>, tensor<?x4096xf32>
  return
}

// CHECK-LABEL: func.func @size
func.func @size(%x: tensor<?x512xf64>) {
  // CHECK: sae.size %{{.*}}, axis = 0 : tensor<?x512xf64> -> tensor<f64>
  %0 = sae.size %x, axis = 0 : tensor<?x512xf64> -> tensor<f64>
  // CHECK: sae.size %{{.*}} : tensor<?x512xf64> -> tensor<f64>
  %1 = sae.size %x : tensor<?x512xf64> -> tensor<f64>
  return
}

// CHECK-LABEL: func.func @div_no_nan
func.func @div_no_nan(%a: tensor<?x4096xf32>, %b: tensor<?x4096xf32>) {
  // CHECK: sae.div_no_nan %{{.*}}, %{{.*}} : tensor<?x4096xf32>
  %0 = sae.div_no_nan %a, %b : tensor<?x4096xf32>
  return
}

// CHECK-LABEL: func.func @select_mask
func.func @select_mask(%a: tensor<?x4096xf32>, %dead: tensor<4096xf32>) {
  // CHECK: sae.select_mask topk %{{.*}}, k = 32 : tensor<?x4096xf32>
  %0 = sae.select_mask topk %a, k = 32 : tensor<?x4096xf32>
  // CHECK: sae.select_mask topk_abs %{{.*}}, k = 32 : tensor<?x4096xf32>
  %1 = sae.select_mask topk_abs %a, k = 32 : tensor<?x4096xf32>
  // CHECK: sae.select_mask batchtopk %{{.*}}, k = 32 : tensor<?x4096xf32>
  %2 = sae.select_mask batchtopk %a, k = 32 : tensor<?x4096xf32>
  // CHECK: sae.select_mask topk %{{.*}}, k = 256, among = %{{.*}} : tensor<?x4096xf32>, tensor<4096xf32>
  %3 = sae.select_mask topk %a, k = 256, among = %dead : tensor<?x4096xf32>, tensor<4096xf32>
  return
}

// CHECK-LABEL: func.func @pad
func.func @pad(%z: tensor<?x128xf32>, %w: tensor<128x512xf32>,
               %r: tensor<512xf32>) {
  // CHECK: sae.pad %{{.*}}, starts = [0, 0], limits = [-1, 128] : tensor<?x128xf32> -> tensor<?x4096xf32>
  %0 = sae.pad %z, starts = [0, 0], limits = [-1, 128] : tensor<?x128xf32> -> tensor<?x4096xf32>
  // CHECK: sae.pad %{{.*}}, starts = [128, 0], limits = [256, 512] : tensor<128x512xf32> -> tensor<4096x512xf32>
  %1 = sae.pad %w, starts = [128, 0], limits = [256, 512] : tensor<128x512xf32> -> tensor<4096x512xf32>
  // CHECK: sae.pad %{{.*}}, starts = [3, 0], limits = [4, 512], squeeze = [0] : tensor<512xf32> -> tensor<4096x512xf32>
  %2 = sae.pad %r, starts = [3, 0], limits = [4, 512], squeeze = [0] : tensor<512xf32> -> tensor<4096x512xf32>
  return
}

// CHECK-LABEL: func.func @unfilter
func.func @unfilter(%g: tensor<?x512xf32>) {
  // CHECK: sae.unfilter %{{.*}}, image : tensor<?x512xf32>
  %0 = sae.unfilter %g, image : tensor<?x512xf32>
  // CHECK: sae.unfilter %{{.*}}, text : tensor<?x512xf32>
  %1 = sae.unfilter %g, text : tensor<?x512xf32>
  return
}

// CHECK-LABEL: func.func @auxk_dead_mask
func.func @auxk_dead_mask(%r: tensor<?x512xf32>, %pre: tensor<?x4096xf32>,
                          %w: tensor<4096x512xf32>, %dead: tensor<4096xf32>) {
  // CHECK: sae.auxk %{{.*}}, %{{.*}}, %{{.*}}, k = 256, dead_mask = %{{.*}} : tensor<?x512xf32>, tensor<?x4096xf32>, tensor<4096x512xf32>, tensor<4096xf32> -> tensor<f32>
  %0 = sae.auxk %r, %pre, %w, k = 256, dead_mask = %dead : tensor<?x512xf32>, tensor<?x4096xf32>, tensor<4096x512xf32>, tensor<4096xf32> -> tensor<f32>
  return
}

// CHECK-LABEL: func.func @adam_update
func.func @adam_update(%p: tensor<4096x512xf32>, %g: tensor<4096x512xf32>,
                       %m: tensor<4096x512xf32>, %v: tensor<4096x512xf32>,
                       %lr: tensor<f32>, %bc1: tensor<f32>, %bc2: tensor<f32>) {
  // CHECK: sae.adam_update %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, lr = %{{.*}}, bias_correction = (%{{.*}}, %{{.*}}), beta1 = 9.000000e-01, beta2 = 0.99899999999999999, eps = 1.000000e-08, weight_decay = 1.000000e-02 : tensor<4096x512xf32>, tensor<f32>
  %0:3 = sae.adam_update %p, %g, %m, %v, lr = %lr, bias_correction = (%bc1, %bc2), beta1 = 0.9, beta2 = 0.999, eps = 1.0e-8, weight_decay = 0.01 : tensor<4096x512xf32>, tensor<f32>
  return
}

// CHECK-LABEL: func.func @project_tangent
func.func @project_tangent(%g: tensor<4096x512xf32>, %w: tensor<4096x512xf32>) {
  // CHECK: sae.project_tangent %{{.*}}, %{{.*}}, axis = 1 : tensor<4096x512xf32>
  %0 = sae.project_tangent %g, %w, axis = 1 : tensor<4096x512xf32>
  // CHECK: sae.project_tangent %{{.*}}, %{{.*}}, axis = 0 : tensor<4096x512xf32>
  %1 = sae.project_tangent %g, %w, axis = 0 : tensor<4096x512xf32>
  return
}
