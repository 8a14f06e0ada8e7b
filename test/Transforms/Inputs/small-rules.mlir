// The gradient rules the language cannot reach, for check-gradients.py: a
// whole-tensor normalize, a squeezed slice, a power with a learned
// exponent, reductions over every axis and along axis 0, a size-1 axis that
// broadcasts, and a division by a parameter.
func.func @extra.forward(%x: tensor<?x6xf32> {sae.input = "x"},
                         %w: tensor<10x6xf32> {sae.param = "w"},
                         %e: tensor<6xf32> {sae.param = "e"},
                         %v: tensor<6xf32> {sae.param = "v"},
                         %c: tensor<10x1xf32> {sae.param = "c"})
    -> (tensor<f32> {sae.output = "loss"})
    attributes {sae.entry = "forward", sae.model = "extra"} {
  %one = arith.constant dense<1.0> : tensor<f32>
  %n = sae.normalize %w : tensor<10x6xf32>
  %row = sae.slice %n, starts = [2, 0], limits = [3, 6], squeeze = [0] : tensor<10x6xf32> -> tensor<6xf32>
  %a = sae.abs %v : tensor<6xf32>
  %b = sae.add %a, %one : tensor<6xf32>, tensor<f32> -> tensor<6xf32>
  %p = sae.pow %b, %e : tensor<6xf32>, tensor<6xf32> -> tensor<6xf32>
  %q = sae.mul %row, %p : tensor<6xf32>, tensor<6xf32> -> tensor<6xf32>
  %xs = sae.mul %x, %q : tensor<?x6xf32>, tensor<6xf32> -> tensor<?x6xf32>
  %m = sae.reduce max %xs : tensor<?x6xf32> -> tensor<f32>
  %s = sae.reduce sum %xs : tensor<?x6xf32> -> tensor<f32>
  %wc = sae.mul %w, %c : tensor<10x6xf32>, tensor<10x1xf32> -> tensor<10x6xf32>
  %col = sae.reduce max %wc, axis = 0 : tensor<10x6xf32> -> tensor<6xf32>
  %r = sae.div %col, %b : tensor<6xf32>, tensor<6xf32> -> tensor<6xf32>
  %rs = sae.reduce sum %r : tensor<6xf32> -> tensor<f32>
  %t = sae.sub %x, %r : tensor<?x6xf32>, tensor<6xf32> -> tensor<?x6xf32>
  %u = sae.relu %t : tensor<?x6xf32>
  %un = sae.reduce mean %u : tensor<?x6xf32> -> tensor<f32>
  %l0 = sae.add %m, %s : tensor<f32>, tensor<f32> -> tensor<f32>
  %l1 = sae.add %l0, %rs : tensor<f32>, tensor<f32> -> tensor<f32>
  %loss = sae.add %l1, %un : tensor<f32>, tensor<f32> -> tensor<f32>
  return %loss : tensor<f32>
}
