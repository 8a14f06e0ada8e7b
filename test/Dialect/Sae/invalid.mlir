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
%0 = "sae.param"() <{init = #sae<init zeros>, sym_name = "W"}> : () -> tensor<*xf32>

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

// expected-error @below {{custom op 'sae.param' expected one of [zeros, constant, kaiming, xavier, normal, mean, median] for parameter initialiser, got: uniform}}
// expected-error @below {{failed to parse Sae_InitKindAttr parameter 'value'}}
%0 = sae.param "W" uniform : tensor<4xf32>

// -----

// expected-error @below {{'sae.param' op requires attribute 'sym_name'}}
%0 = "sae.param"() <{init = #sae<init zeros>}> : () -> tensor<4xf32>

// -----

// expected-error @below {{'sae.param' op attribute 'value' failed to satisfy constraint: 64-bit float attribute}}
%0 = "sae.param"() <{init = #sae<init constant>, sym_name = "b", value = 1.0 : f32}> : () -> tensor<4xf32>

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
  // expected-error @below {{custom op 'sae.reduce' expected one of [sum, mean, max, count] for reduction, got: min}}
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
