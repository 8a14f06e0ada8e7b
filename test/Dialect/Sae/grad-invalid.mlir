// RUN: prism-opt %s -split-input-file -verify-diagnostics

// One case per verifier message of the backward-pass and optimizer ops, and
// of sae.auxk's dead-latent mask.

//===----------------------------------------------------------------------===//
// sae.unbroadcast
//===----------------------------------------------------------------------===//

func.func @unbroadcast_rank(%g: tensor<?x4096xf32>) {
  // expected-error @below {{'sae.unbroadcast' op cannot sum [?, 4096] back to [1, 1, 4096]: the result has the higher rank}}
  %0 = sae.unbroadcast %g : tensor<?x4096xf32> -> tensor<1x1x4096xf32>
  return
}

// -----

func.func @unbroadcast_size(%g: tensor<?x4096xf32>) {
  // expected-error @below {{'sae.unbroadcast' op cannot sum [?, 4096] back to [2048]: axis 1 has sizes 4096 and 2048}}
  %0 = sae.unbroadcast %g : tensor<?x4096xf32> -> tensor<2048xf32>
  return
}

// -----

func.func @unbroadcast_type(%g: tensor<?x4096xf32>) {
  // expected-error @below {{'sae.unbroadcast' op result element type 'f64' does not match input element type 'f32'}}
  %0 = sae.unbroadcast %g : tensor<?x4096xf32> -> tensor<4096xf64>
  return
}

//===----------------------------------------------------------------------===//
// sae.broadcast
//===----------------------------------------------------------------------===//

func.func @broadcast_axis(%r: tensor<?xf32>, %x: tensor<?x4096xf32>) {
  // expected-error @below {{'sae.broadcast' op axis 2 is out of range for [?, 4096] of rank 2}}
  %0 = sae.broadcast %r, %x, axis = 2 : tensor<?xf32>, tensor<?x4096xf32>
  return
}

// -----

func.func @broadcast_without_axis(%r: tensor<2048xf32>, %x: tensor<?x4096xf32>) {
  // expected-error @below {{'sae.broadcast' op input [2048] must have the shape [4096] of [?, 4096] without axis 0}}
  %0 = sae.broadcast %r, %x, axis = 0 : tensor<2048xf32>, tensor<?x4096xf32>
  return
}

// -----

func.func @broadcast_numpy(%r: tensor<512xf32>, %x: tensor<?x4096xf32>) {
  // expected-error @below {{'sae.broadcast' op input [512] does not broadcast to [?, 4096]}}
  %0 = sae.broadcast %r, %x : tensor<512xf32>, tensor<?x4096xf32>
  return
}

// -----

func.func @broadcast_rank(%r: tensor<1x1x4096xf32>, %x: tensor<?x4096xf32>) {
  // expected-error @below {{'sae.broadcast' op input [1, 1, 4096] does not broadcast to [?, 4096]}}
  %0 = sae.broadcast %r, %x : tensor<1x1x4096xf32>, tensor<?x4096xf32>
  return
}

// -----

func.func @broadcast_type(%r: tensor<f64>, %x: tensor<?x4096xf32>) {
  // expected-error @below {{'sae.broadcast' op input element type 'f64' does not match like element type 'f32'}}
  %0 = sae.broadcast %r, %x : tensor<f64>, tensor<?x4096xf32>
  return
}

//===----------------------------------------------------------------------===//
// sae.size
//===----------------------------------------------------------------------===//

func.func @size_axis(%x: tensor<?x512xf32>) {
  // expected-error @below {{'sae.size' op axis 2 is out of range for [?, 512] of rank 2}}
  %0 = sae.size %x, axis = 2 : tensor<?x512xf32> -> tensor<f32>
  return
}

// -----

func.func @size_rank(%x: tensor<?x512xf32>) {
  // expected-error @below {{'sae.size' op result must be a rank-0 tensor, got [1]}}
  %0 = sae.size %x : tensor<?x512xf32> -> tensor<1xf32>
  return
}

// -----

func.func @size_type(%x: tensor<?x512xf32>) {
  // expected-error @below {{'sae.size' op result element type 'f64' does not match input element type 'f32'}}
  %0 = sae.size %x : tensor<?x512xf32> -> tensor<f64>
  return
}

//===----------------------------------------------------------------------===//
// sae.div_no_nan
//===----------------------------------------------------------------------===//

func.func @div_no_nan_types(%a: tensor<?x4096xf32>, %b: tensor<4096xf32>) {
  // expected-error @below {{'sae.div_no_nan' op requires the same type for all operands and results}}
  %0 = "sae.div_no_nan"(%a, %b) : (tensor<?x4096xf32>, tensor<4096xf32>) -> tensor<?x4096xf32>
  return
}

//===----------------------------------------------------------------------===//
// sae.select_mask
//===----------------------------------------------------------------------===//

func.func @select_mask_rank(%a: tensor<4096xf32>) {
  // expected-error @below {{'sae.select_mask' op input must have rank 2, got [4096]}}
  %0 = sae.select_mask topk %a, k = 32 : tensor<4096xf32>
  return
}

// -----

func.func @select_mask_k(%a: tensor<?x4096xf32>) {
  // expected-error @below {{'sae.select_mask' op k must be positive, got 0}}
  %0 = sae.select_mask topk %a, k = 0 : tensor<?x4096xf32>
  return
}

// -----

func.func @select_mask_k_max(%a: tensor<?x4096xf32>) {
  // expected-error @below {{'sae.select_mask' op k must be at most 4096 (the last dimension of [?, 4096]), got 8192}}
  %0 = sae.select_mask batchtopk %a, k = 8192 : tensor<?x4096xf32>
  return
}

// -----

func.func @select_mask_among_kind(%a: tensor<?x4096xf32>, %d: tensor<4096xf32>) {
  // expected-error @below {{'sae.select_mask' op 'among' needs the topk selection, got batchtopk}}
  %0 = sae.select_mask batchtopk %a, k = 32, among = %d : tensor<?x4096xf32>, tensor<4096xf32>
  return
}

// -----

func.func @select_mask_among_shape(%a: tensor<?x4096xf32>, %d: tensor<2048xf32>) {
  // expected-error @below {{'sae.select_mask' op among must have shape [4096] (the last dimension of [?, 4096]), got [2048]}}
  %0 = sae.select_mask topk %a, k = 32, among = %d : tensor<?x4096xf32>, tensor<2048xf32>
  return
}

// -----

func.func @select_mask_among_type(%a: tensor<?x4096xf32>, %d: tensor<4096xbf16>) {
  // expected-error @below {{'sae.select_mask' op among element type 'bf16' does not match input element type 'f32'}}
  %0 = sae.select_mask topk %a, k = 32, among = %d : tensor<?x4096xf32>, tensor<4096xbf16>
  return
}

// -----

func.func @select_mask_result(%a: tensor<?x4096xf32>) {
  // expected-error @below {{'sae.select_mask' op failed to verify that all of {input, result} have same type}}
  %0 = "sae.select_mask"(%a) <{kind = #sae<select_kind topk>, k = 32 : i64}> : (tensor<?x4096xf32>) -> tensor<?x2048xf32>
  return
}

//===----------------------------------------------------------------------===//
// sae.pad
//===----------------------------------------------------------------------===//

func.func @pad_counts(%z: tensor<?x128xf32>) {
  // expected-error @below {{'sae.pad' op needs one start and one limit per axis of [?, 4096], got 1 and 2}}
  %0 = sae.pad %z, starts = [0], limits = [-1, 128] : tensor<?x128xf32> -> tensor<?x4096xf32>
  return
}

// -----

func.func @pad_dynamic(%z: tensor<?x128xf32>) {
  // expected-error @below {{'sae.pad' op axis 0 of [?, 4096] is dynamic and can only be taken whole (start 0, limit -1), got 0:8}}
  %0 = sae.pad %z, starts = [0, 0], limits = [8, 128] : tensor<?x128xf32> -> tensor<?x4096xf32>
  return
}

// -----

func.func @pad_bounds(%z: tensor<?x128xf32>) {
  // expected-error @below {{'sae.pad' op slice 4000:4128 of axis 1 of [?, 4096] must satisfy 0 <= start <= limit <= 4096}}
  %0 = sae.pad %z, starts = [0, 4000], limits = [-1, 4128] : tensor<?x128xf32> -> tensor<?x4096xf32>
  return
}

// -----

func.func @pad_squeeze(%r: tensor<512xf32>) {
  // expected-error @below {{'sae.pad' op squeezed axes must increase, lie in [0, 2) and hold one element, got [0]}}
  %0 = sae.pad %r, starts = [3, 0], limits = [5, 512], squeeze = [0] : tensor<512xf32> -> tensor<4096x512xf32>
  return
}

// -----

func.func @pad_shape(%z: tensor<?x64xf32>) {
  // expected-error @below {{'sae.pad' op input shape must be [?, 128] (a slice of [?, 4096]), got [?, 64]}}
  %0 = sae.pad %z, starts = [0, 0], limits = [-1, 128] : tensor<?x64xf32> -> tensor<?x4096xf32>
  return
}

// -----

func.func @pad_type(%z: tensor<?x128xf32>) {
  // expected-error @below {{'sae.pad' op result element type 'f64' does not match input element type 'f32'}}
  %0 = sae.pad %z, starts = [0, 0], limits = [-1, 128] : tensor<?x128xf32> -> tensor<?x4096xf64>
  return
}

//===----------------------------------------------------------------------===//
// sae.unfilter
//===----------------------------------------------------------------------===//

func.func @unfilter_rows(%g: tensor<8x512xf32>) {
  // expected-error @below {{'sae.unfilter' op input must be per row, with the dynamic batch as axis 0, got [8, 512]}}
  %0 = sae.unfilter %g, image : tensor<8x512xf32>
  return
}

//===----------------------------------------------------------------------===//
// sae.auxk with a dead-latent mask
//===----------------------------------------------------------------------===//

// -----

func.func @auxk_dead_mask(%r: tensor<?x512xf32>, %p: tensor<?x4096xf32>, %w: tensor<4096x512xf32>, %d: tensor<2048xf32>) {
  // expected-error @below {{'sae.auxk' op dead_mask must have shape [4096] (the last dimension of [?, 4096]), got [2048]}}
  %0 = sae.auxk %r, %p, %w, k = 256, dead_mask = %d : tensor<?x512xf32>, tensor<?x4096xf32>, tensor<4096x512xf32>, tensor<2048xf32> -> tensor<f32>
  return
}

//===----------------------------------------------------------------------===//
// sae.adam_update
//===----------------------------------------------------------------------===//

// -----

func.func @adam_scalars(%p: tensor<8xf32>, %lr: tensor<1xf32>) {
  // expected-error @below {{'sae.adam_update' op lr and the bias corrections must be rank-0 tensors, got [1]}}
  %0:3 = sae.adam_update %p, %p, %p, %p, lr = %lr, bias_correction = (%lr, %lr), beta1 = 0.9, beta2 = 0.999, eps = 1.0e-8, weight_decay = 0.0 : tensor<8xf32>, tensor<1xf32>
  return
}

// -----

func.func @adam_scalar_type(%p: tensor<8xf32>, %lr: tensor<f64>) {
  // expected-error @below {{'sae.adam_update' op lr element type 'f64' does not match param element type 'f32'}}
  %0:3 = sae.adam_update %p, %p, %p, %p, lr = %lr, bias_correction = (%lr, %lr), beta1 = 0.9, beta2 = 0.999, eps = 1.0e-8, weight_decay = 0.0 : tensor<8xf32>, tensor<f64>
  return
}

// -----

func.func @adam_betas(%p: tensor<8xf32>, %lr: tensor<f32>) {
  // expected-error @below {{'sae.adam_update' op betas must lie in [0, 1), got 9.000000e-01 and 1.000000e+00}}
  %0:3 = sae.adam_update %p, %p, %p, %p, lr = %lr, bias_correction = (%lr, %lr), beta1 = 0.9, beta2 = 1.0, eps = 1.0e-8, weight_decay = 0.0 : tensor<8xf32>, tensor<f32>
  return
}

// -----

func.func @adam_eps(%p: tensor<8xf32>, %lr: tensor<f32>) {
  // expected-error @below {{'sae.adam_update' op eps must be positive, got 0.000000e+00}}
  %0:3 = sae.adam_update %p, %p, %p, %p, lr = %lr, bias_correction = (%lr, %lr), beta1 = 0.9, beta2 = 0.999, eps = 0.0, weight_decay = 0.0 : tensor<8xf32>, tensor<f32>
  return
}

// -----

func.func @adam_decay(%p: tensor<8xf32>, %lr: tensor<f32>) {
  // expected-error @below {{'sae.adam_update' op weight_decay must be >= 0, got -1.000000e-01}}
  %0:3 = sae.adam_update %p, %p, %p, %p, lr = %lr, bias_correction = (%lr, %lr), beta1 = 0.9, beta2 = 0.999, eps = 1.0e-8, weight_decay = -0.1 : tensor<8xf32>, tensor<f32>
  return
}

// -----

func.func @adam_types(%p: tensor<8xf32>, %g: tensor<4xf32>, %lr: tensor<f32>) {
  // expected-error @below {{'sae.adam_update' op failed to verify that all of {param, grad, m, v, new_param, new_m, new_v} have same type}}
  %0:3 = "sae.adam_update"(%p, %g, %p, %p, %lr, %lr, %lr) <{beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64, weight_decay = 0.0 : f64}> : (tensor<8xf32>, tensor<4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
  return
}

//===----------------------------------------------------------------------===//
// sae.project_tangent
//===----------------------------------------------------------------------===//

// -----

func.func @project_axis(%g: tensor<4096x512xf32>) {
  // expected-error @below {{'sae.project_tangent' op axis 2 is out of range for [4096, 512] of rank 2}}
  %0 = sae.project_tangent %g, %g, axis = 2 : tensor<4096x512xf32>
  return
}
