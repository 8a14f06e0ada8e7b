// RUN: prismc %s -emit=cpp -split-input-file -verify-diagnostics

// expected-error @+1 {{entry argument #0 needs sae.input, sae.param, sae.state, sae.accumulator or sae.scalar}}
func.func @f(%x: tensor<?x4xf32>) attributes {sae.entry = "forward"} {
  return
}

// -----

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

// expected-error @+1 {{entry result #0 needs sae.output, sae.grad, sae.param_out, sae.state_out or sae.accumulator}}
func.func @f(%x: tensor<?x4xf32> {sae.input = "x"}) -> tensor<?x4xf32>
    attributes {sae.entry = "forward"} {
  return %x : tensor<?x4xf32>
}

// -----

// expected-error @+1 {{no entry function (func.func with sae.entry) to emit}}
module {
  func.func @f() {
    return
  }
}
