// RUN: prism-opt %s -split-input-file -saek-fold-gemm-epilogues | FileCheck %s

#rows = affine_map<(i, j) -> (i, j)>
#cols = affine_map<(i, j) -> (j)>

// Bias: the generic goes, the GEMM takes the bias (either operand order).
// CHECK-LABEL: func.func @bias(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: tensor<?x4xf32>, %[[W:[a-z0-9]+]]: tensor<4x8xf32>, %[[B:[a-z0-9]+]]: tensor<8xf32>
// CHECK-NEXT:    %[[G:.*]] = saek.gemm %[[X]], %[[W]] bias %[[B]] {epilogue = #saek<epilogue bias>}
// CHECK-NEXT:    return %[[G]]
func.func @bias(%x: tensor<?x4xf32>, %w: tensor<4x8xf32>, %b: tensor<8xf32>,
                %init: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %p = saek.gemm %x, %w : tensor<?x4xf32>, tensor<4x8xf32> -> tensor<?x8xf32>
  %r = linalg.generic {indexing_maps = [#cols, #rows, #rows],
                       iterator_types = ["parallel", "parallel"]}
      ins(%b, %p : tensor<8xf32>, tensor<?x8xf32>) outs(%init : tensor<?x8xf32>) {
  ^bb0(%bi: f32, %pi: f32, %o: f32):
    %s = arith.addf %bi, %pi : f32
    linalg.yield %s : f32
  } -> tensor<?x8xf32>
  return %r : tensor<?x8xf32>
}

// -----

#rows = affine_map<(i, j) -> (i, j)>
#cols = affine_map<(i, j) -> (j)>

// Bias then ReLU, transposes kept.
// CHECK-LABEL: func.func @bias_relu(
// CHECK:         saek.gemm %{{.*}}, %{{.*}} bias %{{.*}} {epilogue = #saek<epilogue bias_relu>, transpose_b}
// CHECK-NOT:     linalg.generic
func.func @bias_relu(%x: tensor<?x4xf32>, %w: tensor<8x4xf32>, %b: tensor<8xf32>,
                     %init: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %p = saek.gemm %x, %w {transpose_b} : tensor<?x4xf32>, tensor<8x4xf32> -> tensor<?x8xf32>
  %r = linalg.generic {indexing_maps = [#rows, #cols, #rows],
                       iterator_types = ["parallel", "parallel"]}
      ins(%p, %b : tensor<?x8xf32>, tensor<8xf32>) outs(%init : tensor<?x8xf32>) {
  ^bb0(%pi: f32, %bi: f32, %o: f32):
    %zero = arith.constant 0.0 : f32
    %s = arith.addf %pi, %bi : f32
    %m = arith.maximumf %s, %zero : f32
    linalg.yield %m : f32
  } -> tensor<?x8xf32>
  return %r : tensor<?x8xf32>
}

// -----

#rows = affine_map<(i, j) -> (i, j)>
#cols = affine_map<(i, j) -> (j)>
#perrow = affine_map<(i, j) -> (i)>

// Left alone: the product has another reader; a bias per row; a body that
// does more than add.
// CHECK-LABEL: func.func @kept(
// CHECK-COUNT-3: linalg.generic
// CHECK-NOT:     epilogue
func.func @kept(%x: tensor<4x4xf32>, %w: tensor<4x4xf32>, %b: tensor<4xf32>,
                %init: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
  %p = saek.gemm %x, %w : tensor<4x4xf32>, tensor<4x4xf32> -> tensor<4x4xf32>
  %r = linalg.generic {indexing_maps = [#rows, #cols, #rows],
                       iterator_types = ["parallel", "parallel"]}
      ins(%p, %b : tensor<4x4xf32>, tensor<4xf32>) outs(%init : tensor<4x4xf32>) {
  ^bb0(%pi: f32, %bi: f32, %o: f32):
    %s = arith.addf %pi, %bi : f32
    linalg.yield %s : f32
  } -> tensor<4x4xf32>
  %q = saek.gemm %x, %w : tensor<4x4xf32>, tensor<4x4xf32> -> tensor<4x4xf32>
  %t = linalg.generic {indexing_maps = [#rows, #perrow, #rows],
                       iterator_types = ["parallel", "parallel"]}
      ins(%q, %b : tensor<4x4xf32>, tensor<4xf32>) outs(%init : tensor<4x4xf32>) {
  ^bb0(%pi: f32, %bi: f32, %o: f32):
    %s = arith.addf %pi, %bi : f32
    linalg.yield %s : f32
  } -> tensor<4x4xf32>
  %u = saek.gemm %w, %x : tensor<4x4xf32>, tensor<4x4xf32> -> tensor<4x4xf32>
  %v = linalg.generic {indexing_maps = [#rows, #cols, #rows],
                       iterator_types = ["parallel", "parallel"]}
      ins(%u, %b : tensor<4x4xf32>, tensor<4xf32>) outs(%init : tensor<4x4xf32>) {
  ^bb0(%pi: f32, %bi: f32, %o: f32):
    %s = arith.addf %pi, %bi : f32
    %d = arith.mulf %s, %s : f32
    linalg.yield %d : f32
  } -> tensor<4x4xf32>
  return %p, %r, %t, %v : tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
}
