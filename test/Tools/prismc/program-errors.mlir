// RUN: prismc %s -emit=program -o %t.prism -split-input-file -verify-diagnostics

// What `prism train` needs of train_step (docs/formats.md, "Program entry
// points") is checked before anything is built.

// expected-error @+1 {{entry point 'train_step': no argument with sae.scalar = "bias_correction2"; the runtime passes lr, bias_correction1 and bias_correction2 and the step must take all three}}
func.func @step(%x: tensor<?x4xf32> {sae.input = "x"},
                %lr: tensor<f32> {sae.scalar = "lr"},
                %bc1: tensor<f32> {sae.scalar = "bias_correction1"})
    -> (tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "train_step"} {
  return %lr : tensor<f32>
}

// -----

// expected-error @+1 {{entry point 'train_step': the scalar 'momentum' is not one the runtime provides (lr, bias_correction1, bias_correction2)}}
func.func @step(%x: tensor<?x4xf32> {sae.input = "x"},
                %lr: tensor<f32> {sae.scalar = "lr"},
                %bc1: tensor<f32> {sae.scalar = "bias_correction1"},
                %bc2: tensor<f32> {sae.scalar = "bias_correction2"},
                %mu: tensor<f32> {sae.scalar = "momentum"})
    -> (tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "train_step"} {
  return %lr : tensor<f32>
}

// -----

// expected-error @+1 {{entry point 'train_step': the program has no buffer 'x'; training needs Input x [-1, d] (docs/formats.md, "Program entry points")}}
func.func @step(%rows: tensor<?x4xf32> {sae.input = "rows"},
                %lr: tensor<f32> {sae.scalar = "lr"},
                %bc1: tensor<f32> {sae.scalar = "bias_correction1"},
                %bc2: tensor<f32> {sae.scalar = "bias_correction2"})
    -> (tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "train_step"} {
  return %lr : tensor<f32>
}

// -----

// expected-error @+1 {{entry point 'train_step': buffer 'x' has shape [8, 4]; training needs Input x [-1, d]}}
func.func @step(%x: tensor<8x4xf32> {sae.input = "x"},
                %lr: tensor<f32> {sae.scalar = "lr"},
                %bc1: tensor<f32> {sae.scalar = "bias_correction1"},
                %bc2: tensor<f32> {sae.scalar = "bias_correction2"})
    -> (tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "train_step"} {
  return %lr : tensor<f32>
}

// -----

// expected-error @+1 {{entry point 'train_step': the program has no buffer 'fired'; training needs Output fired [n]}}
func.func @step(%x: tensor<?x4xf32> {sae.input = "x"},
                %lr: tensor<f32> {sae.scalar = "lr"},
                %bc1: tensor<f32> {sae.scalar = "bias_correction1"},
                %bc2: tensor<f32> {sae.scalar = "bias_correction2"})
    -> (tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "train_step"} {
  return %lr : tensor<f32>
}

// -----

// expected-error @+1 {{entry point 'train_step': buffer 'fired' is a ModelState buffer; training needs Output fired [n]}}
func.func @step(%x: tensor<?x4xf32> {sae.input = "x"},
                %fired: tensor<6xf32> {sae.state = "fired"},
                %lr: tensor<f32> {sae.scalar = "lr"},
                %bc1: tensor<f32> {sae.scalar = "bias_correction1"},
                %bc2: tensor<f32> {sae.scalar = "bias_correction2"})
    -> (tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "train_step"} {
  return %lr : tensor<f32>
}

// -----

// expected-error @+1 {{entry point 'train_step': buffer 'fired' has shape [6], but 'dead_mask' has [5]; both have one entry per latent}}
func.func @step(%x: tensor<?x4xf32> {sae.input = "x"},
                %dead: tensor<5xf32> {sae.state = "dead_mask"},
                %lr: tensor<f32> {sae.scalar = "lr"},
                %bc1: tensor<f32> {sae.scalar = "bias_correction1"},
                %bc2: tensor<f32> {sae.scalar = "bias_correction2"})
    -> (tensor<f32> {sae.output = "loss"}, tensor<6xf32> {sae.output = "fired"})
    attributes {sae.entry = "train_step"} {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<6xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<6xf32>) -> tensor<6xf32>
  return %lr, %f : tensor<f32>, tensor<6xf32>
}

// -----

// expected-error @+1 {{entry point 'train_step': buffer 'l0' has shape [-1]; training needs Output l0 []}}
func.func @step(%x: tensor<?x4xf32> {sae.input = "x"},
                %dead: tensor<6xf32> {sae.state = "dead_mask"},
                %lr: tensor<f32> {sae.scalar = "lr"},
                %bc1: tensor<f32> {sae.scalar = "bias_correction1"},
                %bc2: tensor<f32> {sae.scalar = "bias_correction2"})
    -> (tensor<f32> {sae.output = "loss"}, tensor<?xf32> {sae.output = "l0"},
        tensor<6xf32> {sae.output = "fired"})
    attributes {sae.entry = "train_step"} {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %B = tensor.dim %x, %c0 : tensor<?x4xf32>
  %e = tensor.empty(%B) : tensor<?xf32>
  %l0 = linalg.fill ins(%zero : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  return %lr, %l0, %dead : tensor<f32>, tensor<?xf32>, tensor<6xf32>
}

// -----

// Parameters take their initialisers from the model's sae.param.

// expected-error @+1 {{parameter 'W' has no sae.param (the module has no sae.model) to say how it is initialised}}
func.func @forward(%x: tensor<?x4xf32> {sae.input = "x"}, %W: tensor<4x6xf32> {sae.param = "W"})
    -> (tensor<?x6xf32> {sae.output = "pre"}) attributes {sae.entry = "forward"} {
  %pre = saek.gemm %x, %W : tensor<?x4xf32>, tensor<4x6xf32> -> tensor<?x6xf32>
  return %pre : tensor<?x6xf32>
}

// -----

sae.model @m {
  %x = sae.input "x" : tensor<?x4xf32>
  %loss = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  sae.output "loss" %loss : tensor<f32>
}
// expected-error @+1 {{parameter 'W' has no sae.param in model @m to say how it is initialised}}
func.func @forward(%x: tensor<?x4xf32> {sae.input = "x"}, %W: tensor<4x6xf32> {sae.param = "W"})
    -> (tensor<?x6xf32> {sae.output = "pre"}) attributes {sae.model = "m", sae.entry = "forward"} {
  %pre = saek.gemm %x, %W : tensor<?x4xf32>, tensor<4x6xf32> -> tensor<?x6xf32>
  return %pre : tensor<?x6xf32>
}

// -----

sae.model @m {
  %x = sae.input "x" : tensor<?x4xf32>
  // expected-error @+1 {{parameter 'W' is declared [6, 4], but the entry functions use it as [4, 6]}}
  %W = sae.param "W" kaiming : tensor<6x4xf32>
  %loss = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  sae.output "loss" %loss : tensor<f32>
}
func.func @forward(%x: tensor<?x4xf32> {sae.input = "x"}, %W: tensor<4x6xf32> {sae.param = "W"})
    -> (tensor<?x6xf32> {sae.output = "pre"}) attributes {sae.model = "m", sae.entry = "forward"} {
  %pre = saek.gemm %x, %W : tensor<?x4xf32>, tensor<4x6xf32> -> tensor<?x6xf32>
  return %pre : tensor<?x6xf32>
}

// -----

// The entry functions' x is not the model's: a median of its rows is not a [4].
sae.model @m {
  %x = sae.input "x" : tensor<?x4xf32>
  // expected-error @+1 {{the initialiser of 'b' [4] is a statistic of the rows of input 'x' [-1, 8], which are not of its size}}
  %b = sae.param "b" median from "x" : tensor<4xf32>
  %loss = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  sae.output "loss" %loss : tensor<f32>
}
func.func @forward(%x: tensor<?x8xf32> {sae.input = "x"}, %b: tensor<4xf32> {sae.param = "b"})
    -> (tensor<4xf32> {sae.output = "c"}) attributes {sae.model = "m", sae.entry = "forward"} {
  return %b : tensor<4xf32>
}

// -----

sae.model @m {
  %x = sae.input "x" : tensor<?x4xf32>
  // expected-error @+1 {{the initialiser of 'b' reads the input 'x', which is not an input of the program's entry points}}
  %b = sae.param "b" mean from "x" : tensor<4xf32>
  %loss = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  sae.output "loss" %loss : tensor<f32>
}
func.func @forward(%rows: tensor<?x4xf32> {sae.input = "rows"}, %b: tensor<4xf32> {sae.param = "b"})
    -> (tensor<4xf32> {sae.output = "c"}) attributes {sae.model = "m", sae.entry = "forward"} {
  return %b : tensor<4xf32>
}

// -----

sae.model @m {
  %x = sae.input "x" : tensor<?x4xf32>
  %loss = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  sae.output "loss" %loss : tensor<f32>
}
// expected-error @+1 {{entry function of model @other, but the module has no sae.model @other to take the parameters' initialisers from}}
func.func @forward(%x: tensor<?x4xf32> {sae.input = "x"})
    -> (tensor<?x4xf32> {sae.output = "y"}) attributes {sae.model = "other", sae.entry = "forward"} {
  return %x : tensor<?x4xf32>
}

// -----

// expected-note @+1 {{the other entry function}}
func.func @a(%x: tensor<?x4xf32> {sae.input = "x"})
    -> (tensor<?x4xf32> {sae.output = "y"}) attributes {sae.model = "m1", sae.entry = "forward"} {
  return %x : tensor<?x4xf32>
}
// expected-error @+1 {{entry function of model @m2, but @a is of model @m1; a program holds one model}}
func.func @b(%x: tensor<?x4xf32> {sae.input = "x"})
    -> (tensor<?x4xf32> {sae.output = "z"}) attributes {sae.model = "m2", sae.entry = "encode"} {
  return %x : tensor<?x4xf32>
}

// -----

// The runtime computes Adam's bias corrections from the train block's betas;
// the kernels must decay the moments with the same ones.

sae.model @m {
  %x = sae.input "x" : tensor<?x4xf32>
  %W = sae.param "W" kaiming : tensor<4x6xf32>
  %loss = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  sae.output "loss" %loss : tensor<f32>
}
sae.train @m config {betas = [9.000000e-01, 9.900000e-01]}
func.func @step(%x: tensor<?x4xf32> {sae.input = "x"},
                %W: tensor<4x6xf32> {sae.param = "W"},
                %m: tensor<4x6xf32> {sae.state = "adam.m.W"},
                %v: tensor<4x6xf32> {sae.state = "adam.v.W"},
                %lr: tensor<f32> {sae.scalar = "lr"},
                %bc1: tensor<f32> {sae.scalar = "bias_correction1"},
                %bc2: tensor<f32> {sae.scalar = "bias_correction2"})
    -> (tensor<f32> {sae.output = "loss"}, tensor<f32> {sae.output = "l0"},
        tensor<6xf32> {sae.output = "fired"}, tensor<4x6xf32> {sae.param_out = "W"})
    attributes {sae.model = "m", sae.entry = "train_step"} {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<6xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<6xf32>) -> tensor<6xf32>
  // expected-error @+1 {{saek.adam decays its moments with betas (0.9, 0.999), but the train configuration says (0.9, 0.99), from which the runtime computes the bias corrections}}
  %p, %m2, %v2 = saek.adam %W, %W, %m, %v, %lr, %bc1, %bc2
      {beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64, weight_decay = 0.0 : f64}
      : tensor<4x6xf32>, tensor<f32>
  return %lr, %lr, %f, %p : tensor<f32>, tensor<f32>, tensor<6xf32>, tensor<4x6xf32>
}
