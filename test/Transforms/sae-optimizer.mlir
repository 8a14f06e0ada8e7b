// RUN: prism-opt %s -split-input-file -sae-optimizer -verify-diagnostics | FileCheck %s

// The training step: the gradient function's arguments, then Adam's two
// moments per parameter, then the per-step scalars; results are the forward
// outputs, the updated parameters and the updated moments. Adam's constants
// come from sae.train; a unit_rows parameter has its gradient projected on
// the tangent space (norms along axis 1) before the step and is
// renormalised after it, a unit_cols one the same along axis 0.

sae.model @m {
  %x = sae.input "x" : tensor<?x4xf32>
  %w = sae.param "W" kaiming constraint unit_rows : tensor<8x4xf32>
  %b = sae.param "b" zeros : tensor<4xf32>
  %c = sae.param "C" kaiming constraint unit_cols : tensor<4x8xf32>
  %l = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}
sae.train @m config {betas = [0.8, 0.99], eps = 1.0e-6 : f64, lr = 1.0e-3 : f64, weight_decay = 0.01 : f64}

// CHECK-LABEL: func.func @m.grad(
// CHECK-LABEL: func.func @m.train_step(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<?x4xf32> {sae.input = "x"},
// CHECK-SAME:    %[[W:[^:]*]]: tensor<8x4xf32> {sae.param = "W"}, %[[B:[^:]*]]: tensor<4xf32> {sae.param = "b"}, %[[C:[^:]*]]: tensor<4x8xf32> {sae.param = "C"},
// CHECK-SAME:    %[[DEAD:[^:]*]]: tensor<8xf32> {sae.state = "dead_mask"},
// CHECK-SAME:    %[[MW:[^:]*]]: tensor<8x4xf32> {sae.state = "adam.m.W"}, %[[VW:[^:]*]]: tensor<8x4xf32> {sae.state = "adam.v.W"},
// CHECK-SAME:    %[[MB:[^:]*]]: tensor<4xf32> {sae.state = "adam.m.b"}, %[[VB:[^:]*]]: tensor<4xf32> {sae.state = "adam.v.b"},
// CHECK-SAME:    %[[MC:[^:]*]]: tensor<4x8xf32> {sae.state = "adam.m.C"}, %[[VC:[^:]*]]: tensor<4x8xf32> {sae.state = "adam.v.C"},
// CHECK-SAME:    %[[LR:[^:]*]]: tensor<f32> {sae.scalar = "lr"}, %[[BC1:[^:]*]]: tensor<f32> {sae.scalar = "bias_correction1"}, %[[BC2:[^:]*]]: tensor<f32> {sae.scalar = "bias_correction2"})
// CHECK-SAME:    -> (tensor<?x4xf32> {sae.output = "xhat"}, tensor<f32> {sae.output = "loss"},
// CHECK-SAME:        tensor<8x4xf32> {sae.param_out = "W"}, tensor<4xf32> {sae.param_out = "b"}, tensor<4x8xf32> {sae.param_out = "C"},
// CHECK-SAME:        tensor<8x4xf32> {sae.state_out = "adam.m.W"}, tensor<8x4xf32> {sae.state_out = "adam.v.W"},
// CHECK-SAME:        tensor<4xf32> {sae.state_out = "adam.m.b"}, tensor<4xf32> {sae.state_out = "adam.v.b"},
// CHECK-SAME:        tensor<4x8xf32> {sae.state_out = "adam.m.C"}, tensor<4x8xf32> {sae.state_out = "adam.v.C"})
// CHECK-SAME:    attributes {sae.entry = "train_step", sae.model = "m"}
// The gradient function's body, cloned.
// CHECK:         %[[XHAT:.*]] = sae.sub %[[X]], %[[B]]
// CHECK:         %[[LOSS:.*]] = sae.mse %[[XHAT]], %[[X]]
// CHECK:         %[[GW:.*]] = sae.slice
// CHECK:         %[[GC:.*]] = sae.transpose %[[GW]]
// CHECK:         %[[GB:.*]] = sae.neg
// CHECK:         %[[PW:.*]] = sae.project_tangent %[[GW]], %[[W]], axis = 1 : tensor<8x4xf32>
// CHECK:         %[[NW:.*]], %[[NMW:.*]], %[[NVW:.*]] = sae.adam_update %[[W]], %[[PW]], %[[MW]], %[[VW]], lr = %[[LR]], bias_correction = (%[[BC1]], %[[BC2]]), beta1 = 8.000000e-01, beta2 = 0.98999999999999999, eps = 9.9999999999999995E-7, weight_decay = 1.000000e-02 : tensor<8x4xf32>, tensor<f32>
// CHECK:         %[[UW:.*]] = sae.normalize %[[NW]], axis = 1 : tensor<8x4xf32>
// CHECK:         %[[NB:.*]], %[[NMB:.*]], %[[NVB:.*]] = sae.adam_update %[[B]], %[[GB]], %[[MB]], %[[VB]], lr = %[[LR]], bias_correction = (%[[BC1]], %[[BC2]])
// CHECK:         %[[PC:.*]] = sae.project_tangent %[[GC]], %[[C]], axis = 0 : tensor<4x8xf32>
// CHECK:         %[[NC:.*]], %[[NMC:.*]], %[[NVC:.*]] = sae.adam_update %[[C]], %[[PC]], %[[MC]], %[[VC]]
// CHECK:         %[[UC:.*]] = sae.normalize %[[NC]], axis = 0 : tensor<4x8xf32>
// CHECK:         return %[[XHAT]], %[[LOSS]], %[[UW]], %[[NB]], %[[UC]], %[[NMW]], %[[NVW]], %[[NMB]], %[[NVB]], %[[NMC]], %[[NVC]]
func.func @m.grad(%x: tensor<?x4xf32> {sae.input = "x"}, %w: tensor<8x4xf32> {sae.param = "W"},
                  %b: tensor<4xf32> {sae.param = "b"}, %c: tensor<4x8xf32> {sae.param = "C"},
                  %dead: tensor<8xf32> {sae.state = "dead_mask"})
    -> (tensor<?x4xf32> {sae.output = "xhat"}, tensor<f32> {sae.output = "loss"},
        tensor<8x4xf32> {sae.grad = "W"}, tensor<4xf32> {sae.grad = "b"}, tensor<4x8xf32> {sae.grad = "C"})
    attributes {sae.entry = "grad", sae.model = "m"} {
  %xhat = sae.sub %x, %b : tensor<?x4xf32>, tensor<4xf32> -> tensor<?x4xf32>
  %loss = sae.mse %xhat, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  %dcol = sae.transpose %w : tensor<8x4xf32> -> tensor<4x8xf32>
  %gw = sae.matmul %w, %dcol : tensor<8x4xf32>, tensor<4x8xf32> -> tensor<8x8xf32>
  %gws = sae.slice %gw, starts = [0, 0], limits = [8, 4] : tensor<8x8xf32> -> tensor<8x4xf32>
  %gc = sae.transpose %gws : tensor<8x4xf32> -> tensor<4x8xf32>
  %gb = sae.neg %b : tensor<4xf32>
  return %xhat, %loss, %gws, %gb, %gc : tensor<?x4xf32>, tensor<f32>, tensor<8x4xf32>, tensor<4xf32>, tensor<4x8xf32>
}

// -----

// Without sae.train: PyTorch's defaults (β = (0.9, 0.999), ε = 1e-8, no
// weight decay).

sae.model @plain {
  %w = sae.param "w" zeros : tensor<4xf32>
  %l = sae.reduce sum %w : tensor<4xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}

// CHECK-LABEL: func.func @plain.train_step(
// CHECK-SAME:    %[[W:[^:]*]]: tensor<4xf32> {sae.param = "w"}, %[[M:[^:]*]]: tensor<4xf32> {sae.state = "adam.m.w"}, %[[V:[^:]*]]: tensor<4xf32> {sae.state = "adam.v.w"}, %{{.*}}: tensor<f32> {sae.scalar = "lr"}
// CHECK-SAME:    -> (tensor<f32> {sae.output = "loss"}, tensor<4xf32> {sae.param_out = "w"}, tensor<4xf32> {sae.state_out = "adam.m.w"}, tensor<4xf32> {sae.state_out = "adam.v.w"})
// CHECK:         sae.adam_update %[[W]], %{{.*}}, %[[M]], %[[V]], {{.*}} beta1 = 9.000000e-01, beta2 = 0.99899999999999999, eps = 1.000000e-08, weight_decay = 0.000000e+00
// CHECK-NOT:     sae.normalize
// CHECK-NOT:     sae.project_tangent
// CHECK:         return
func.func @plain.grad(%w: tensor<4xf32> {sae.param = "w"})
    -> (tensor<f32> {sae.output = "loss"}, tensor<4xf32> {sae.grad = "w"})
    attributes {sae.entry = "grad", sae.model = "plain"} {
  %l = sae.reduce sum %w : tensor<4xf32> -> tensor<f32>
  %one = arith.constant dense<1.0> : tensor<4xf32>
  return %l, %one : tensor<f32>, tensor<4xf32>
}

// -----

// The model must be in the module: its parameter constraints shape the step.

// expected-error @below {{'func.func' op names model @gone, which the module does not define (its parameter constraints are needed)}}
func.func @gone.grad(%w: tensor<4xf32> {sae.param = "w"})
    -> (tensor<f32> {sae.output = "loss"}, tensor<4xf32> {sae.grad = "w"})
    attributes {sae.entry = "grad", sae.model = "gone"} {
  %l = sae.reduce sum %w : tensor<4xf32> -> tensor<f32>
  return %l, %w : tensor<f32>, tensor<4xf32>
}

// -----

sae.model @nograd {
  %w = sae.param "w" zeros : tensor<4xf32>
  %l = sae.reduce sum %w : tensor<4xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}

// expected-error @below {{'func.func' op returns no gradient for parameter 'w'}}
func.func @nograd.grad(%w: tensor<4xf32> {sae.param = "w"})
    -> (tensor<f32> {sae.output = "loss"})
    attributes {sae.entry = "grad", sae.model = "nograd"} {
  %l = sae.reduce sum %w : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

sae.model @taken {
  %w = sae.param "w" zeros : tensor<4xf32>
  %l = sae.reduce sum %w : tensor<4xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}

// expected-error @below {{cannot create @taken.train_step: the symbol is already defined}}
func.func @taken.grad(%w: tensor<4xf32> {sae.param = "w"})
    -> (tensor<f32> {sae.output = "loss"}, tensor<4xf32> {sae.grad = "w"})
    attributes {sae.entry = "grad", sae.model = "taken"} {
  %l = sae.reduce sum %w : tensor<4xf32> -> tensor<f32>
  return %l, %w : tensor<f32>, tensor<4xf32>
}

// expected-note @below {{defined here}}
func.func @taken.train_step() {
  return
}
