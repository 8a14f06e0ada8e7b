// RUN: prism-opt %s -split-input-file -sae-outline-entry-points -verify-diagnostics | FileCheck %s

// Inputs, then parameters, become arguments in declaration order, whatever
// order the model interleaves them in; outputs become results in order; the
// model stays.

// CHECK-LABEL: sae.model @tiny
// CHECK:      sae.param "W_enc" kaiming
// CHECK-LABEL: func.func @tiny.forward(
// CHECK-SAME:   %[[X:.*]]: tensor<?x4xf32> {sae.input = "x"},
// CHECK-SAME:   %[[Y:.*]]: tensor<?x4xf32> {sae.input = "y"},
// CHECK-SAME:   %[[B:.*]]: tensor<4xf32> {sae.param = "b_dec"},
// CHECK-SAME:   %[[W:.*]]: tensor<4x8xf32> {sae.param = "W_enc"})
// CHECK-SAME:   -> (tensor<?x8xf32> {sae.output = "z"}, tensor<4x8xf32> {sae.output = "W"}, tensor<f32> {sae.output = "loss"})
// CHECK-SAME:   attributes {sae.entry = "forward", sae.model = "tiny"}
// CHECK-NEXT:   %[[C:.*]] = sae.sub %[[X]], %[[B]]
// CHECK-NEXT:   %[[Z:.*]] = sae.matmul %[[C]], %[[W]]
// CHECK-NEXT:   %[[CST:.*]] = arith.constant dense<2.000000e+00>
// CHECK-NEXT:   %[[S:.*]] = sae.mul %[[CST]], %[[Z]]
// CHECK-NEXT:   %[[L:.*]] = sae.reduce sum %[[S]]
// CHECK-NEXT:   %[[M:.*]] = sae.mse %[[X]], %[[Y]]
// CHECK-NEXT:   %[[LOSS:.*]] = sae.add %[[L]], %[[M]]
// CHECK-NEXT:   return %[[Z]], %[[W]], %[[LOSS]]
// CHECK-NOT:  sae.input
sae.model @tiny {
  %x = sae.input "x" : tensor<?x4xf32>
  %b = sae.param "b_dec" zeros : tensor<4xf32>
  %y = sae.input "y" : tensor<?x4xf32>
  %w = sae.param "W_enc" kaiming : tensor<4x8xf32>
  %c = sae.sub %x, %b : tensor<?x4xf32>, tensor<4xf32> -> tensor<?x4xf32>
  %z = sae.matmul %c, %w : tensor<?x4xf32>, tensor<4x8xf32> -> tensor<?x8xf32>
  sae.output "z" %z : tensor<?x8xf32>
  sae.output "W" %w : tensor<4x8xf32>
  %cst = arith.constant dense<2.0> : tensor<f32>
  %s = sae.mul %cst, %z : tensor<f32>, tensor<?x8xf32> -> tensor<?x8xf32>
  %l = sae.reduce sum %s : tensor<?x8xf32> -> tensor<f32>
  %m = sae.mse %x, %y : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  %loss = sae.add %l, %m : tensor<f32>, tensor<f32> -> tensor<f32>
  sae.output "loss" %loss : tensor<f32>
}

// -----

// Every model gets its function, placed right after it; metrics blocks and
// training configurations are left alone.

// CHECK-LABEL: sae.model @a
// CHECK:       func.func @a.forward({{.*}}) -> (tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "forward", sae.model = "a"}
// CHECK:       sae.model @b
// CHECK:       func.func @b.forward({{.*}}) -> (tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "forward", sae.model = "b"}
// CHECK:       sae.train @a
// CHECK:       sae.metrics @m
// CHECK-NOT:   func.func
sae.model @a {
  %w = sae.param "w" zeros : tensor<4xf32>
  %l = sae.reduce sum %w : tensor<4xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}
sae.model @b {
  %w = sae.param "w" zeros : tensor<4xf32>
  %l = sae.reduce mean %w : tensor<4xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}
sae.train @a config {lr = 1.0e-3 : f64}
sae.metrics @m model(@a) over rows {
  %w = sae.model_value "w" : tensor<4xf32>
  %n = sae.reduce norm %w : tensor<4xf32> -> tensor<f32>
  sae.metric "n" %n : tensor<f32>
}

// -----

// The entry point's name must be free.

// expected-note @below {{defined here}}
func.func @c.forward() {
  return
}
// expected-error @below {{cannot create @c.forward: the symbol is already defined}}
sae.model @c {
  %w = sae.param "w" zeros : tensor<4xf32>
  %l = sae.reduce sum %w : tensor<4xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}

// -----

// With outputs z and xhat: encode returns z from the arguments it reads;
// reconstruct takes the code as its first argument (sae.input "z") and
// keeps only what decodes it.

// CHECK-LABEL: func.func @codec.forward(
// CHECK-LABEL: func.func @codec.encode(
// CHECK-SAME:   %[[X:[a-z0-9]+]]: tensor<?x4xf32> {sae.input = "x"}, %[[WE:[a-z0-9]+]]: tensor<4x8xf32> {sae.param = "W_enc"})
// CHECK-SAME:   -> (tensor<?x8xf32> {sae.output = "z"}) attributes {sae.entry = "encode", sae.model = "codec"}
// CHECK-NEXT:   %[[P:.*]] = sae.matmul %[[X]], %[[WE]]
// CHECK-NEXT:   %[[Z:.*]] = sae.topk %[[P]], k = 2
// CHECK-NEXT:   return %[[Z]]
// CHECK-LABEL: func.func @codec.reconstruct(
// CHECK-SAME:   %[[C:[a-z0-9]+]]: tensor<?x8xf32> {sae.input = "z"}, %[[B:[a-z0-9]+]]: tensor<4xf32> {sae.param = "b_dec"}, %[[WD:[a-z0-9]+]]: tensor<8x4xf32> {sae.param = "W_dec"})
// CHECK-SAME:   -> (tensor<?x4xf32> {sae.output = "xhat"}) attributes {sae.entry = "reconstruct", sae.model = "codec"}
// CHECK-NEXT:   %[[D:.*]] = sae.matmul %[[C]], %[[WD]]
// CHECK-NEXT:   %[[XH:.*]] = sae.add %[[D]], %[[B]]
// CHECK-NEXT:   return %[[XH]]
sae.model @codec {
  %x = sae.input "x" : tensor<?x4xf32>
  %b = sae.param "b_dec" zeros : tensor<4xf32>
  %we = sae.param "W_enc" kaiming : tensor<4x8xf32>
  %wd = sae.param "W_dec" transpose from "W_enc" : tensor<8x4xf32>
  %p = sae.matmul %x, %we : tensor<?x4xf32>, tensor<4x8xf32> -> tensor<?x8xf32>
  %z = sae.topk %p, k = 2 : tensor<?x8xf32>
  sae.output "z" %z : tensor<?x8xf32>
  %d = sae.matmul %z, %wd : tensor<?x8xf32>, tensor<8x4xf32> -> tensor<?x4xf32>
  %xhat = sae.add %d, %b : tensor<?x4xf32>, tensor<4xf32> -> tensor<?x4xf32>
  sae.output "xhat" %xhat : tensor<?x4xf32>
  %l = sae.mse %xhat, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}

// -----

// A model with BatchTopK selections gets @M.infer after @M.forward: the
// forward's arguments, then one rank-0 threshold state per selection (in
// body order), the same results, and each selection v -> v * (v > theta).
// The forward's selections are tagged with their threshold's name.

// CHECK-LABEL: func.func @bt.forward(
// CHECK:         sae.batchtopk %{{.*}}, k = 2 {sae.threshold = "batchtopk.theta"} : tensor<?x8xf32>
// CHECK:         sae.batchtopk %{{.*}}, k = 1 {sae.threshold = "batchtopk.theta.1"} : tensor<?x8xf32>
// CHECK-LABEL: func.func @bt.infer(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<?x4xf32> {sae.input = "x"},
// CHECK-SAME:    %[[W:[^:]*]]: tensor<4x8xf32> {sae.param = "W_enc"},
// CHECK-SAME:    %[[T0:[^:]*]]: tensor<f32> {sae.state = "batchtopk.theta"},
// CHECK-SAME:    %[[T1:[^:]*]]: tensor<f32> {sae.state = "batchtopk.theta.1"})
// CHECK-SAME:    -> (tensor<?x8xf32> {sae.output = "z"}, tensor<?x8xf32> {sae.output = "u"}, tensor<f32> {sae.output = "loss"})
// CHECK-SAME:    attributes {sae.entry = "infer", sae.model = "bt"}
// CHECK-NEXT:    %[[PRE:.*]] = sae.matmul %[[X]], %[[W]]
// CHECK-NEXT:    %[[V:.*]] = sae.relu %[[PRE]]
// CHECK-NEXT:    %[[ABOVE:.*]] = sae.cmp gt %[[V]], %[[T0]] : tensor<?x8xf32>, tensor<f32> -> tensor<?x8xf32>
// CHECK-NEXT:    %[[Z:.*]] = sae.mul %[[V]], %[[ABOVE]] : tensor<?x8xf32>, tensor<?x8xf32> -> tensor<?x8xf32>
// CHECK-NEXT:    %[[ABOVE1:.*]] = sae.cmp gt %[[PRE]], %[[T1]]
// CHECK-NEXT:    %[[U:.*]] = sae.mul %[[PRE]], %[[ABOVE1]]
// CHECK-NEXT:    %[[L:.*]] = sae.reduce sum %[[Z]]
// CHECK-NEXT:    return %[[Z]], %[[U]], %[[L]]
// CHECK-NOT:     sae.batchtopk
sae.model @bt {
  %x = sae.input "x" : tensor<?x4xf32>
  %w = sae.param "W_enc" kaiming : tensor<4x8xf32>
  %pre = sae.matmul %x, %w : tensor<?x4xf32>, tensor<4x8xf32> -> tensor<?x8xf32>
  %v = sae.relu %pre : tensor<?x8xf32>
  %z = sae.batchtopk %v, k = 2 : tensor<?x8xf32>
  sae.output "z" %z : tensor<?x8xf32>
  %u = sae.batchtopk %pre, k = 1 : tensor<?x8xf32>
  sae.output "u" %u : tensor<?x8xf32>
  %l = sae.reduce sum %z : tensor<?x8xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}
