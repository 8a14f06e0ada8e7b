// RUN: prism-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// sae.param
//===----------------------------------------------------------------------===//

// expected-error @below {{'sae.param' op name must not be empty}}
%0 = sae.param "" zeros : tensor<4xf32>

// -----

// expected-error @below {{'sae.param' op result must have a static shape, got [?, 4]}}
%0 = sae.param "W" kaiming : tensor<?x4xf32>

// -----

// expected-error @below {{'sae.param' op result element type must be f16, bf16, f32 or f64, got 'i32'}}
%0 = sae.param "W" zeros : tensor<4xi32>

// -----

// expected-error @below {{'sae.param' op result #0 must be ranked tensor of any type values, but got 'tensor<*xf32>'}}
%0 = "sae.param"() <{init = #sae<init zeros>, name = "W"}> : () -> tensor<*xf32>

// -----

// expected-error @below {{'sae.param' op the constant initialiser requires a value}}
%0 = sae.param "b" constant : tensor<4xf32>

// -----

// expected-error @below {{'sae.param' op the kaiming initialiser takes no value; only constant and normal do}}
%0 = sae.param "W" kaiming(0.5) : tensor<4x4xf32>

// -----

// expected-error @below {{'sae.param' op the standard deviation of the normal initialiser must be positive, got -1.000000e+00}}
%0 = sae.param "W" normal(-1.0) : tensor<4x4xf32>

// -----

// expected-error @below {{'sae.param' op the standard deviation of the normal initialiser must be positive, got 0.000000e+00}}
%0 = sae.param "W" normal(0.0) : tensor<4x4xf32>

// -----

// expected-error @below {{custom op 'sae.param' expected one of [zeros, constant, kaiming, xavier, normal, mean, median, transpose, copy] for parameter initialiser, got: uniform}}
// expected-error @below {{failed to parse Sae_InitKindAttr parameter 'value'}}
%0 = sae.param "W" uniform : tensor<4xf32>

// -----

// expected-error @below {{'sae.param' op requires attribute 'name'}}
%0 = "sae.param"() <{init = #sae<init zeros>}> : () -> tensor<4xf32>

// -----

// expected-error @below {{'sae.param' op attribute 'value' failed to satisfy constraint: 64-bit float attribute}}
%0 = "sae.param"() <{init = #sae<init constant>, name = "b", value = 1.0 : f32}> : () -> tensor<4xf32>

// -----

//===----------------------------------------------------------------------===//
// sae.matmul
//===----------------------------------------------------------------------===//

func.func @matmul_lhs_rank(%a: tensor<?x4x512xf32>, %b: tensor<512x8xf32>) {
  // expected-error @below {{'sae.matmul' op lhs must have rank 2, got [?, 4, 512]}}
  %0 = sae.matmul %a, %b : tensor<?x4x512xf32>, tensor<512x8xf32> -> tensor<?x8xf32>
  return
}

// -----

func.func @matmul_rhs_rank(%a: tensor<?x512xf32>, %b: tensor<512xf32>) {
  // expected-error @below {{'sae.matmul' op rhs must have rank 2, got [512]}}
  %0 = sae.matmul %a, %b : tensor<?x512xf32>, tensor<512xf32> -> tensor<?xf32>
  return
}

// -----

func.func @matmul_inner(%a: tensor<?x512xf32>, %b: tensor<768x4096xf32>) {
  // expected-error @below {{'sae.matmul' op [?, 512] @ [768, 4096]: inner dimensions 512 and 768 differ}}
  %0 = sae.matmul %a, %b : tensor<?x512xf32>, tensor<768x4096xf32> -> tensor<?x4096xf32>
  return
}

// -----

func.func @matmul_rhs_type(%a: tensor<?x512xf32>, %b: tensor<512x8xf16>) {
  // expected-error @below {{'sae.matmul' op rhs element type 'f16' does not match lhs element type 'f32'}}
  %0 = sae.matmul %a, %b : tensor<?x512xf32>, tensor<512x8xf16> -> tensor<?x8xf32>
  return
}

// -----

func.func @matmul_result_type(%a: tensor<?x512xf32>, %b: tensor<512x8xf32>) {
  // expected-error @below {{'sae.matmul' op result element type 'bf16' does not match lhs element type 'f32'}}
  %0 = sae.matmul %a, %b : tensor<?x512xf32>, tensor<512x8xf32> -> tensor<?x8xbf16>
  return
}

// -----

func.func @matmul_result_shape(%a: tensor<?x512xf32>, %b: tensor<512x4096xf32>) {
  // expected-error @below {{'sae.matmul' op result shape must be [?, 4096] (from [?, 512] @ [512, 4096]), got [?, 1024]}}
  %0 = sae.matmul %a, %b : tensor<?x512xf32>, tensor<512x4096xf32> -> tensor<?x1024xf32>
  return
}

// -----

func.func @matmul_integer(%a: tensor<4x4xi32>, %b: tensor<4x4xf32>) {
  // expected-error @below {{'sae.matmul' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4x4xi32>'}}
  %0 = sae.matmul %a, %b : tensor<4x4xi32>, tensor<4x4xf32> -> tensor<4x4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// sae.add, sae.sub, sae.mul
//===----------------------------------------------------------------------===//

func.func @add_broadcast(%a: tensor<?x512xf32>, %b: tensor<768xf32>) {
  // expected-error @below {{'sae.add' op operand shapes [?, 512] and [768] do not broadcast: dimensions 512 and 768 differ}}
  %0 = sae.add %a, %b : tensor<?x512xf32>, tensor<768xf32> -> tensor<?x512xf32>
  return
}

// -----

func.func @sub_result_shape(%a: tensor<?x512xf32>, %b: tensor<512xf32>) {
  // expected-error @below {{'sae.sub' op result shape must be [?, 512] (the broadcast of [?, 512] and [512]), got [512]}}
  %0 = sae.sub %a, %b : tensor<?x512xf32>, tensor<512xf32> -> tensor<512xf32>
  return
}

// -----

func.func @mul_rhs_type(%a: tensor<?x512xf32>, %b: tensor<512xf64>) {
  // expected-error @below {{'sae.mul' op rhs element type 'f64' does not match lhs element type 'f32'}}
  %0 = sae.mul %a, %b : tensor<?x512xf32>, tensor<512xf64> -> tensor<?x512xf32>
  return
}

// -----

func.func @add_result_type(%a: tensor<?x512xf32>, %b: tensor<512xf32>) {
  // expected-error @below {{'sae.add' op result element type 'f16' does not match lhs element type 'f32'}}
  %0 = sae.add %a, %b : tensor<?x512xf32>, tensor<512xf32> -> tensor<?x512xf16>
  return
}

// -----

func.func @sub_result_integer(%a: tensor<4xf32>, %b: tensor<4xf32>) {
  // expected-error @below {{'sae.sub' op result #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi1>'}}
  %0 = sae.sub %a, %b : tensor<4xf32>, tensor<4xf32> -> tensor<4xi1>
  return
}

// -----

//===----------------------------------------------------------------------===//
// sae.relu
//===----------------------------------------------------------------------===//

func.func @relu_type(%a: tensor<?x8xf32>) {
  // expected-error @below {{'sae.relu' op requires the same type for all operands and results}}
  %0 = "sae.relu"(%a) : (tensor<?x8xf32>) -> tensor<?x8xf16>
  return
}

// -----

//===----------------------------------------------------------------------===//
// sae.topk
//===----------------------------------------------------------------------===//

func.func @topk_rank(%a: tensor<4096xf32>) {
  // expected-error @below {{'sae.topk' op input must have rank 2, got [4096]}}
  %0 = sae.topk %a, k = 32 : tensor<4096xf32>
  return
}

// -----

func.func @topk_zero(%a: tensor<?x4096xf32>) {
  // expected-error @below {{'sae.topk' op k must be positive, got 0}}
  %0 = sae.topk %a, k = 0 : tensor<?x4096xf32>
  return
}

// -----

func.func @topk_negative(%a: tensor<?x4096xf32>) {
  // expected-error @below {{'sae.topk' op k must be positive, got -3}}
  %0 = sae.topk %a, k = -3 : tensor<?x4096xf32>
  return
}

// -----

func.func @topk_too_large(%a: tensor<?x4096xf32>) {
  // expected-error @below {{'sae.topk' op k must be at most 4096 (the last dimension of [?, 4096]), got 5000}}
  %0 = sae.topk %a, k = 5000 : tensor<?x4096xf32>
  return
}

// -----

func.func @topk_type(%a: tensor<?x8xf32>) {
  // expected-error @below {{'sae.topk' op inferred type(s) 'tensor<?x8xf32>' are incompatible with return type(s) of operation 'tensor<8x8xf32>'}}
  // expected-error @below {{'sae.topk' op failed to infer returned types}}
  %0 = "sae.topk"(%a) <{k = 2 : i64}> : (tensor<?x8xf32>) -> tensor<8x8xf32>
  return
}

// -----

func.func @topk_missing_k(%a: tensor<?x8xf32>) {
  // expected-error @below {{'sae.topk' op requires attribute 'k'}}
  %0 = "sae.topk"(%a) : (tensor<?x8xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @topk_k_type(%a: tensor<?x8xf32>) {
  // expected-error @below {{'sae.topk' op attribute 'k' failed to satisfy constraint: 64-bit signless integer attribute}}
  %0 = "sae.topk"(%a) <{k = 2 : i32}> : (tensor<?x8xf32>) -> tensor<?x8xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// sae.reduce
//===----------------------------------------------------------------------===//

func.func @reduce_axis(%a: tensor<?x4096xf32>) {
  // expected-error @below {{'sae.reduce' op axis 2 is out of range for input [?, 4096] of rank 2}}
  %0 = sae.reduce sum %a, axis = 2 : tensor<?x4096xf32> -> tensor<?xf32>
  return
}

// -----

func.func @reduce_negative_axis(%a: tensor<?x4096xf32>) {
  // expected-error @below {{'sae.reduce' op axis -1 is out of range for input [?, 4096] of rank 2}}
  %0 = sae.reduce max %a, axis = -1 : tensor<?x4096xf32> -> tensor<?xf32>
  return
}

// -----

func.func @reduce_scalar(%a: tensor<f32>) {
  // expected-error @below {{'sae.reduce' op axis 0 is out of range for input [] of rank 0}}
  %0 = sae.reduce mean %a, axis = 0 : tensor<f32> -> tensor<f32>
  return
}

// -----

func.func @reduce_result_type(%a: tensor<?x4096xf32>) {
  // expected-error @below {{'sae.reduce' op result element type 'f64' does not match input element type 'f32'}}
  %0 = sae.reduce count %a, axis = 1 : tensor<?x4096xf32> -> tensor<?xf64>
  return
}

// -----

func.func @reduce_result_shape(%a: tensor<?x4096xf32>) {
  // expected-error @below {{'sae.reduce' op result shape must be [?] ([?, 4096] without axis 1), got [4096]}}
  %0 = sae.reduce mean %a, axis = 1 : tensor<?x4096xf32> -> tensor<4096xf32>
  return
}

// -----

func.func @reduce_kind(%a: tensor<?x4096xf32>) {
  // expected-error @below {{custom op 'sae.reduce' expected one of [sum, mean, max, count, norm, min_positive] for reduction, got: min}}
  // expected-error @below {{failed to parse Sae_ReduceKindAttr parameter 'value'}}
  %0 = sae.reduce min %a, axis = 1 : tensor<?x4096xf32> -> tensor<?xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// sae.mse
//===----------------------------------------------------------------------===//

func.func @mse_shapes(%a: tensor<?x512xf32>, %b: tensor<?x768xf32>) {
  // expected-error @below {{'sae.mse' op operand shapes [?, 512] and [?, 768] must match}}
  %0 = sae.mse %a, %b : tensor<?x512xf32>, tensor<?x768xf32> -> tensor<f32>
  return
}

// -----

func.func @mse_ranks(%a: tensor<?x512xf32>, %b: tensor<512xf32>) {
  // expected-error @below {{'sae.mse' op operand shapes [?, 512] and [512] must match}}
  %0 = sae.mse %a, %b : tensor<?x512xf32>, tensor<512xf32> -> tensor<f32>
  return
}

// -----

func.func @mse_rhs_type(%a: tensor<?x512xf32>, %b: tensor<?x512xbf16>) {
  // expected-error @below {{'sae.mse' op rhs element type 'bf16' does not match lhs element type 'f32'}}
  %0 = sae.mse %a, %b : tensor<?x512xf32>, tensor<?x512xbf16> -> tensor<f32>
  return
}

// -----

func.func @mse_result_type(%a: tensor<?x512xf32>, %b: tensor<?x512xf32>) {
  // expected-error @below {{'sae.mse' op result element type 'f16' does not match lhs element type 'f32'}}
  %0 = sae.mse %a, %b : tensor<?x512xf32>, tensor<?x512xf32> -> tensor<f16>
  return
}

// -----

func.func @mse_result_rank(%a: tensor<?x512xf32>, %b: tensor<?x512xf32>) {
  // expected-error @below {{'sae.mse' op result must be a rank-0 tensor, got [1]}}
  %0 = sae.mse %a, %b : tensor<?x512xf32>, tensor<?x512xf32> -> tensor<1xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// sae.param: seeds, fan-ins, constraints and sources
//===----------------------------------------------------------------------===//

// expected-error @below {{'sae.param' op the kaiming initialiser takes no seed; only normal does}}
%0 = sae.param "W" kaiming seed 3 : tensor<4x4xf32>

// -----

// expected-error @below {{'sae.param' op the xavier initialiser needs a fan-in: the result must have rank >= 1, got []}}
%0 = sae.param "s" xavier : tensor<f32>

// -----

// expected-error @below {{'sae.param' op the unit_rows constraint needs a matrix, got [512]}}
%0 = sae.param "b" zeros constraint unit_rows : tensor<512xf32>

// -----

// expected-error @below {{'sae.param' op the unit_cols constraint needs a matrix, got [2, 3, 4]}}
%0 = sae.param "T" zeros constraint unit_cols : tensor<2x3x4xf32>

// -----

// expected-error @below {{custom op 'sae.param' expected one of [unit_rows, unit_cols] for parameter constraint, got: unit_norm}}
// expected-error @below {{failed to parse Sae_ConstraintAttr parameter 'value'}}
%0 = sae.param "W" zeros constraint unit_norm : tensor<4x4xf32>

// -----

// expected-error @below {{'sae.param' op the zeros initialiser takes no source; only mean, median, transpose and copy do}}
%0 = sae.param "b" zeros from "x" : tensor<512xf32>

// -----

// expected-error @below {{'sae.param' op the median initialiser requires a source}}
%0 = sae.param "b" median : tensor<512xf32>

// -----

// expected-error @below {{'sae.param' op the copy initialiser requires a source}}
%0 = sae.param "b" copy : tensor<512xf32>

// -----

sae.model @m {
  // expected-error @below {{'sae.param' op source 'x' is not an input declared before 'b'}}
  %b = sae.param "b" mean from "x" : tensor<512xf32>
  %x = sae.input "x" : tensor<?x512xf32>
  %l = sae.mse %x, %x : tensor<?x512xf32>, tensor<?x512xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}

// -----

sae.model @m {
  %w = sae.param "W" zeros : tensor<512x512xf32>
  // A parameter is no input.
  // expected-error @below {{'sae.param' op source 'W' is not an input declared before 'b'}}
  %b = sae.param "b" median from "W" : tensor<512xf32>
  %l = sae.reduce sum %w : tensor<512x512xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}

// -----

sae.model @m {
  %x = sae.input "x" : tensor<?x512xf32>
  // expected-error @below {{'sae.param' op result shape must be [512] (a row of input 'x' [?, 512]), got [768]}}
  %b = sae.param "b" median from "x" : tensor<768xf32>
  %l = sae.mse %x, %x : tensor<?x512xf32>, tensor<?x512xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}

// -----

sae.model @m {
  // Sources come first, so that initialisation has no cycles.
  // expected-error @below {{'sae.param' op source 'W_dec' is not a parameter declared before 'W_enc'}}
  %w_enc = sae.param "W_enc" transpose from "W_dec" : tensor<512x4096xf32>
  %w_dec = sae.param "W_dec" kaiming : tensor<4096x512xf32>
  %l = sae.reduce sum %w_dec : tensor<4096x512xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}

// -----

sae.model @m {
  // expected-error @below {{'sae.param' op source 'W' is not a parameter declared before 'W'}}
  %w = sae.param "W" copy from "W" : tensor<4x4xf32>
  %l = sae.reduce sum %w : tensor<4x4xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}

// -----

sae.model @m {
  %b = sae.param "b" zeros : tensor<512xf32>
  // expected-error @below {{'sae.param' op the transpose initialiser needs a matrix source, got 'b' [512]}}
  %w = sae.param "W" transpose from "b" : tensor<512xf32>
  %l = sae.reduce sum %w : tensor<512xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}

// -----

sae.model @m {
  %w_enc = sae.param "W_enc" kaiming : tensor<512x4096xf32>
  // expected-error @below {{'sae.param' op result shape must be [4096, 512] (the transpose of 'W_enc' [512, 4096]), got [512, 4096]}}
  %w_dec = sae.param "W_dec" transpose from "W_enc" : tensor<512x4096xf32>
  %l = sae.reduce sum %w_dec : tensor<512x4096xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}

// -----

sae.model @m {
  %w_img = sae.param "W_img" kaiming : tensor<4096x512xf32>
  // expected-error @below {{'sae.param' op result shape must be [4096, 512] (the shape of 'W_img' [4096, 512]), got [512, 4096]}}
  %w_txt = sae.param "W_txt" copy from "W_img" : tensor<512x4096xf32>
  %l = sae.reduce sum %w_txt : tensor<512x4096xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}

// -----

sae.model @m {
  %x = sae.input "x" : tensor<?x4xf32>
  %l = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}
sae.metrics @c model(@m) over rows {
  // expected-error @below {{'sae.param' op a parameter belongs to a model, not to a metrics block; read it with sae.model_value}}
  %w = sae.param "W" zeros : tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// sae.model
//===----------------------------------------------------------------------===//

// expected-error @below {{'sae.model' op hyperparameter 'act' must be an integer or a float, got "relu"}}
sae.model @m hyper {act = "relu", k = 32 : i64} {
  %x = sae.input "x" : tensor<?x4xf32>
  %l = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}

// -----

// expected-error @below {{'sae.model' op hyperparameter 'tied' must be an integer or a float, got true}}
sae.model @m hyper {tied = true} {
  %x = sae.input "x" : tensor<?x4xf32>
  %l = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}

// -----

// expected-error @below {{'sae.model' op has no sae.output "loss": every model needs a loss}}
sae.model @m {
  %x = sae.input "x" : tensor<?x4xf32>
  %l = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  sae.output "mse" %l : tensor<f32>
}

// -----

// expected-error @below {{'sae.model' op has no sae.output "loss": every model needs a loss}}
sae.model @m {
}

// -----

sae.model @m {
  %x = sae.input "x" : tensor<?x4xf32>
  %l = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  // expected-note @below {{first declared here}}
  sae.output "loss" %l : tensor<f32>
  // expected-error @below {{'sae.output' op 'loss' is already declared in model @m}}
  sae.output "loss" %l : tensor<f32>
}

// -----

sae.model @m {
  // expected-note @below {{first declared here}}
  %x = sae.input "x" : tensor<?x4xf32>
  // Inputs, parameters and outputs share one namespace.
  // expected-error @below {{'sae.param' op 'x' is already declared in model @m}}
  %w = sae.param "x" zeros : tensor<4xf32>
  %l = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}

// -----

sae.model @m {
  // expected-note @below {{first declared here}}
  %w = sae.param "W" zeros : tensor<4xf32>
  // expected-error @below {{'sae.param' op 'W' is already declared in model @m}}
  %v = sae.param "W" kaiming : tensor<4xf32>
  %l = sae.reduce sum %w : tensor<4xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}

// -----

sae.model @m {
  // expected-note @below {{first declared here}}
  %x = sae.input "x" : tensor<?x4xf32>
  // expected-error @below {{'sae.input' op 'x' is already declared in model @m}}
  %y = sae.input "x" : tensor<?x4xf32>
  %l = sae.mse %x, %y : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}

// -----

func.func @f() {
  // expected-error @below {{'sae.model' op symbol's parent must have the SymbolTable trait}}
  sae.model @m {
    %x = sae.input "x" : tensor<?x4xf32>
    %l = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
    sae.output "loss" %l : tensor<f32>
  }
  return
}

// -----

//===----------------------------------------------------------------------===//
// sae.input
//===----------------------------------------------------------------------===//

sae.model @m {
  // expected-error @below {{'sae.input' op name must not be empty}}
  %x = sae.input "" : tensor<?x4xf32>
}

// -----

sae.model @m {
  // expected-error @below {{'sae.input' op result must be a batch: a dynamic axis 0 and static other axes, like [?, 512]; got [8, 512]}}
  %x = sae.input "x" : tensor<8x512xf32>
}

// -----

sae.model @m {
  // expected-error @below {{'sae.input' op result must be a batch: a dynamic axis 0 and static other axes, like [?, 512]; got [?, ?]}}
  %x = sae.input "x" : tensor<?x?xf32>
}

// -----

sae.model @m {
  // expected-error @below {{'sae.input' op result must be a batch: a dynamic axis 0 and static other axes, like [?, 512]; got []}}
  %x = sae.input "x" : tensor<f32>
}

// -----

func.func @f() {
  // expected-error @below {{'sae.input' op expects parent op to be one of 'sae.model, sae.metrics'}}
  %x = sae.input "x" : tensor<?x4xf32>
  return
}

// -----

sae.model @m {
  // expected-error @below {{'sae.input' op side [image] is only allowed in a metrics block over pairs}}
  %x = sae.input "x" [image] : tensor<?x4xf32>
}

// -----

sae.model @m {
  %x = sae.input "x" : tensor<?x4xf32>
  %l = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}
sae.metrics @c model(@m) over rows {
  // expected-error @below {{'sae.input' op side [text] is only allowed in a metrics block over pairs}}
  %x = sae.input "x" [text] : tensor<?x4xf32>
}

// -----

sae.model @m {
  // expected-error @below {{expected 'image' or 'text', got 'audio'}}
  %x = sae.input "x" [audio] : tensor<?x4xf32>
}

// -----

sae.model @m {
  %x = sae.input "x" : tensor<?x4xf32>
  %l = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}
sae.metrics @c model(@m) over rows {
  // expected-error @below {{'sae.input' op model @m has no input 'y'}}
  %y = sae.input "y" : tensor<?x4xf32>
}

// -----

sae.model @m {
  %x = sae.input "x" : tensor<?x4xf32>
  %l = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}
sae.metrics @c model(@m) over pairs {
  // expected-error @below {{'sae.input' op type 'tensor<?x8xf32>' does not match input 'x' of model @m, which is 'tensor<?x4xf32>'}}
  %x = sae.input "x" [image] : tensor<?x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// sae.output
//===----------------------------------------------------------------------===//

sae.model @m {
  %x = sae.input "x" : tensor<?x4xf32>
  %l = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
  // expected-error @below {{'sae.output' op name must not be empty}}
  sae.output "" %x : tensor<?x4xf32>
}

// -----

sae.model @m {
  %x = sae.input "x" : tensor<?x4xf32>
  %l = sae.reduce sum %x, axis = 1 : tensor<?x4xf32> -> tensor<?xf32>
  // expected-error @below {{'sae.output' op the loss must be a rank-0 tensor, got [?]}}
  sae.output "loss" %l : tensor<?xf32>
}

// -----

func.func @f(%x: tensor<f32>) {
  // expected-error @below {{'sae.output' op expects parent op 'sae.model'}}
  sae.output "loss" %x : tensor<f32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// sae.metrics
//===----------------------------------------------------------------------===//

// expected-error @below {{'sae.metrics' op model @nope is not defined}}
sae.metrics @c model(@nope) over rows {
}

// -----

func.func @f() {
  return
}
// expected-error @below {{'sae.metrics' op @f is not a sae.model but a 'func.func'}}
sae.metrics @c model(@f) over rows {
}

// -----

// expected-error @below {{custom op 'sae.metrics' expected one of [rows, pairs] for metrics domain, got: batches}}
// expected-error @below {{failed to parse Sae_MetricsDomainAttr parameter 'value'}}
sae.metrics @c model(@m) over batches {
}

// -----

sae.model @m {
  %x = sae.input "x" : tensor<?x4xf32>
  %l = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}
sae.metrics @c model(@m) over rows {
  %x = sae.input "x" : tensor<?x4xf32>
  %s = sae.reduce sum %x : tensor<?x4xf32> -> tensor<f32>
  // expected-note @below {{first declared here}}
  sae.metric "s" %s : tensor<f32>
  // expected-error @below {{'sae.metric' op 's' is already declared in metrics @c}}
  sae.metric "s" %s : tensor<f32>
}

// -----

sae.model @m {
  %x = sae.input "x" : tensor<?x4xf32>
  %l = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}
// expected-note @below {{see existing symbol definition here}}
sae.metrics @m2 model(@m) over rows {
}
// expected-error @below {{redefinition of symbol named 'm2'}}
sae.metrics @m2 model(@m) over pairs {
}

// -----

//===----------------------------------------------------------------------===//
// sae.model_value
//===----------------------------------------------------------------------===//

sae.model @m {
  %x = sae.input "x" : tensor<?x4xf32>
  %w = sae.param "W" zeros : tensor<4x4xf32>
  %z = sae.matmul %x, %w : tensor<?x4xf32>, tensor<4x4xf32> -> tensor<?x4xf32>
  %l = sae.mse %z, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  sae.output "z" %z : tensor<?x4xf32>
  sae.output "loss" %l : tensor<f32>
}
sae.metrics @c model(@m) over rows {
  // expected-error @below {{'sae.model_value' op name must not be empty}}
  %v = sae.model_value "" : tensor<?x4xf32>
}

// -----

sae.model @m {
  %x = sae.input "x" : tensor<?x4xf32>
  %l = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  sae.output "z" %x : tensor<?x4xf32>
  sae.output "loss" %l : tensor<f32>
}
sae.metrics @c model(@m) over rows {
  // expected-error @below {{'sae.model_value' op side [image] is only allowed in a metrics block over pairs}}
  %v = sae.model_value "z" [image] : tensor<?x4xf32>
}

// -----

sae.model @m {
  %x = sae.input "x" : tensor<?x4xf32>
  %l = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}
sae.metrics @c model(@m) over rows {
  // Inputs are read with sae.input, not as model values.
  // expected-error @below {{'sae.model_value' op model @m has no output or parameter named 'x'}}
  %v = sae.model_value "x" : tensor<?x4xf32>
}

// -----

sae.model @m {
  %x = sae.input "x" : tensor<?x4xf32>
  %l = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  sae.output "z" %x : tensor<?x4xf32>
  sae.output "loss" %l : tensor<f32>
}
sae.metrics @c model(@m) over pairs {
  // expected-error @below {{'sae.model_value' op type 'tensor<?x8xf32>' does not match output 'z' of model @m, which is 'tensor<?x4xf32>'}}
  %v = sae.model_value "z" [text] : tensor<?x8xf32>
}

// -----

sae.model @m {
  %w = sae.param "W" zeros : tensor<4x4xf32>
  %l = sae.reduce sum %w : tensor<4x4xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}
sae.metrics @c model(@m) over rows {
  // expected-error @below {{'sae.model_value' op type 'tensor<4x4xf16>' does not match parameter 'W' of model @m, which is 'tensor<4x4xf32>'}}
  %v = sae.model_value "W" : tensor<4x4xf16>
}

// -----

sae.model @m {
  %x = sae.input "x" : tensor<?x4xf32>
  // expected-error @below {{'sae.model_value' op expects parent op 'sae.metrics'}}
  %v = sae.model_value "x" : tensor<?x4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// sae.metric
//===----------------------------------------------------------------------===//

sae.model @m {
  %x = sae.input "x" : tensor<?x4xf32>
  %l = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}
sae.metrics @c model(@m) over rows {
  %l = sae.model_value "loss" : tensor<f32>
  // expected-error @below {{'sae.metric' op name must not be empty}}
  sae.metric "" %l : tensor<f32>
}

// -----

sae.model @m {
  %x = sae.input "x" : tensor<?x4xf32>
  %l = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}
sae.metrics @c model(@m) over rows {
  %c = arith.constant dense<0.0> : tensor<2x2x2xf32>
  // expected-error @below {{'sae.metric' op a metric must have rank 0, 1 or 2, got [2, 2, 2]}}
  sae.metric "cube" %c : tensor<2x2x2xf32>
}

// -----

sae.model @m {
  %x = sae.input "x" : tensor<?x4xf32>
  %l = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}
sae.metrics @c model(@m) over rows {
  %x = sae.input "x" : tensor<?x4xf32>
  %s = sae.reduce sum %x, axis = 1 : tensor<?x4xf32> -> tensor<?xf32>
  // expected-error @below {{'sae.metric' op a metric must have a static shape (a dataset-level reduction of the batch axis), got [?]}}
  sae.metric "per_row" %s : tensor<?xf32>
}

// -----

sae.model @m {
  %x = sae.input "x" : tensor<?x4xf32>
  %l = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  // expected-error @below {{'sae.metric' op expects parent op 'sae.metrics'}}
  sae.metric "l" %l : tensor<f32>
  sae.output "loss" %l : tensor<f32>
}

// -----

//===----------------------------------------------------------------------===//
// sae.train
//===----------------------------------------------------------------------===//

// expected-error @below {{'sae.train' op model @nope is not defined}}
sae.train @nope config {}

// -----

func.func @f() {
  return
}
// expected-error @below {{'sae.train' op @f is not a sae.model but a 'func.func'}}
sae.train @f config {}

// -----

sae.model @m {
  %x = sae.input "x" : tensor<?x4xf32>
  %l = sae.mse %x, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  sae.output "loss" %l : tensor<f32>
}
// expected-note @below {{first configured here}}
sae.train @m config {batch = 8 : i64}
// expected-error @below {{'sae.train' op model @m already has a training configuration}}
sae.train @m config {steps = 8 : i64}

// -----

// expected-error @below {{'sae.train' op unknown training option 'learning_rate'}}
sae.train @m config {learning_rate = 1.0e-3 : f64}

// -----

// expected-error @below {{'sae.train' op option 'optimizer' must be "adam", got "sgd"}}
sae.train @m config {optimizer = "sgd"}

// -----

// expected-error @below {{'sae.train' op option 'schedule' must be "constant", "linear" or "cosine", got "step"}}
sae.train @m config {schedule = "step"}

// -----

// expected-error @below {{'sae.train' op option 'lr' must be a number, got "fast"}}
sae.train @m config {lr = "fast"}

// -----

// expected-error @below {{'sae.train' op option 'lr' must be > 0, got 0.000000e+00}}
sae.train @m config {lr = 0.0 : f64}

// -----

// expected-error @below {{'sae.train' op option 'eps' must be > 0, got -1.000000e+00}}
sae.train @m config {eps = -1 : i64}

// -----

// expected-error @below {{'sae.train' op option 'weight_decay' must be >= 0, got -1.000000e-02}}
sae.train @m config {weight_decay = -0.01 : f64}

// -----

// expected-error @below {{'sae.train' op option 'batch' must be an integer, got 5.120000e+02 : f64}}
sae.train @m config {batch = 512.0 : f64}

// -----

// expected-error @below {{'sae.train' op option 'batch' must be > 0, got 0}}
sae.train @m config {batch = 0 : i64}

// -----

// expected-error @below {{'sae.train' op option 'steps' must be > 0, got -5}}
sae.train @m config {steps = -5 : i64}

// -----

// expected-error @below {{'sae.train' op option 'seed' must be >= 0, got -1}}
sae.train @m config {seed = -1 : i64}

// -----

// expected-error @below {{'sae.train' op option 'betas' must be two numbers in [0, 1), got [9.000000e-01, 1.000000e+00]}}
sae.train @m config {betas = [0.9 : f64, 1.0 : f64]}

// -----

// expected-error @below {{'sae.train' op option 'betas' must be two numbers in [0, 1), got [9.000000e-01]}}
sae.train @m config {betas = [0.9 : f64]}

// -----

// expected-error @below {{'sae.train' op options 'steps' and 'epochs' exclude each other}}
sae.train @m config {steps = 100 : i64, epochs = 2 : i64}

// -----

// expected-error @below {{'sae.train' op options 'warmup' and 'warmup_epochs' exclude each other}}
sae.train @m config {warmup = 100 : i64, warmup_epochs = 1 : i64}

// -----

// expected-error @below {{'sae.train' op option 'min_lr' needs schedule = "cosine"}}
sae.train @m config {min_lr = 0.0 : f64, schedule = "linear"}

// -----

//===----------------------------------------------------------------------===//
// sae.transpose
//===----------------------------------------------------------------------===//

func.func @transpose_rank(%a: tensor<4096xf32>) {
  // expected-error @below {{'sae.transpose' op input must have rank 2, got [4096]}}
  %0 = sae.transpose %a : tensor<4096xf32> -> tensor<4096xf32>
  return
}

// -----

func.func @transpose_shape(%a: tensor<512x4096xf32>) {
  // expected-error @below {{'sae.transpose' op result shape must be [4096, 512] ([512, 4096] transposed), got [512, 4096]}}
  %0 = sae.transpose %a : tensor<512x4096xf32> -> tensor<512x4096xf32>
  return
}

// -----

func.func @transpose_type(%a: tensor<512x4096xf32>) {
  // expected-error @below {{'sae.transpose' op result element type 'f16' does not match input element type 'f32'}}
  %0 = sae.transpose %a : tensor<512x4096xf32> -> tensor<4096x512xf16>
  return
}

// -----

//===----------------------------------------------------------------------===//
// sae.div, sae.pow, sae.cmp
//===----------------------------------------------------------------------===//

func.func @div_broadcast(%a: tensor<?x512xf32>, %b: tensor<4096xf32>) {
  // expected-error @below {{'sae.div' op operand shapes [?, 512] and [4096] do not broadcast: dimensions 512 and 4096 differ}}
  %0 = sae.div %a, %b : tensor<?x512xf32>, tensor<4096xf32> -> tensor<?x512xf32>
  return
}

// -----

func.func @pow_result_shape(%a: tensor<?x512xf32>, %b: tensor<f32>) {
  // expected-error @below {{'sae.pow' op result shape must be [?, 512] (the broadcast of [?, 512] and []), got []}}
  %0 = sae.pow %a, %b : tensor<?x512xf32>, tensor<f32> -> tensor<f32>
  return
}

// -----

func.func @cmp_broadcast(%a: tensor<?x512xf32>, %b: tensor<2x1xf32>) {
  // expected-error @below {{'sae.cmp' op result shape must be [2, 512] (the broadcast of [?, 512] and [2, 1]), got [?, 512]}}
  %0 = sae.cmp gt %a, %b : tensor<?x512xf32>, tensor<2x1xf32> -> tensor<?x512xf32>
  return
}

// -----

func.func @cmp_rhs_type(%a: tensor<?x512xf32>, %b: tensor<f16>) {
  // expected-error @below {{'sae.cmp' op rhs element type 'f16' does not match lhs element type 'f32'}}
  %0 = sae.cmp eq %a, %b : tensor<?x512xf32>, tensor<f16> -> tensor<?x512xf32>
  return
}

// -----

func.func @cmp_predicate(%a: tensor<f32>) {
  // expected-error @below {{custom op 'sae.cmp' expected one of [gt, lt, ge, le, eq, ne] for comparison predicate, got: gte}}
  // expected-error @below {{failed to parse Sae_CmpPredicateAttr parameter 'value'}}
  %0 = sae.cmp gte %a, %a : tensor<f32>, tensor<f32> -> tensor<f32>
  return
}

// -----

func.func @cmp_integer_result(%a: tensor<4xf32>) {
  // Comparisons give 1.0 and 0.0, not booleans.
  // expected-error @below {{'sae.cmp' op result #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi1>'}}
  %0 = sae.cmp lt %a, %a : tensor<4xf32>, tensor<4xf32> -> tensor<4xi1>
  return
}

// -----

//===----------------------------------------------------------------------===//
// sae.neg, sae.abs, sae.sqrt, sae.exp, sae.log
//===----------------------------------------------------------------------===//

func.func @neg_type(%a: tensor<?x8xf32>) {
  // expected-error @below {{'sae.neg' op requires the same type for all operands and results}}
  %0 = "sae.neg"(%a) : (tensor<?x8xf32>) -> tensor<?x8xf16>
  return
}

// -----

func.func @log_integer(%a: tensor<8xi32>) {
  // expected-error @below {{'sae.log' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<8xi32>'}}
  %0 = sae.log %a : tensor<8xi32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// sae.topk_abs, sae.batchtopk
//===----------------------------------------------------------------------===//

func.func @topk_abs_rank(%a: tensor<?x4x8xf32>) {
  // expected-error @below {{'sae.topk_abs' op input must have rank 2, got [?, 4, 8]}}
  %0 = sae.topk_abs %a, k = 2 : tensor<?x4x8xf32>
  return
}

// -----

func.func @batchtopk_zero(%a: tensor<?x4096xf32>) {
  // expected-error @below {{'sae.batchtopk' op k must be positive, got 0}}
  %0 = sae.batchtopk %a, k = 0 : tensor<?x4096xf32>
  return
}

// -----

func.func @batchtopk_too_large(%a: tensor<?x4096xf32>) {
  // expected-error @below {{'sae.batchtopk' op k must be at most 4096 (the last dimension of [?, 4096]), got 4097}}
  %0 = sae.batchtopk %a, k = 4097 : tensor<?x4096xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// sae.jumprelu, sae.step
//===----------------------------------------------------------------------===//

func.func @jumprelu_rank(%a: tensor<4096xf32>, %t: tensor<4096xf32>) {
  // expected-error @below {{'sae.jumprelu' op input must have rank 2, got [4096]}}
  %0 = sae.jumprelu %a, %t, bandwidth = 0.001 : tensor<4096xf32>, tensor<4096xf32>
  return
}

// -----

func.func @jumprelu_threshold(%a: tensor<?x4096xf32>, %t: tensor<512xf32>) {
  // expected-error @below {{'sae.jumprelu' op threshold must have shape [4096] (the last dimension of [?, 4096]), got [512]}}
  %0 = sae.jumprelu %a, %t, bandwidth = 0.001 : tensor<?x4096xf32>, tensor<512xf32>
  return
}

// -----

func.func @step_threshold_rank(%a: tensor<?x4096xf32>, %t: tensor<f32>) {
  // expected-error @below {{'sae.step' op threshold must have shape [4096] (the last dimension of [?, 4096]), got []}}
  %0 = sae.step %a, %t, bandwidth = 0.001 : tensor<?x4096xf32>, tensor<f32>
  return
}

// -----

func.func @step_threshold_type(%a: tensor<?x4096xf32>, %t: tensor<4096xf16>) {
  // expected-error @below {{'sae.step' op threshold element type 'f16' does not match input element type 'f32'}}
  %0 = sae.step %a, %t, bandwidth = 0.001 : tensor<?x4096xf32>, tensor<4096xf16>
  return
}

// -----

func.func @jumprelu_bandwidth(%a: tensor<?x4096xf32>, %t: tensor<4096xf32>) {
  // expected-error @below {{'sae.jumprelu' op bandwidth must be positive, got 0.000000e+00}}
  %0 = sae.jumprelu %a, %t, bandwidth = 0.0 : tensor<?x4096xf32>, tensor<4096xf32>
  return
}

// -----

func.func @step_bandwidth(%a: tensor<?x4096xf32>, %t: tensor<4096xf32>) {
  // expected-error @below {{'sae.step' op bandwidth must be positive, got -1.000000e-03}}
  %0 = sae.step %a, %t, bandwidth = -0.001 : tensor<?x4096xf32>, tensor<4096xf32>
  return
}

// -----

func.func @jumprelu_result(%a: tensor<?x4096xf32>, %t: tensor<4096xf32>) {
  // expected-error @below {{'sae.jumprelu' op failed to verify that all of {input, result} have same type}}
  %0 = "sae.jumprelu"(%a, %t) <{bandwidth = 1.0e-3 : f64}> : (tensor<?x4096xf32>, tensor<4096xf32>) -> tensor<4096xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// sae.reduce without an axis, sae.normalize
//===----------------------------------------------------------------------===//

func.func @reduce_all_shape(%a: tensor<?x4096xf32>) {
  // expected-error @below {{'sae.reduce' op result shape must be [] (every axis of [?, 4096] reduced), got [4096]}}
  %0 = sae.reduce norm %a : tensor<?x4096xf32> -> tensor<4096xf32>
  return
}

// -----

func.func @normalize_axis(%a: tensor<4096x512xf32>) {
  // expected-error @below {{'sae.normalize' op axis 2 is out of range for input [4096, 512] of rank 2}}
  %0 = sae.normalize %a, axis = 2 : tensor<4096x512xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// sae.cos, sae.dist, sae.outer
//===----------------------------------------------------------------------===//

func.func @cos_rows(%a: tensor<?x512xf32>, %b: tensor<4096x768xf32>) {
  // expected-error @below {{'sae.cos' op [?, 512] and [4096, 768]: row lengths 512 and 768 differ}}
  %0 = sae.cos %a, %b : tensor<?x512xf32>, tensor<4096x768xf32> -> tensor<?x4096xf32>
  return
}

// -----

func.func @dist_rank(%a: tensor<512xf32>, %b: tensor<4096x512xf32>) {
  // expected-error @below {{'sae.dist' op lhs must have rank 2, got [512]}}
  %0 = sae.dist %a, %b : tensor<512xf32>, tensor<4096x512xf32> -> tensor<4096xf32>
  return
}

// -----

func.func @dist_result(%a: tensor<?x512xf32>, %b: tensor<4096x512xf32>) {
  // expected-error @below {{'sae.dist' op result shape must be [?, 4096] (every row of [?, 512] against every row of [4096, 512]), got [4096, ?]}}
  %0 = sae.dist %a, %b : tensor<?x512xf32>, tensor<4096x512xf32> -> tensor<4096x?xf32>
  return
}

// -----

func.func @outer_rank(%a: tensor<?x4096xf32>, %b: tensor<4096xf32>) {
  // expected-error @below {{'sae.outer' op rhs must have rank 2, got [4096]}}
  %0 = sae.outer %a, %b : tensor<?x4096xf32>, tensor<4096xf32> -> tensor<?x4096x4096xf32>
  return
}

// -----

func.func @outer_rows(%a: tensor<8x16xf32>, %b: tensor<4x16xf32>) {
  // expected-error @below {{'sae.outer' op [8, 16] and [4, 16]: row counts 8 and 4 differ}}
  %0 = sae.outer %a, %b : tensor<8x16xf32>, tensor<4x16xf32> -> tensor<8x16x16xf32>
  return
}

// -----

func.func @outer_result(%a: tensor<?x16xf32>, %b: tensor<?x32xf32>) {
  // expected-error @below {{'sae.outer' op result shape must be [?, 16, 32] (the per-row outer product of [?, 16] and [?, 32]), got [?, 32, 16]}}
  %0 = sae.outer %a, %b : tensor<?x16xf32>, tensor<?x32xf32> -> tensor<?x32x16xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// sae.select_modality, sae.filter
//===----------------------------------------------------------------------===//

func.func @select_modality_rows(%a: tensor<4096x512xf32>) {
  // expected-error @below {{'sae.select_modality' op operands must be per row, with the dynamic batch as axis 0, got [4096, 512]}}
  %0 = sae.select_modality %a, %a : tensor<4096x512xf32>
  return
}

// -----

func.func @select_modality_types(%a: tensor<?x512xf32>, %b: tensor<?x256xf32>) {
  // expected-error @below {{'sae.select_modality' op requires the same type for all operands and results}}
  %0 = "sae.select_modality"(%a, %b) : (tensor<?x512xf32>, tensor<?x256xf32>) -> tensor<?x512xf32>
  return
}

// -----

func.func @filter_rows(%a: tensor<f32>) {
  // expected-error @below {{'sae.filter' op input must be per row, with the dynamic batch as axis 0, got []}}
  %0 = sae.filter %a, image : tensor<f32>
  return
}

// -----

func.func @filter_modality(%a: tensor<?x8xf32>) {
  // expected-error @below {{custom op 'sae.filter' expected one of [image, text] for modality, got: audio}}
  // expected-error @below {{failed to parse Sae_ModalityAttr parameter 'value'}}
  %0 = sae.filter %a, audio : tensor<?x8xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// sae.slice
//===----------------------------------------------------------------------===//

func.func @slice_count(%a: tensor<?x4096xf32>) {
  // expected-error @below {{'sae.slice' op needs one start and one limit per axis of [?, 4096], got 1 and 2}}
  %0 = sae.slice %a, starts = [0], limits = [-1, 256] : tensor<?x4096xf32> -> tensor<?x256xf32>
  return
}

// -----

func.func @slice_batch(%a: tensor<?x4096xf32>) {
  // expected-error @below {{'sae.slice' op axis 0 of [?, 4096] is dynamic and can only be taken whole (start 0, limit -1), got 0:8}}
  %0 = sae.slice %a, starts = [0, 0], limits = [8, 256] : tensor<?x4096xf32> -> tensor<8x256xf32>
  return
}

// -----

func.func @slice_bounds(%a: tensor<?x4096xf32>) {
  // expected-error @below {{'sae.slice' op slice 0:5000 of axis 1 of [?, 4096] must satisfy 0 <= start <= limit <= 4096}}
  %0 = sae.slice %a, starts = [0, 0], limits = [-1, 5000] : tensor<?x4096xf32> -> tensor<?x5000xf32>
  return
}

// -----

func.func @slice_reversed(%a: tensor<4096xf32>) {
  // expected-error @below {{'sae.slice' op slice 8:4 of axis 0 of [4096] must satisfy 0 <= start <= limit <= 4096}}
  %0 = sae.slice %a, starts = [8], limits = [4] : tensor<4096xf32> -> tensor<4xf32>
  return
}

// -----

func.func @slice_whole_static(%a: tensor<4096xf32>) {
  // -1 takes only a dynamic axis whole; a static one spells its limit.
  // expected-error @below {{'sae.slice' op slice 0:-1 of axis 0 of [4096] must satisfy 0 <= start <= limit <= 4096}}
  %0 = sae.slice %a, starts = [0], limits = [-1] : tensor<4096xf32> -> tensor<4096xf32>
  return
}

// -----

func.func @slice_squeeze_order(%a: tensor<4096x512xf32>) {
  // expected-error @below {{'sae.slice' op squeezed axes must increase and lie in [0, 2), got [1, 0]}}
  %0 = sae.slice %a, starts = [3, 7], limits = [4, 8], squeeze = [1, 0] : tensor<4096x512xf32> -> tensor<f32>
  return
}

// -----

func.func @slice_squeeze_range(%a: tensor<4096x512xf32>) {
  // expected-error @below {{'sae.slice' op squeezed axes must increase and lie in [0, 2), got [2]}}
  %0 = sae.slice %a, starts = [3, 7], limits = [4, 8], squeeze = [2] : tensor<4096x512xf32> -> tensor<1x1xf32>
  return
}

// -----

func.func @slice_squeeze_extent(%a: tensor<4096x512xf32>) {
  // expected-error @below {{'sae.slice' op squeezed axis 0 must hold one element, got slice 0:256 of [4096, 512]}}
  %0 = sae.slice %a, starts = [0, 0], limits = [256, 512], squeeze = [0] : tensor<4096x512xf32> -> tensor<512xf32>
  return
}

// -----

func.func @slice_squeeze_batch(%a: tensor<?x512xf32>) {
  // expected-error @below {{'sae.slice' op squeezed axis 0 must hold one element, got slice 0:-1 of [?, 512]}}
  %0 = sae.slice %a, starts = [0, 0], limits = [-1, 512], squeeze = [0] : tensor<?x512xf32> -> tensor<512xf32>
  return
}

// -----

func.func @slice_squeeze_result(%a: tensor<4096x512xf32>) {
  // expected-error @below {{'sae.slice' op result shape must be [512] (a slice of [4096, 512]), got [1, 512]}}
  %0 = sae.slice %a, starts = [3, 0], limits = [4, 512], squeeze = [0] : tensor<4096x512xf32> -> tensor<1x512xf32>
  return
}

// -----

func.func @slice_result(%a: tensor<4096x512xf32>) {
  // expected-error @below {{'sae.slice' op result shape must be [256, 512] (a slice of [4096, 512]), got [256, 256]}}
  %0 = sae.slice %a, starts = [0, 0], limits = [256, 512] : tensor<4096x512xf32> -> tensor<256x256xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// sae.l1
//===----------------------------------------------------------------------===//

func.func @l1_rank(%a: tensor<f32>) {
  // expected-error @below {{'sae.l1' op input must have rank >= 1, got []}}
  %0 = sae.l1 %a : tensor<f32> -> tensor<f32>
  return
}

// -----

func.func @l1_weight(%z: tensor<?x4096xf32>, %w: tensor<512xf32>) {
  // expected-error @below {{'sae.l1' op weight must have shape [4096] (the last dimension of [?, 4096]), got [512]}}
  %0 = sae.l1 %z, weight = %w : tensor<?x4096xf32>, tensor<512xf32> -> tensor<f32>
  return
}

// -----

func.func @l1_result(%z: tensor<?x4096xf32>) {
  // expected-error @below {{'sae.l1' op result must be a rank-0 tensor, got [?]}}
  %0 = sae.l1 %z : tensor<?x4096xf32> -> tensor<?xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// sae.auxk
//===----------------------------------------------------------------------===//

func.func @auxk_rank(%r: tensor<?x512xf32>, %p: tensor<4096xf32>, %w: tensor<4096x512xf32>) {
  // expected-error @below {{'sae.auxk' op pre must have rank 2, got [4096]}}
  %0 = sae.auxk %r, %p, %w, k = 256 : tensor<?x512xf32>, tensor<4096xf32>, tensor<4096x512xf32> -> tensor<f32>
  return
}

// -----

func.func @auxk_rows(%r: tensor<8x512xf32>, %p: tensor<16x4096xf32>, %w: tensor<4096x512xf32>) {
  // expected-error @below {{'sae.auxk' op residual [8, 512] and pre [16, 4096]: row counts 8 and 16 differ}}
  %0 = sae.auxk %r, %p, %w, k = 256 : tensor<8x512xf32>, tensor<16x4096xf32>, tensor<4096x512xf32> -> tensor<f32>
  return
}

// -----

func.func @auxk_latents(%r: tensor<?x512xf32>, %p: tensor<?x2048xf32>, %w: tensor<4096x512xf32>) {
  // expected-error @below {{'sae.auxk' op decoder [4096, 512] needs one row per latent of pre [?, 2048]: 4096 and 2048 differ}}
  %0 = sae.auxk %r, %p, %w, k = 256 : tensor<?x512xf32>, tensor<?x2048xf32>, tensor<4096x512xf32> -> tensor<f32>
  return
}

// -----

func.func @auxk_width(%r: tensor<?x512xf32>, %p: tensor<?x4096xf32>, %w: tensor<4096x768xf32>) {
  // expected-error @below {{'sae.auxk' op decoder [4096, 768] must decode to rows of residual [?, 512]: 768 and 512 differ}}
  %0 = sae.auxk %r, %p, %w, k = 256 : tensor<?x512xf32>, tensor<?x4096xf32>, tensor<4096x768xf32> -> tensor<f32>
  return
}

// -----

func.func @auxk_k(%r: tensor<?x512xf32>, %p: tensor<?x4096xf32>, %w: tensor<4096x512xf32>) {
  // expected-error @below {{'sae.auxk' op k must be at most 4096 (the last dimension of [?, 4096]), got 8192}}
  %0 = sae.auxk %r, %p, %w, k = 8192 : tensor<?x512xf32>, tensor<?x4096xf32>, tensor<4096x512xf32> -> tensor<f32>
  return
}

// -----

func.func @auxk_zero(%r: tensor<?x512xf32>, %p: tensor<?x4096xf32>, %w: tensor<4096x512xf32>) {
  // expected-error @below {{'sae.auxk' op k must be positive, got 0}}
  %0 = sae.auxk %r, %p, %w, k = 0 : tensor<?x512xf32>, tensor<?x4096xf32>, tensor<4096x512xf32> -> tensor<f32>
  return
}

// -----

func.func @auxk_type(%r: tensor<?x512xf32>, %p: tensor<?x4096xf32>, %w: tensor<4096x512xbf16>) {
  // expected-error @below {{'sae.auxk' op decoder element type 'bf16' does not match residual element type 'f32'}}
  %0 = sae.auxk %r, %p, %w, k = 32 : tensor<?x512xf32>, tensor<?x4096xf32>, tensor<4096x512xbf16> -> tensor<f32>
  return
}

// -----

func.func @auxk_result(%r: tensor<?x512xf32>, %p: tensor<?x4096xf32>, %w: tensor<4096x512xf32>) {
  // expected-error @below {{'sae.auxk' op result must be a rank-0 tensor, got [?]}}
  %0 = sae.auxk %r, %p, %w, k = 32 : tensor<?x512xf32>, tensor<?x4096xf32>, tensor<4096x512xf32> -> tensor<?xf32>
  return
}
