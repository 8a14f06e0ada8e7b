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
  // CHECK: sae.param "b_dec" constant(-2.500000e-01) : tensor<512xf64>
  %3 = sae.param "b_dec" constant(-0.25) : tensor<512xf64>
  // CHECK: sae.param "W_seeded" normal(1.000000e-01) seed 42 : tensor<8x8xf32>
  %4 = sae.param "W_seeded" normal(0.1) seed 42 : tensor<8x8xf32>
  // CHECK: sae.param "batchtopk.theta" constant(1.000000e-03) : tensor<4096xf32>
  %5 = sae.param "batchtopk.theta" constant(0.001) : tensor<4096xf32>
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
  // CHECK: sae.reduce min_positive %{{.*}} : tensor<?x4096xf32> -> tensor<f32>
  %5 = sae.reduce min_positive %z : tensor<?x4096xf32> -> tensor<f32>
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


// CHECK-LABEL: func.func @more_elementwise
func.func @more_elementwise(%x: tensor<?x512xf32>, %b: tensor<512xf32>,
                            %s: tensor<f32>) {
  // CHECK: sae.div %{{.*}}, %{{.*}} : tensor<?x512xf32>, tensor<512xf32> -> tensor<?x512xf32>
  %0 = sae.div %x, %b : tensor<?x512xf32>, tensor<512xf32> -> tensor<?x512xf32>
  // CHECK: sae.pow %{{.*}}, %{{.*}} : tensor<?x512xf32>, tensor<f32> -> tensor<?x512xf32>
  %1 = sae.pow %x, %s : tensor<?x512xf32>, tensor<f32> -> tensor<?x512xf32>
  // CHECK: sae.cmp gt %{{.*}}, %{{.*}} : tensor<?x512xf32>, tensor<f32> -> tensor<?x512xf32>
  %2 = sae.cmp gt %x, %s : tensor<?x512xf32>, tensor<f32> -> tensor<?x512xf32>
  // CHECK: sae.cmp lt %{{.*}}, %{{.*}} : tensor<512xf32>, tensor<?x512xf32> -> tensor<?x512xf32>
  %3 = sae.cmp lt %b, %x : tensor<512xf32>, tensor<?x512xf32> -> tensor<?x512xf32>
  // CHECK: sae.cmp ge %{{.*}}, %{{.*}} : tensor<f32>, tensor<f32> -> tensor<f32>
  %4 = sae.cmp ge %s, %s : tensor<f32>, tensor<f32> -> tensor<f32>
  // CHECK: sae.cmp le
  %5 = sae.cmp le %x, %b : tensor<?x512xf32>, tensor<512xf32> -> tensor<?x512xf32>
  // CHECK: sae.cmp eq
  %6 = sae.cmp eq %x, %b : tensor<?x512xf32>, tensor<512xf32> -> tensor<?x512xf32>
  // CHECK: sae.cmp ne
  %7 = sae.cmp ne %x, %b : tensor<?x512xf32>, tensor<512xf32> -> tensor<?x512xf32>
  // CHECK: sae.neg %{{.*}} : tensor<?x512xf32>
  %8 = sae.neg %x : tensor<?x512xf32>
  // CHECK: sae.abs %{{.*}} : tensor<?x512xf32>
  %9 = sae.abs %x : tensor<?x512xf32>
  // CHECK: sae.sqrt %{{.*}} : tensor<512xf32>
  %10 = sae.sqrt %b : tensor<512xf32>
  // CHECK: sae.exp %{{.*}} : tensor<f32>
  %11 = sae.exp %s : tensor<f32>
  // CHECK: sae.log %{{.*}} : tensor<?x512xf32>
  %12 = sae.log %x : tensor<?x512xf32>
  return
}

// CHECK-LABEL: func.func @sparse_activations
func.func @sparse_activations(%h: tensor<?x4096xf32>,
                              %theta: tensor<4096xf32>) {
  // CHECK: sae.topk_abs %{{.*}}, k = 32 : tensor<?x4096xf32>
  %0 = sae.topk_abs %h, k = 32 : tensor<?x4096xf32>
  // CHECK: sae.batchtopk %{{.*}}, k = 64 : tensor<?x4096xf32>
  %1 = sae.batchtopk %h, k = 64 : tensor<?x4096xf32>
  // CHECK: sae.jumprelu %{{.*}}, %{{.*}}, bandwidth = 1.000000e-03 : tensor<?x4096xf32>, tensor<4096xf32>
  %2 = sae.jumprelu %h, %theta, bandwidth = 0.001 : tensor<?x4096xf32>, tensor<4096xf32>
  // CHECK: sae.step %{{.*}}, %{{.*}}, bandwidth = 5.000000e-02 : tensor<?x4096xf32>, tensor<4096xf32>
  %3 = sae.step %h, %theta, bandwidth = 0.05 : tensor<?x4096xf32>, tensor<4096xf32>
  return
}

// CHECK-LABEL: func.func @more_reductions
func.func @more_reductions(%z: tensor<?x4096xf32>, %w: tensor<4096x512xf32>,
                           %s: tensor<f32>) {
  // Without an axis every axis is reduced.
  // CHECK: sae.reduce sum %{{.*}} : tensor<?x4096xf32> -> tensor<f32>
  %0 = sae.reduce sum %z : tensor<?x4096xf32> -> tensor<f32>
  // CHECK: sae.reduce count %{{.*}} : tensor<?x4096xf32> -> tensor<f32>
  %1 = sae.reduce count %z : tensor<?x4096xf32> -> tensor<f32>
  // CHECK: sae.reduce mean %{{.*}} : tensor<f32> -> tensor<f32>
  %2 = sae.reduce mean %s : tensor<f32> -> tensor<f32>
  // CHECK: sae.reduce norm %{{.*}}, axis = 1 : tensor<4096x512xf32> -> tensor<4096xf32>
  %3 = sae.reduce norm %w, axis = 1 : tensor<4096x512xf32> -> tensor<4096xf32>
  // CHECK: sae.reduce norm %{{.*}} : tensor<4096x512xf32> -> tensor<f32>
  %4 = sae.reduce norm %w : tensor<4096x512xf32> -> tensor<f32>
  // CHECK: sae.normalize %{{.*}}, axis = 1 : tensor<4096x512xf32>
  %5 = sae.normalize %w, axis = 1 : tensor<4096x512xf32>
  // CHECK: sae.normalize %{{.*}}, axis = 0 : tensor<?x4096xf32>
  %6 = sae.normalize %z, axis = 0 : tensor<?x4096xf32>
  // Without an axis, by the norm of the whole tensor.
  // CHECK: sae.normalize %{{.*}} : tensor<f32>
  %7 = sae.normalize %s : tensor<f32>
  return
}

// CHECK-LABEL: func.func @geometry
func.func @geometry(%x: tensor<?x512xf32>, %w: tensor<4096x512xf32>,
                    %zi: tensor<?x4096xf32>, %zt: tensor<?x1024xf32>,
                    %u: tensor<8x16xf32>) {
  // CHECK: sae.transpose %{{.*}} : tensor<4096x512xf32> -> tensor<512x4096xf32>
  %0 = sae.transpose %w : tensor<4096x512xf32> -> tensor<512x4096xf32>
  // CHECK: sae.transpose %{{.*}} : tensor<?x512xf32> -> tensor<512x?xf32>
  %1 = sae.transpose %x : tensor<?x512xf32> -> tensor<512x?xf32>
  // CHECK: sae.cos %{{.*}}, %{{.*}} : tensor<4096x512xf32>, tensor<4096x512xf32> -> tensor<4096x4096xf32>
  %2 = sae.cos %w, %w : tensor<4096x512xf32>, tensor<4096x512xf32> -> tensor<4096x4096xf32>
  // CHECK: sae.dist %{{.*}}, %{{.*}} : tensor<?x512xf32>, tensor<4096x512xf32> -> tensor<?x4096xf32>
  %3 = sae.dist %x, %w : tensor<?x512xf32>, tensor<4096x512xf32> -> tensor<?x4096xf32>
  // CHECK: sae.outer %{{.*}}, %{{.*}} : tensor<?x4096xf32>, tensor<?x1024xf32> -> tensor<?x4096x1024xf32>
  %4 = sae.outer %zi, %zt : tensor<?x4096xf32>, tensor<?x1024xf32> -> tensor<?x4096x1024xf32>
  // A static row count on one side fixes the result's.
  // CHECK: sae.outer %{{.*}}, %{{.*}} : tensor<?x4096xf32>, tensor<8x16xf32> -> tensor<8x4096x16xf32>
  %5 = sae.outer %zi, %u : tensor<?x4096xf32>, tensor<8x16xf32> -> tensor<8x4096x16xf32>
  return
}

// CHECK-LABEL: func.func @modalities_and_slices
func.func @modalities_and_slices(%a: tensor<?x512xf32>, %b: tensor<?x512xf32>,
                                 %z: tensor<?x4096xf32>,
                                 %w: tensor<4096x512xf32>,
                                 %v: tensor<4096xf32>) {
  // CHECK: sae.select_modality %{{.*}}, %{{.*}} : tensor<?x512xf32>
  %0 = sae.select_modality %a, %b : tensor<?x512xf32>
  // CHECK: sae.filter %{{.*}}, image : tensor<?x4096xf32>
  %1 = sae.filter %z, image : tensor<?x4096xf32>
  // CHECK: sae.filter %{{.*}}, text : tensor<?x512xf32>
  %2 = sae.filter %a, text : tensor<?x512xf32>
  // CHECK: sae.slice %{{.*}}, starts = [0, 0], limits = [256, 512] : tensor<4096x512xf32> -> tensor<256x512xf32>
  %3 = sae.slice %w, starts = [0, 0], limits = [256, 512] : tensor<4096x512xf32> -> tensor<256x512xf32>
  // The batch axis is taken whole: start 0, limit -1.
  // CHECK: sae.slice %{{.*}}, starts = [0, 0], limits = [-1, 256] : tensor<?x4096xf32> -> tensor<?x256xf32>
  %4 = sae.slice %z, starts = [0, 0], limits = [-1, 256] : tensor<?x4096xf32> -> tensor<?x256xf32>
  // CHECK: sae.slice %{{.*}}, starts = [1024], limits = [4096] : tensor<4096xf32> -> tensor<3072xf32>
  %5 = sae.slice %v, starts = [1024], limits = [4096] : tensor<4096xf32> -> tensor<3072xf32>
  // An empty slice is allowed.
  // CHECK: sae.slice %{{.*}}, starts = [7], limits = [7] : tensor<4096xf32> -> tensor<0xf32>
  %6 = sae.slice %v, starts = [7], limits = [7] : tensor<4096xf32> -> tensor<0xf32>
  // An element index drops its axis: W[3, :] and z[:, 5].
  // CHECK: sae.slice %{{.*}}, starts = [3, 0], limits = [4, 512], squeeze = [0] : tensor<4096x512xf32> -> tensor<512xf32>
  %7 = sae.slice %w, starts = [3, 0], limits = [4, 512], squeeze = [0] : tensor<4096x512xf32> -> tensor<512xf32>
  // CHECK: sae.slice %{{.*}}, starts = [0, 5], limits = [-1, 6], squeeze = [1] : tensor<?x4096xf32> -> tensor<?xf32>
  %8 = sae.slice %z, starts = [0, 5], limits = [-1, 6], squeeze = [1] : tensor<?x4096xf32> -> tensor<?xf32>
  // CHECK: sae.slice %{{.*}}, starts = [3, 7], limits = [4, 8], squeeze = [0, 1] : tensor<4096x512xf32> -> tensor<f32>
  %9 = sae.slice %w, starts = [3, 7], limits = [4, 8], squeeze = [0, 1] : tensor<4096x512xf32> -> tensor<f32>
  return
}

// CHECK-LABEL: func.func @losses
func.func @losses(%z: tensor<?x4096xf32>, %w: tensor<4096xf32>,
                  %r: tensor<?x512xf32>, %W_dec: tensor<4096x512xf32>) {
  // CHECK: sae.l1 %{{.*}} : tensor<?x4096xf32> -> tensor<f32>
  %0 = sae.l1 %z : tensor<?x4096xf32> -> tensor<f32>
  // CHECK: sae.l1 %{{.*}}, weight = %{{.*}} : tensor<?x4096xf32>, tensor<4096xf32> -> tensor<f32>
  %1 = sae.l1 %z, weight = %w : tensor<?x4096xf32>, tensor<4096xf32> -> tensor<f32>
  // CHECK: sae.auxk %{{.*}}, %{{.*}}, %{{.*}}, k = 256 : tensor<?x512xf32>, tensor<?x4096xf32>, tensor<4096x512xf32> -> tensor<f32>
  %2 = sae.auxk %r, %z, %W_dec, k = 256 : tensor<?x512xf32>, tensor<?x4096xf32>, tensor<4096x512xf32> -> tensor<f32>
  return
}

// Every initialiser and constraint of a parameter, in a model so that the
// sourced ones find their source.
// CHECK-LABEL: sae.model @initialisers
sae.model @initialisers {
  // CHECK: %[[X:.*]] = sae.input "x" : tensor<?x512xf32>
  %x = sae.input "x" : tensor<?x512xf32>
  // CHECK: sae.param "b_dec" median from "x" : tensor<512xf32>
  %0 = sae.param "b_dec" median from "x" : tensor<512xf32>
  // CHECK: sae.param "mu" mean from "x" : tensor<512xf32>
  %1 = sae.param "mu" mean from "x" : tensor<512xf32>
  // CHECK: sae.param "W_enc" kaiming : tensor<512x4096xf32>
  %2 = sae.param "W_enc" kaiming : tensor<512x4096xf32>
  // CHECK: sae.param "W_dec" transpose from "W_enc" constraint unit_rows : tensor<4096x512xf32>
  %3 = sae.param "W_dec" transpose from "W_enc" constraint unit_rows : tensor<4096x512xf32>
  // CHECK: sae.param "W_img" copy from "W_dec" constraint unit_cols : tensor<4096x512xf32>
  %4 = sae.param "W_img" copy from "W_dec" constraint unit_cols : tensor<4096x512xf32>
  // CHECK: sae.param "W_txt" xavier constraint unit_rows : tensor<4096x512xf32>
  %5 = sae.param "W_txt" xavier constraint unit_rows : tensor<4096x512xf32>
  // CHECK: sae.param "batchtopk.theta" normal(1.000000e-02) seed 3 : tensor<4096xf32>
  %6 = sae.param "batchtopk.theta" normal(0.01) seed 3 : tensor<4096xf32>
  // CHECK: sae.param "b_in" copy from "b_dec" : tensor<512xf32>
  %7 = sae.param "b_in" copy from "b_dec" : tensor<512xf32>
  %loss = sae.mse %x, %x : tensor<?x512xf32>, tensor<?x512xf32> -> tensor<f32>
  // CHECK: sae.output "loss" %{{.*}} : tensor<f32>
  sae.output "loss" %loss : tensor<f32>
}

// The TopK model of docs/language.md, end to end, with its training
// configuration and two metrics blocks.

// CHECK-LABEL: sae.model @topk hyper {d = 512 : i64, k = 32 : i64, n = 4096 : i64} {
sae.model @topk hyper {d = 512 : i64, n = 4096 : i64, k = 32 : i64} {
  // CHECK-NEXT: %[[X:.*]] = sae.input "x" : tensor<?x512xf32>
  // CHECK-NEXT: %[[BDEC:.*]] = sae.param "b_dec" median from "x" : tensor<512xf32>
  // CHECK-NEXT: %[[WENC:.*]] = sae.param "W_enc" kaiming : tensor<512x4096xf32>
  // CHECK-NEXT: %[[BENC:.*]] = sae.param "b_enc" constant(0.000000e+00) : tensor<4096xf32>
  // CHECK-NEXT: %[[WDEC:.*]] = sae.param "W_dec" transpose from "W_enc" constraint unit_rows : tensor<4096x512xf32>
  %x = sae.input "x" : tensor<?x512xf32>
  %b_dec = sae.param "b_dec" median from "x" : tensor<512xf32>
  %W_enc = sae.param "W_enc" kaiming : tensor<512x4096xf32>
  %b_enc = sae.param "b_enc" constant(0.0) : tensor<4096xf32>
  %W_dec = sae.param "W_dec" transpose from "W_enc" constraint unit_rows : tensor<4096x512xf32>

  // pre = (x - b_dec) @ W_enc + b_enc
  // CHECK-NEXT: %[[XC:.*]] = sae.sub %[[X]], %[[BDEC]]
  // CHECK-NEXT: %[[H:.*]] = sae.matmul %[[XC]], %[[WENC]]
  // CHECK-NEXT: %[[PRE:.*]] = sae.add %[[H]], %[[BENC]]
  %xc = sae.sub %x, %b_dec : tensor<?x512xf32>, tensor<512xf32> -> tensor<?x512xf32>
  %h = sae.matmul %xc, %W_enc : tensor<?x512xf32>, tensor<512x4096xf32> -> tensor<?x4096xf32>
  %pre = sae.add %h, %b_enc : tensor<?x4096xf32>, tensor<4096xf32> -> tensor<?x4096xf32>

  // z = topk(relu(pre), k)
  // CHECK-NEXT: %[[A:.*]] = sae.relu %[[PRE]]
  // CHECK-NEXT: %[[Z:.*]] = sae.topk %[[A]], k = 32
  %a = sae.relu %pre : tensor<?x4096xf32>
  %z = sae.topk %a, k = 32 : tensor<?x4096xf32>

  // xhat = z @ W_dec + b_dec
  // CHECK-NEXT: %[[D:.*]] = sae.matmul %[[Z]], %[[WDEC]]
  // CHECK-NEXT: %[[XHAT:.*]] = sae.add %[[D]], %[[BDEC]]
  %d = sae.matmul %z, %W_dec : tensor<?x4096xf32>, tensor<4096x512xf32> -> tensor<?x512xf32>
  %xhat = sae.add %d, %b_dec : tensor<?x512xf32>, tensor<512xf32> -> tensor<?x512xf32>

  // loss = mse(xhat, x) + 1/32 * auxk(x - xhat, pre, W_dec, k = 256)
  // CHECK-NEXT: %[[MSE:.*]] = sae.mse %[[XHAT]], %[[X]]
  // CHECK-NEXT: %[[R:.*]] = sae.sub %[[X]], %[[XHAT]]
  // CHECK-NEXT: %[[AUX:.*]] = sae.auxk %[[R]], %[[PRE]], %[[WDEC]], k = 256
  // CHECK-NEXT: %[[C:.*]] = arith.constant dense<3.125000e-02> : tensor<f32>
  // CHECK-NEXT: %[[WAUX:.*]] = sae.mul %[[C]], %[[AUX]]
  // CHECK-NEXT: %[[LOSS:.*]] = sae.add %[[MSE]], %[[WAUX]]
  %mse = sae.mse %xhat, %x : tensor<?x512xf32>, tensor<?x512xf32> -> tensor<f32>
  %r = sae.sub %x, %xhat : tensor<?x512xf32>, tensor<?x512xf32> -> tensor<?x512xf32>
  %aux = sae.auxk %r, %pre, %W_dec, k = 256 : tensor<?x512xf32>, tensor<?x4096xf32>, tensor<4096x512xf32> -> tensor<f32>
  %c = arith.constant dense<0.03125> : tensor<f32>
  %waux = sae.mul %c, %aux : tensor<f32>, tensor<f32> -> tensor<f32>
  %loss = sae.add %mse, %waux : tensor<f32>, tensor<f32> -> tensor<f32>

  // CHECK-NEXT: sae.output "pre" %[[PRE]] : tensor<?x4096xf32>
  // CHECK-NEXT: sae.output "z" %[[Z]] : tensor<?x4096xf32>
  // CHECK-NEXT: sae.output "xhat" %[[XHAT]] : tensor<?x512xf32>
  // CHECK-NEXT: sae.output "loss" %[[LOSS]] : tensor<f32>
  // CHECK-NEXT: }
  sae.output "pre" %pre : tensor<?x4096xf32>
  sae.output "z" %z : tensor<?x4096xf32>
  sae.output "xhat" %xhat : tensor<?x512xf32>
  sae.output "loss" %loss : tensor<f32>
}

// train topk { optimizer = adam(lr = 4e-4, betas = (0.9, 0.999)) ... }
// CHECK-LABEL: sae.train @topk config
// CHECK-SAME: batch = 4096 : i64
// CHECK-SAME: betas = [9.000000e-01, {{.*}}]
// CHECK-SAME: dead_window = 1000000 : i64
// CHECK-SAME: lr = 4.000000e-04 : f64
// CHECK-SAME: optimizer = "adam"
// CHECK-SAME: schedule = "cosine"
// CHECK-SAME: steps = 20000 : i64
sae.train @topk config {
  optimizer = "adam", lr = 4.0e-4 : f64, betas = [0.9 : f64, 0.999 : f64],
  eps = 1.0e-8 : f64, weight_decay = 0 : i64, schedule = "cosine",
  warmup = 1000 : i64, min_lr = 0.0 : f64, batch = 4096 : i64,
  steps = 20000 : i64, seed = 0 : i64, dead_window = 1000000 : i64
}

// metrics quality(m : topk) over rows {
//   r2 = 1 - sum((x - m.xhat)^2) / sum((x - mean(x, axis = 0))^2)
//   l0 = mean(count(m.z > 0, axis = 1))
// }
// CHECK-LABEL: sae.metrics @quality model(@topk) over rows {
sae.metrics @quality model(@topk) over rows {
  // CHECK-NEXT: %[[X:.*]] = sae.input "x" : tensor<?x512xf32>
  // CHECK-NEXT: %[[XHAT:.*]] = sae.model_value "xhat" : tensor<?x512xf32>
  // CHECK-NEXT: %[[Z:.*]] = sae.model_value "z" : tensor<?x4096xf32>
  %x = sae.input "x" : tensor<?x512xf32>
  %xhat = sae.model_value "xhat" : tensor<?x512xf32>
  %z = sae.model_value "z" : tensor<?x4096xf32>
  %one = arith.constant dense<1.0> : tensor<f32>
  %two = arith.constant dense<2.0> : tensor<f32>
  %zero = arith.constant dense<0.0> : tensor<f32>
  %e = sae.sub %x, %xhat : tensor<?x512xf32>, tensor<?x512xf32> -> tensor<?x512xf32>
  %e2 = sae.pow %e, %two : tensor<?x512xf32>, tensor<f32> -> tensor<?x512xf32>
  %num = sae.reduce sum %e2 : tensor<?x512xf32> -> tensor<f32>
  %mu = sae.reduce mean %x, axis = 0 : tensor<?x512xf32> -> tensor<512xf32>
  %v = sae.sub %x, %mu : tensor<?x512xf32>, tensor<512xf32> -> tensor<?x512xf32>
  %v2 = sae.pow %v, %two : tensor<?x512xf32>, tensor<f32> -> tensor<?x512xf32>
  %den = sae.reduce sum %v2 : tensor<?x512xf32> -> tensor<f32>
  %q = sae.div %num, %den : tensor<f32>, tensor<f32> -> tensor<f32>
  %r2 = sae.sub %one, %q : tensor<f32>, tensor<f32> -> tensor<f32>
  // CHECK: sae.metric "r2" %{{.*}} : tensor<f32>
  sae.metric "r2" %r2 : tensor<f32>
  // CHECK: %[[F:.*]] = sae.cmp gt %[[Z]], %{{.*}}
  %fired = sae.cmp gt %z, %zero : tensor<?x4096xf32>, tensor<f32> -> tensor<?x4096xf32>
  %count = sae.reduce count %fired, axis = 1 : tensor<?x4096xf32> -> tensor<?xf32>
  %l0 = sae.reduce mean %count : tensor<?xf32> -> tensor<f32>
  // CHECK: sae.metric "l0" %{{.*}} : tensor<f32>
  sae.metric "l0" %l0 : tensor<f32>
}

// metrics concepts(m : topk) over pairs {
//   modality = mean(m.z | image, axis = 0)
//              / (mean(m.z | image, axis = 0) + mean(m.z | text, axis = 0))
//   bridge   = mean(outer(m.z[image], m.z[text]), axis = 0)
//              * cos(m.W_dec, m.W_dec)
// }
// CHECK-LABEL: sae.metrics @concepts model(@topk) over pairs {
sae.metrics @concepts model(@topk) over pairs {
  // CHECK-NEXT: %[[Z:.*]] = sae.model_value "z" : tensor<?x4096xf32>
  // CHECK-NEXT: %[[ZI:.*]] = sae.filter %[[Z]], image : tensor<?x4096xf32>
  // CHECK-NEXT: %[[ZT:.*]] = sae.filter %[[Z]], text : tensor<?x4096xf32>
  %z = sae.model_value "z" : tensor<?x4096xf32>
  %zi = sae.filter %z, image : tensor<?x4096xf32>
  %zt = sae.filter %z, text : tensor<?x4096xf32>
  %mi = sae.reduce mean %zi, axis = 0 : tensor<?x4096xf32> -> tensor<4096xf32>
  %mt = sae.reduce mean %zt, axis = 0 : tensor<?x4096xf32> -> tensor<4096xf32>
  %both = sae.add %mi, %mt : tensor<4096xf32>, tensor<4096xf32> -> tensor<4096xf32>
  %modality = sae.div %mi, %both : tensor<4096xf32>, tensor<4096xf32> -> tensor<4096xf32>
  // CHECK: sae.metric "modality" %{{.*}} : tensor<4096xf32>
  sae.metric "modality" %modality : tensor<4096xf32>
  // CHECK: %[[PI:.*]] = sae.model_value "z" [image] : tensor<?x4096xf32>
  // CHECK-NEXT: %[[PT:.*]] = sae.model_value "z" [text] : tensor<?x4096xf32>
  // CHECK-NEXT: %[[W:.*]] = sae.model_value "W_dec" : tensor<4096x512xf32>
  // CHECK-NEXT: %[[O:.*]] = sae.outer %[[PI]], %[[PT]]
  // CHECK-NEXT: %[[CO:.*]] = sae.reduce mean %[[O]], axis = 0
  // CHECK-NEXT: %[[COS:.*]] = sae.cos %[[W]], %[[W]]
  %pi = sae.model_value "z" [image] : tensor<?x4096xf32>
  %pt = sae.model_value "z" [text] : tensor<?x4096xf32>
  %w = sae.model_value "W_dec" : tensor<4096x512xf32>
  %o = sae.outer %pi, %pt : tensor<?x4096xf32>, tensor<?x4096xf32> -> tensor<?x4096x4096xf32>
  %co = sae.reduce mean %o, axis = 0 : tensor<?x4096x4096xf32> -> tensor<4096x4096xf32>
  %cos = sae.cos %w, %w : tensor<4096x512xf32>, tensor<4096x512xf32> -> tensor<4096x4096xf32>
  %bridge = sae.mul %co, %cos : tensor<4096x4096xf32>, tensor<4096x4096xf32> -> tensor<4096x4096xf32>
  // CHECK: sae.metric "bridge" %{{.*}} : tensor<4096x4096xf32>
  sae.metric "bridge" %bridge : tensor<4096x4096xf32>
  // The input of a pair's image side.
  // CHECK: sae.input "x" [image] : tensor<?x512xf32>
  %xi = sae.input "x" [image] : tensor<?x512xf32>
}

// A JumpReLU model with a Matryoshka-style prefix loss and a VL-SAE-style
// decoder chosen by modality: the remaining model-graph ops in context.
// CHECK-LABEL: sae.model @jumprelu hyper {bandwidth = 1.000000e-03 : f64, d = 512 : i64, n = 4096 : i64} {
sae.model @jumprelu hyper {d = 512 : i64, n = 4096 : i64, bandwidth = 0.001 : f64} {
  %x = sae.input "x" : tensor<?x512xf32>
  %W_enc = sae.param "W_enc" kaiming : tensor<512x4096xf32>
  %theta = sae.param "batchtopk.theta" constant(0.001) : tensor<4096xf32>
  %W_img = sae.param "W_img" transpose from "W_enc" : tensor<4096x512xf32>
  %W_txt = sae.param "W_txt" copy from "W_img" : tensor<4096x512xf32>
  %pre = sae.matmul %x, %W_enc : tensor<?x512xf32>, tensor<512x4096xf32> -> tensor<?x4096xf32>
  // CHECK: sae.jumprelu
  %z = sae.jumprelu %pre, %theta, bandwidth = 0.001 : tensor<?x4096xf32>, tensor<4096xf32>
  %xi = sae.matmul %z, %W_img : tensor<?x4096xf32>, tensor<4096x512xf32> -> tensor<?x512xf32>
  %xt = sae.matmul %z, %W_txt : tensor<?x4096xf32>, tensor<4096x512xf32> -> tensor<?x512xf32>
  // CHECK: sae.select_modality
  %xhat = sae.select_modality %xi, %xt : tensor<?x512xf32>
  %mse = sae.mse %xhat, %x : tensor<?x512xf32>, tensor<?x512xf32> -> tensor<f32>
  // Matryoshka: reconstruct from the first 256 latents.
  // CHECK: sae.slice
  %zp = sae.slice %z, starts = [0, 0], limits = [-1, 256] : tensor<?x4096xf32> -> tensor<?x256xf32>
  %wp = sae.slice %W_img, starts = [0, 0], limits = [256, 512] : tensor<4096x512xf32> -> tensor<256x512xf32>
  %xp = sae.matmul %zp, %wp : tensor<?x256xf32>, tensor<256x512xf32> -> tensor<?x512xf32>
  %msep = sae.mse %xp, %x : tensor<?x512xf32>, tensor<?x512xf32> -> tensor<f32>
  // L0 through the step's pseudo-gradient, and a decoder-norm-weighted L1.
  // CHECK: sae.step
  %on = sae.step %pre, %theta, bandwidth = 0.001 : tensor<?x4096xf32>, tensor<4096xf32>
  %l0 = sae.reduce sum %on, axis = 1 : tensor<?x4096xf32> -> tensor<?xf32>
  %l0m = sae.reduce mean %l0 : tensor<?xf32> -> tensor<f32>
  // CHECK: sae.reduce norm
  %norms = sae.reduce norm %W_img, axis = 1 : tensor<4096x512xf32> -> tensor<4096xf32>
  // CHECK: sae.l1
  %l1 = sae.l1 %z, weight = %norms : tensor<?x4096xf32>, tensor<4096xf32> -> tensor<f32>
  %s0 = sae.add %mse, %msep : tensor<f32>, tensor<f32> -> tensor<f32>
  %s1 = sae.add %s0, %l0m : tensor<f32>, tensor<f32> -> tensor<f32>
  %loss = sae.add %s1, %l1 : tensor<f32>, tensor<f32> -> tensor<f32>
  sae.output "z" %z : tensor<?x4096xf32>
  sae.output "loss" %loss : tensor<f32>
}

// CHECK-LABEL: sae.train @jumprelu config {batch = 512 : i64, epochs = 10 : i64, schedule = "linear", warmup_epochs = 1 : i64}
sae.train @jumprelu config {batch = 512 : i64, epochs = 10 : i64, schedule = "linear", warmup_epochs = 1 : i64}
