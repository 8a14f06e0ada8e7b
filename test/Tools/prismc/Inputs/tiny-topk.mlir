// A TopK SAE (d = 4, n = 6, k = 2) at the kernel level, written by hand: its
// model declarations (initialisers, constraint, hyperparameters), its train
// block, a `forward` entry point and a `train_step` entry point with the
// buffers and scalars the runtime's contract names (docs/formats.md,
// "Program entry points").
//
//   pre  = (x - b_dec) @ W_enc + b_enc
//   z    = relu(topk(pre, 2))                  (v, i: its values and columns)
//   xhat = z @ W_dec + b_dec
//   loss = sum((xhat - x)^2) / B,  l0 = nnz(z) / B,  fired = any(z != 0)
//
// then Adam on every parameter, W_dec's gradient projected onto the tangent
// of its unit rows and its rows renormalised after the step.

#bc = affine_map<(b, c) -> (b, c)>
#c = affine_map<(b, c) -> (c)>
#all = affine_map<(b, c) -> ()>
// Reductions over the batch keep the column loop outside: (c, b).
#cb_in = affine_map<(c, b) -> (b, c)>
#cb_out = affine_map<(c, b) -> (c)>

module {
  sae.model @tiny hyper {d = 4 : i64, k = 2 : i64, n = 6 : i64} {
    %x = sae.input "x" : tensor<?x4xf32>
    %b_dec = sae.param "b_dec" median from "x" : tensor<4xf32>
    %W_enc = sae.param "W_enc" kaiming : tensor<4x6xf32>
    %b_enc = sae.param "b_enc" constant(0.000000e+00) : tensor<6xf32>
    %W_dec = sae.param "W_dec" transpose from "W_enc" constraint unit_rows : tensor<6x4xf32>
    %xc = sae.sub %x, %b_dec : tensor<?x4xf32>, tensor<4xf32> -> tensor<?x4xf32>
    %pre = sae.matmul %xc, %W_enc : tensor<?x4xf32>, tensor<4x6xf32> -> tensor<?x6xf32>
    %pre1 = sae.add %pre, %b_enc : tensor<?x6xf32>, tensor<6xf32> -> tensor<?x6xf32>
    %z = sae.topk %pre1, k = 2 : tensor<?x6xf32>
    %z1 = sae.relu %z : tensor<?x6xf32>
    sae.output "z" %z1 : tensor<?x6xf32>
    %d = sae.matmul %z1, %W_dec : tensor<?x6xf32>, tensor<6x4xf32> -> tensor<?x4xf32>
    %xhat = sae.add %d, %b_dec : tensor<?x4xf32>, tensor<4xf32> -> tensor<?x4xf32>
    sae.output "xhat" %xhat : tensor<?x4xf32>
    %loss = sae.mse %xhat, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
    sae.output "loss" %loss : tensor<f32>
  }
  sae.train @tiny config {batch = 8 : i64, betas = [9.000000e-01, 9.990000e-01], eps = 1.000000e-08 : f64, lr = 1.000000e-02 : f64, optimizer = "adam", seed = 3 : i64, steps = 30 : i64, dead_window = 64 : i64}

  func.func @tiny.forward(%x: tensor<?x4xf32> {sae.input = "x"},
                          %b_dec: tensor<4xf32> {sae.param = "b_dec"},
                          %W_enc: tensor<4x6xf32> {sae.param = "W_enc"},
                          %b_enc: tensor<6xf32> {sae.param = "b_enc"},
                          %W_dec: tensor<6x4xf32> {sae.param = "W_dec"})
      -> (tensor<?x6xf32> {sae.output = "z"}, tensor<?x4xf32> {sae.output = "xhat"})
      attributes {sae.model = "tiny", sae.entry = "forward"} {
    %c0 = arith.constant 0 : index
    %B = tensor.dim %x, %c0 : tensor<?x4xf32>
    %e4 = tensor.empty(%B) : tensor<?x4xf32>
    %xc = linalg.generic {indexing_maps = [#bc, #c, #bc], iterator_types = ["parallel", "parallel"]}
        ins(%x, %b_dec : tensor<?x4xf32>, tensor<4xf32>) outs(%e4 : tensor<?x4xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %s = arith.subf %a, %b : f32
      linalg.yield %s : f32
    } -> tensor<?x4xf32>
    %pre = saek.gemm %xc, %W_enc bias %b_enc {epilogue = #saek<epilogue bias>}
        : tensor<?x4xf32>, tensor<4x6xf32>, tensor<6xf32> -> tensor<?x6xf32>
    %v, %i = saek.topk %pre, k = 2 : tensor<?x6xf32> -> tensor<?x2xf32>, tensor<?x2xi32>
    %e2 = tensor.empty(%B) : tensor<?x2xf32>
    %vr = linalg.generic {indexing_maps = [#bc, #bc], iterator_types = ["parallel", "parallel"]}
        ins(%v : tensor<?x2xf32>) outs(%e2 : tensor<?x2xf32>) {
    ^bb0(%a: f32, %o: f32):
      %zero = arith.constant 0.0 : f32
      %r = arith.maximumf %a, %zero : f32
      linalg.yield %r : f32
    } -> tensor<?x2xf32>
    %xhat = saek.gather_decode %vr, %i, %W_dec bias %b_dec
        : tensor<?x2xf32>, tensor<?x2xi32>, tensor<6x4xf32>, tensor<4xf32> -> tensor<?x4xf32>
    %z = saek.scatter_dense %vr, %i, n = 6 : tensor<?x2xf32>, tensor<?x2xi32> -> tensor<?x6xf32>
    return %z, %xhat : tensor<?x6xf32>, tensor<?x4xf32>
  }

  func.func @tiny.train_step(
      %x: tensor<?x4xf32> {sae.input = "x"},
      %b_dec: tensor<4xf32> {sae.param = "b_dec"},
      %W_enc: tensor<4x6xf32> {sae.param = "W_enc"},
      %b_enc: tensor<6xf32> {sae.param = "b_enc"},
      %W_dec: tensor<6x4xf32> {sae.param = "W_dec"},
      %dead: tensor<6xf32> {sae.state = "dead_mask"},
      %m_b_dec: tensor<4xf32> {sae.state = "adam.m.b_dec"},
      %v_b_dec: tensor<4xf32> {sae.state = "adam.v.b_dec"},
      %m_W_enc: tensor<4x6xf32> {sae.state = "adam.m.W_enc"},
      %v_W_enc: tensor<4x6xf32> {sae.state = "adam.v.W_enc"},
      %m_b_enc: tensor<6xf32> {sae.state = "adam.m.b_enc"},
      %v_b_enc: tensor<6xf32> {sae.state = "adam.v.b_enc"},
      %m_W_dec: tensor<6x4xf32> {sae.state = "adam.m.W_dec"},
      %v_W_dec: tensor<6x4xf32> {sae.state = "adam.v.W_dec"},
      %lr: tensor<f32> {sae.scalar = "lr"},
      %bc1: tensor<f32> {sae.scalar = "bias_correction1"},
      %bc2: tensor<f32> {sae.scalar = "bias_correction2"})
      -> (tensor<f32> {sae.output = "loss"},
          tensor<f32> {sae.output = "l0"},
          tensor<6xf32> {sae.output = "fired"},
          tensor<4xf32> {sae.param_out = "b_dec"},
          tensor<4x6xf32> {sae.param_out = "W_enc"},
          tensor<6xf32> {sae.param_out = "b_enc"},
          tensor<6x4xf32> {sae.param_out = "W_dec"},
          tensor<4xf32> {sae.state_out = "adam.m.b_dec"},
          tensor<4xf32> {sae.state_out = "adam.v.b_dec"},
          tensor<4x6xf32> {sae.state_out = "adam.m.W_enc"},
          tensor<4x6xf32> {sae.state_out = "adam.v.W_enc"},
          tensor<6xf32> {sae.state_out = "adam.m.b_enc"},
          tensor<6xf32> {sae.state_out = "adam.v.b_enc"},
          tensor<6x4xf32> {sae.state_out = "adam.m.W_dec"},
          tensor<6x4xf32> {sae.state_out = "adam.v.W_dec"})
      attributes {sae.model = "tiny", sae.entry = "train_step"} {
    %c0 = arith.constant 0 : index
    %zero = arith.constant 0.0 : f32
    %B = tensor.dim %x, %c0 : tensor<?x4xf32>
    %e4 = tensor.empty(%B) : tensor<?x4xf32>
    %e2 = tensor.empty(%B) : tensor<?x2xf32>
    %es = tensor.empty() : tensor<f32>

    // The number of rows, as a float: 1/4 per element of x.
    %rows0 = linalg.fill ins(%zero : f32) outs(%es : tensor<f32>) -> tensor<f32>
    %rows = linalg.generic {indexing_maps = [#bc, #all], iterator_types = ["reduction", "reduction"]}
        ins(%x : tensor<?x4xf32>) outs(%rows0 : tensor<f32>) {
    ^bb0(%a: f32, %acc: f32):
      %q = arith.constant 0.25 : f32
      %r = arith.addf %acc, %q : f32
      linalg.yield %r : f32
    } -> tensor<f32>

    // Forward.
    %xc = linalg.generic {indexing_maps = [#bc, #c, #bc], iterator_types = ["parallel", "parallel"]}
        ins(%x, %b_dec : tensor<?x4xf32>, tensor<4xf32>) outs(%e4 : tensor<?x4xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %s = arith.subf %a, %b : f32
      linalg.yield %s : f32
    } -> tensor<?x4xf32>
    %pre = saek.gemm %xc, %W_enc bias %b_enc {epilogue = #saek<epilogue bias>}
        : tensor<?x4xf32>, tensor<4x6xf32>, tensor<6xf32> -> tensor<?x6xf32>
    %v, %i = saek.topk %pre, k = 2 : tensor<?x6xf32> -> tensor<?x2xf32>, tensor<?x2xi32>
    %vr = linalg.generic {indexing_maps = [#bc, #bc], iterator_types = ["parallel", "parallel"]}
        ins(%v : tensor<?x2xf32>) outs(%e2 : tensor<?x2xf32>) {
    ^bb0(%a: f32, %o: f32):
      %z0 = arith.constant 0.0 : f32
      %r = arith.maximumf %a, %z0 : f32
      linalg.yield %r : f32
    } -> tensor<?x2xf32>
    %xhat = saek.gather_decode %vr, %i, %W_dec bias %b_dec
        : tensor<?x2xf32>, tensor<?x2xi32>, tensor<6x4xf32>, tensor<4xf32> -> tensor<?x4xf32>

    // loss = sum((xhat - x)^2) / B; its gradient g = 2 (xhat - x) / B.
    %loss0 = linalg.fill ins(%zero : f32) outs(%es : tensor<f32>) -> tensor<f32>
    %loss = linalg.generic {indexing_maps = [#bc, #bc, #all, #all], iterator_types = ["reduction", "reduction"]}
        ins(%xhat, %x, %rows : tensor<?x4xf32>, tensor<?x4xf32>, tensor<f32>) outs(%loss0 : tensor<f32>) {
    ^bb0(%a: f32, %b: f32, %n: f32, %acc: f32):
      %d = arith.subf %a, %b : f32
      %sq = arith.mulf %d, %d : f32
      %t = arith.divf %sq, %n : f32
      %r = arith.addf %acc, %t : f32
      linalg.yield %r : f32
    } -> tensor<f32>
    %g = linalg.generic {indexing_maps = [#bc, #bc, #all, #bc], iterator_types = ["parallel", "parallel"]}
        ins(%xhat, %x, %rows : tensor<?x4xf32>, tensor<?x4xf32>, tensor<f32>) outs(%e4 : tensor<?x4xf32>) {
    ^bb0(%a: f32, %b: f32, %n: f32, %o: f32):
      %two = arith.constant 2.0 : f32
      %d = arith.subf %a, %b : f32
      %t = arith.mulf %two, %d : f32
      %r = arith.divf %t, %n : f32
      linalg.yield %r : f32
    } -> tensor<?x4xf32>

    // l0 = nnz(z) / B; fired = any(z != 0) per latent.
    %l00 = linalg.fill ins(%zero : f32) outs(%es : tensor<f32>) -> tensor<f32>
    %l0 = linalg.generic {indexing_maps = [#bc, #all, #all], iterator_types = ["reduction", "reduction"]}
        ins(%vr, %rows : tensor<?x2xf32>, tensor<f32>) outs(%l00 : tensor<f32>) {
    ^bb0(%a: f32, %n: f32, %acc: f32):
      %z0 = arith.constant 0.0 : f32
      %one = arith.constant 1.0 : f32
      %nz = arith.cmpf one, %a, %z0 : f32
      %c = arith.select %nz, %one, %z0 : f32
      %t = arith.divf %c, %n : f32
      %r = arith.addf %acc, %t : f32
      linalg.yield %r : f32
    } -> tensor<f32>
    %z = saek.scatter_dense %vr, %i, n = 6 : tensor<?x2xf32>, tensor<?x2xi32> -> tensor<?x6xf32>
    %e6 = tensor.empty() : tensor<6xf32>
    %fired0 = linalg.fill ins(%zero : f32) outs(%e6 : tensor<6xf32>) -> tensor<6xf32>
    %fired = linalg.generic {indexing_maps = [#cb_in, #cb_out], iterator_types = ["parallel", "reduction"]}
        ins(%z : tensor<?x6xf32>) outs(%fired0 : tensor<6xf32>) {
    ^bb0(%a: f32, %acc: f32):
      %z0 = arith.constant 0.0 : f32
      %one = arith.constant 1.0 : f32
      %nz = arith.cmpf one, %a, %z0 : f32
      %c = arith.select %nz, %one, %z0 : f32
      %r = arith.maximumf %acc, %c : f32
      linalg.yield %r : f32
    } -> tensor<6xf32>

    // Backward.
    %gW_dec = saek.scatter_rows %vr, %i, %g, n = 6
        : tensor<?x2xf32>, tensor<?x2xi32>, tensor<?x4xf32> -> tensor<6x4xf32>
    %gvr = saek.gather_dot %g, %i, %W_dec
        : tensor<?x4xf32>, tensor<?x2xi32>, tensor<6x4xf32> -> tensor<?x2xf32>
    %gv = linalg.generic {indexing_maps = [#bc, #bc, #bc], iterator_types = ["parallel", "parallel"]}
        ins(%gvr, %v : tensor<?x2xf32>, tensor<?x2xf32>) outs(%e2 : tensor<?x2xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %z0 = arith.constant 0.0 : f32
      %pos = arith.cmpf ogt, %b, %z0 : f32
      %r = arith.select %pos, %a, %z0 : f32
      linalg.yield %r : f32
    } -> tensor<?x2xf32>
    %gpre = saek.scatter_dense %gv, %i, n = 6 : tensor<?x2xf32>, tensor<?x2xi32> -> tensor<?x6xf32>
    %gW_enc = saek.gemm %xc, %gpre {transpose_a}
        : tensor<?x4xf32>, tensor<?x6xf32> -> tensor<4x6xf32>
    %gxc = saek.gemm %gpre, %W_enc {transpose_b}
        : tensor<?x6xf32>, tensor<4x6xf32> -> tensor<?x4xf32>
    %gb_enc0 = linalg.fill ins(%zero : f32) outs(%e6 : tensor<6xf32>) -> tensor<6xf32>
    %gb_enc = linalg.generic {indexing_maps = [#cb_in, #cb_out], iterator_types = ["parallel", "reduction"]}
        ins(%gpre : tensor<?x6xf32>) outs(%gb_enc0 : tensor<6xf32>) {
    ^bb0(%a: f32, %acc: f32):
      %r = arith.addf %acc, %a : f32
      linalg.yield %r : f32
    } -> tensor<6xf32>
    %e4v = tensor.empty() : tensor<4xf32>
    %gb_dec0 = linalg.fill ins(%zero : f32) outs(%e4v : tensor<4xf32>) -> tensor<4xf32>
    %gb_dec = linalg.generic {indexing_maps = [#cb_in, #cb_in, #cb_out], iterator_types = ["parallel", "reduction"]}
        ins(%g, %gxc : tensor<?x4xf32>, tensor<?x4xf32>) outs(%gb_dec0 : tensor<4xf32>) {
    ^bb0(%a: f32, %b: f32, %acc: f32):
      %d = arith.subf %a, %b : f32
      %r = arith.addf %acc, %d : f32
      linalg.yield %r : f32
    } -> tensor<4xf32>

    // The optimizer step.
    %gW_dec1 = saek.project_tangent %gW_dec, %W_dec, axis = 1 : tensor<6x4xf32>
    %p0, %m0, %v0 = saek.adam %b_dec, %gb_dec, %m_b_dec, %v_b_dec, %lr, %bc1, %bc2
        {beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64, weight_decay = 0.0 : f64}
        : tensor<4xf32>, tensor<f32>
    %p1, %m1, %v1 = saek.adam %W_enc, %gW_enc, %m_W_enc, %v_W_enc, %lr, %bc1, %bc2
        {beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64, weight_decay = 0.0 : f64}
        : tensor<4x6xf32>, tensor<f32>
    %p2, %m2, %v2 = saek.adam %b_enc, %gb_enc, %m_b_enc, %v_b_enc, %lr, %bc1, %bc2
        {beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64, weight_decay = 0.0 : f64}
        : tensor<6xf32>, tensor<f32>
    %p3, %m3, %v3 = saek.adam %W_dec, %gW_dec1, %m_W_dec, %v_W_dec, %lr, %bc1, %bc2
        {beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64, weight_decay = 0.0 : f64}
        : tensor<6x4xf32>, tensor<f32>
    %p3n = saek.unit_norm %p3, axis = 1 : tensor<6x4xf32>
    return %loss, %l0, %fired, %p0, %p1, %p2, %p3n, %m0, %v0, %m1, %v1, %m2, %v2, %m3, %v3
        : tensor<f32>, tensor<f32>, tensor<6xf32>, tensor<4xf32>, tensor<4x6xf32>, tensor<6xf32>,
          tensor<6x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4x6xf32>, tensor<4x6xf32>,
          tensor<6xf32>, tensor<6xf32>, tensor<6x4xf32>, tensor<6x4xf32>
  }
}
