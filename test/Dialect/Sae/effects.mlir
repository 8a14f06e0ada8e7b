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
