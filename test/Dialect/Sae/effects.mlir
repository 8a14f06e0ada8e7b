// RUN: prism-opt %s -cse -canonicalize | FileCheck %s

// Pure ops vanish when unused and merge when repeated. A parameter is
// training state: it stays even when nothing reads it yet.

// CHECK-LABEL: func.func @effects
func.func @effects(%x: tensor<?x512xf32>) -> tensor<?x512xf32> {
  // CHECK-NEXT: sae.param "unused" zeros
  // CHECK-NEXT: %[[B:.*]] = sae.param "b" zeros
  // CHECK-NEXT: %[[S:.*]] = sae.add %{{.*}}, %[[B]]
  // CHECK-NEXT: %[[R:.*]] = sae.mul %[[S]], %[[S]]
  // CHECK-NEXT: return %[[R]]
  %0 = sae.param "unused" zeros : tensor<512xf32>
  %b = sae.param "b" zeros : tensor<512xf32>
  %dead = sae.relu %x : tensor<?x512xf32>
  %s = sae.add %x, %b : tensor<?x512xf32>, tensor<512xf32> -> tensor<?x512xf32>
  %t = sae.add %x, %b : tensor<?x512xf32>, tensor<512xf32> -> tensor<?x512xf32>
  %r = sae.mul %s, %t : tensor<?x512xf32>, tensor<?x512xf32> -> tensor<?x512xf32>
  return %r : tensor<?x512xf32>
}

// Inside a model, declarations and outputs stay; dead compute goes.

// CHECK-LABEL: sae.model @m
sae.model @m {
  // CHECK-NEXT: %[[X:.*]] = sae.input "x"
  // CHECK-NEXT: sae.input "unused"
  // CHECK-NEXT: %[[W:.*]] = sae.param "w" zeros
  // CHECK-NEXT: %[[L:.*]] = sae.mse %[[X]], %[[X]]
  // CHECK-NEXT: sae.output "loss" %[[L]]
  // CHECK-NEXT: sae.output "w_out" %[[W]]
  // CHECK-NEXT: }
  %x = sae.input "x" : tensor<?x8xf32>
  %u = sae.input "unused" : tensor<?x8xf32>
  %w = sae.param "w" zeros : tensor<8xf32>
  %dead = sae.batchtopk %x, k = 2 : tensor<?x8xf32>
  %loss = sae.mse %x, %x : tensor<?x8xf32>, tensor<?x8xf32> -> tensor<f32>
  sae.output "loss" %loss : tensor<f32>
  sae.output "w_out" %w : tensor<8xf32>
}

// Reading the same model value twice reads it once; an unused read goes.

// CHECK-LABEL: sae.metrics @reads
sae.metrics @reads model(@m) over rows {
  // CHECK-NEXT: %[[W:.*]] = sae.model_value "w"
  // CHECK-NEXT: %[[S:.*]] = sae.add %[[W]], %[[W]]
  // CHECK-NEXT: sae.metric "twice" %[[S]]
  // CHECK-NEXT: }
  %a = sae.model_value "w" : tensor<8xf32>
  %b = sae.model_value "w" : tensor<8xf32>
  %c = sae.model_value "w_out" : tensor<8xf32>
  %s = sae.add %a, %b : tensor<8xf32>, tensor<8xf32> -> tensor<8xf32>
  sae.metric "twice" %s : tensor<8xf32>
}
