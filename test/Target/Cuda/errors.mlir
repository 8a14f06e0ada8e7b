// RUN: prismc %s -emit=cuda -split-input-file -verify-diagnostics

func.func @f(%x: tensor<2x4xf32> {sae.input = "x"}) -> (tensor<2x4xf32> {sae.output = "y"})
    attributes {sae.entry = "forward"} {
  %e = tensor.empty() : tensor<2x4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(b, c) -> (b, c)>, affine_map<(b, c) -> (b, c)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    // expected-error @+1 {{'math.sin' op has no C translation in a fused kernel}}
    %s = math.sin %a : f32
    linalg.yield %s : f32
  } -> tensor<2x4xf32>
  return %r : tensor<2x4xf32>
}

// -----

func.func @f(%x: tensor<4x4xf32> {sae.input = "x"}) -> (tensor<2x2xf32> {sae.output = "y"})
    attributes {sae.entry = "forward"} {
  // expected-error @+1 {{'tensor.extract_slice' op the CUDA emitter takes slices with static offsets and unit strides only}}
  %s = tensor.extract_slice %x[0, 0] [2, 2] [2, 2] : tensor<4x4xf32> to tensor<2x2xf32>
  return %s : tensor<2x2xf32>
}

// -----

// expected-error @+1 {{no entry function (func.func with sae.entry) to emit}}
module {
  func.func @f() {
    return
  }
}
