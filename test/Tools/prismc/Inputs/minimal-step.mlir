// The smallest program `prism train` accepts: a train_step that takes the
// three scalars and writes loss, l0 and fired, and leaves its parameter as it
// is. It reads no dead_mask (no aux-K), so prismc adds that buffer for the
// runtime to write; the parameter `unused` is in no entry point but is still
// declared, so that checkpoints hold it.

module {
  sae.model @minimal hyper {n = 6 : i64, scale = 2.5 : f64} {
    %x = sae.input "x" : tensor<?x4xf32>
    %W = sae.param "W" normal(2.000000e-02) seed 7 : tensor<4x6xf32>
    %u = sae.param "unused" copy from "W" constraint unit_cols : tensor<4x6xf32>
    %loss = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
    sae.output "loss" %loss : tensor<f32>
  }

  func.func @minimal.train_step(%x: tensor<?x4xf32> {sae.input = "x"},
                                %W: tensor<4x6xf32> {sae.param = "W"},
                                %lr: tensor<f32> {sae.scalar = "lr"},
                                %bc1: tensor<f32> {sae.scalar = "bias_correction1"},
                                %bc2: tensor<f32> {sae.scalar = "bias_correction2"})
      -> (tensor<f32> {sae.output = "loss"}, tensor<f32> {sae.output = "l0"},
          tensor<6xf32> {sae.output = "fired"}, tensor<4x6xf32> {sae.param_out = "W"})
      attributes {sae.model = "minimal", sae.entry = "train_step"} {
    %zero = arith.constant 0.0 : f32
    %es = tensor.empty() : tensor<f32>
    %loss = linalg.fill ins(%zero : f32) outs(%es : tensor<f32>) -> tensor<f32>
    %es2 = tensor.empty() : tensor<f32>
    %l0 = linalg.fill ins(%zero : f32) outs(%es2 : tensor<f32>) -> tensor<f32>
    %e6 = tensor.empty() : tensor<6xf32>
    %fired = linalg.fill ins(%zero : f32) outs(%e6 : tensor<6xf32>) -> tensor<6xf32>
    return %loss, %l0, %fired, %W : tensor<f32>, tensor<f32>, tensor<6xf32>, tensor<4x6xf32>
  }
}
