// RUN: prism-opt %s -split-input-file -sae-train-statistics -verify-diagnostics | FileCheck %s

// A training step keeps its loss, gains l0 (mean non-zero entries of z per
// row) and fired (per latent, the rows where it was non-zero), and drops the
// other forward outputs; the updated parameters and state follow in order.

func.func @m.train_step(%x: tensor<?x4xf32> {sae.input = "x"},
                        %w: tensor<4x6xf32> {sae.param = "W"},
                        %dead: tensor<6xf32> {sae.state = "dead_mask"})
    -> (tensor<?x6xf32> {sae.output = "z"}, tensor<f32> {sae.output = "loss"},
        tensor<4x6xf32> {sae.param_out = "W"})
    attributes {sae.entry = "train_step", sae.model = "m"} {
  %z = sae.matmul %x, %w : tensor<?x4xf32>, tensor<4x6xf32> -> tensor<?x6xf32>
  %l = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  return %z, %l, %w : tensor<?x6xf32>, tensor<f32>, tensor<4x6xf32>
}

// CHECK-LABEL: func.func @m.train_step(
// CHECK-SAME:    %{{.*}}: tensor<6xf32> {sae.state = "dead_mask"})
// CHECK-SAME:    -> (tensor<f32> {sae.output = "loss"}, tensor<f32> {sae.output = "l0"}, tensor<6xf32> {sae.output = "fired"}, tensor<4x6xf32> {sae.param_out = "W"})
// CHECK:         %[[Z:.*]] = sae.matmul
// CHECK:         %[[L:.*]] = sae.mse
// CHECK:         %[[ROWS:.*]] = sae.reduce count %[[Z]], axis = 1 : tensor<?x6xf32> -> tensor<?xf32>
// CHECK:         %[[L0:.*]] = sae.reduce mean %[[ROWS]] : tensor<?xf32> -> tensor<f32>
// CHECK:         %[[FIRED:.*]] = sae.reduce count %[[Z]], axis = 0 : tensor<?x6xf32> -> tensor<6xf32>
// CHECK:         return %[[L]], %[[L0]], %[[FIRED]], %{{.*}} :

// -----

// A step without a dead-latent mask gets one, unread, after the parameters.

func.func @n.train_step(%x: tensor<?x4xf32> {sae.input = "x"},
                        %w: tensor<4x6xf32> {sae.param = "W"},
                        %m: tensor<4x6xf32> {sae.state = "adam.m.W"})
    -> (tensor<?x6xf32> {sae.output = "z"}, tensor<f32> {sae.output = "loss"})
    attributes {sae.entry = "train_step", sae.model = "n"} {
  %z = sae.matmul %x, %w : tensor<?x4xf32>, tensor<4x6xf32> -> tensor<?x6xf32>
  %l = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  return %z, %l : tensor<?x6xf32>, tensor<f32>
}

// CHECK-LABEL: func.func @n.train_step(
// CHECK-SAME:    tensor<4x6xf32> {sae.param = "W"}, %{{.*}}: tensor<6xf32> {sae.state = "dead_mask"}, %{{.*}}: tensor<4x6xf32> {sae.state = "adam.m.W"})

// -----

// expected-error @+1 {{a training step needs the outputs 'z' (the code, for L0 and dead latents) and 'loss'}}
func.func @o.train_step(%x: tensor<?x4xf32> {sae.input = "x"})
    -> (tensor<f32> {sae.output = "loss"})
    attributes {sae.entry = "train_step", sae.model = "o"} {
  %l = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// expected-error @+1 {{the code 'z' must be [batch, n] with a static n, got 'tensor<?xf32>'}}
func.func @p.train_step(%x: tensor<?xf32> {sae.input = "x"})
    -> (tensor<?xf32> {sae.output = "z"}, tensor<f32> {sae.output = "loss"})
    attributes {sae.entry = "train_step", sae.model = "p"} {
  %l = sae.mse %x, %x : tensor<?xf32>, tensor<?xf32> -> tensor<f32>
  return %x, %l : tensor<?xf32>, tensor<f32>
}

// -----

// A BatchTopK selection tagged with its inference threshold reports the
// smallest activation it kept, NAME.min_kept, after fired; an untagged one
// (no threshold to estimate) reports nothing.

func.func @q.train_step(%x: tensor<?x4xf32> {sae.input = "x"},
                        %w: tensor<4x6xf32> {sae.param = "W"},
                        %dead: tensor<6xf32> {sae.state = "dead_mask"})
    -> (tensor<?x6xf32> {sae.output = "z"}, tensor<f32> {sae.output = "loss"},
        tensor<4x6xf32> {sae.param_out = "W"})
    attributes {sae.entry = "train_step", sae.model = "q"} {
  %pre = sae.matmul %x, %w : tensor<?x4xf32>, tensor<4x6xf32> -> tensor<?x6xf32>
  %v = sae.relu %pre : tensor<?x6xf32>
  %z = sae.batchtopk %v, k = 2 {sae.threshold = "batchtopk.theta"} : tensor<?x6xf32>
  %u = sae.batchtopk %v, k = 3 : tensor<?x6xf32>
  %l = sae.mse %z, %u : tensor<?x6xf32>, tensor<?x6xf32> -> tensor<f32>
  return %z, %l, %w : tensor<?x6xf32>, tensor<f32>, tensor<4x6xf32>
}

// CHECK-LABEL: func.func @q.train_step(
// CHECK-SAME:    -> (tensor<f32> {sae.output = "loss"}, tensor<f32> {sae.output = "l0"}, tensor<6xf32> {sae.output = "fired"}, tensor<f32> {sae.output = "batchtopk.theta.min_kept"}, tensor<4x6xf32> {sae.param_out = "W"})
// CHECK:         %[[Z:.*]] = sae.batchtopk %{{.*}}, k = 2 {sae.threshold = "batchtopk.theta"}
// CHECK:         %[[FIRED:.*]] = sae.reduce count %[[Z]], axis = 0
// CHECK-NEXT:    %[[MIN:.*]] = sae.reduce min_positive %[[Z]] : tensor<?x6xf32> -> tensor<f32>
// CHECK-NEXT:    return %{{.*}}, %{{.*}}, %[[FIRED]], %[[MIN]], %{{.*}} :
// CHECK-NOT:     min_positive

// -----

// Two selections cannot share a threshold.

func.func @r.train_step(%x: tensor<?x6xf32> {sae.input = "x"})
    -> (tensor<?x6xf32> {sae.output = "z"}, tensor<f32> {sae.output = "loss"})
    attributes {sae.entry = "train_step", sae.model = "r"} {
  %z = sae.batchtopk %x, k = 2 {sae.threshold = "batchtopk.theta"} : tensor<?x6xf32>
  // expected-error @+1 {{'sae.batchtopk' op shares the threshold 'batchtopk.theta' with another sae.batchtopk}}
  %u = sae.batchtopk %x, k = 3 {sae.threshold = "batchtopk.theta"} : tensor<?x6xf32>
  %l = sae.mse %z, %u : tensor<?x6xf32>, tensor<?x6xf32> -> tensor<f32>
  return %z, %l : tensor<?x6xf32>, tensor<f32>
}
