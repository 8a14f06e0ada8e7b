// RUN: prism-opt %s -split-input-file -sae-autodiff -verify-diagnostics | FileCheck %s

// One forward function per gradient rule (or a few related ones), checking
// the structure of the rule in the @M.grad that -sae-autodiff builds. The
// values are checked numerically by numeric-gradients.test.

// The signature: the forward arguments, the forward outputs, then one
// gradient per parameter in parameter order. add: g to both operands; sub: g
// and -g; a broadcast operand sums its cotangent back (sae.unbroadcast).

// CHECK-LABEL: func.func @bcast.grad(
// CHECK-SAME:    %[[X:.*]]: tensor<?x4xf32> {sae.input = "x"}, %[[B:.*]]: tensor<4xf32> {sae.param = "b"}, %[[S:.*]]: tensor<f32> {sae.param = "s"})
// CHECK-SAME:    -> (tensor<f32> {sae.output = "loss"}, tensor<4xf32> {sae.grad = "b"}, tensor<f32> {sae.grad = "s"})
// CHECK-SAME:    attributes {sae.entry = "grad", sae.model = "bcast"}
// CHECK:         %[[D:.*]] = sae.sub %[[S]], %{{.*}}
// CHECK:         %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK:         %[[G:.*]] = sae.broadcast %[[ONE]], %[[D]] : tensor<f32>, tensor<?x4xf32>
// CHECK:         %[[GS:.*]] = sae.unbroadcast %[[G]] : tensor<?x4xf32> -> tensor<f32>
// CHECK:         %[[NEG:.*]] = sae.neg %[[G]]
// CHECK:         %[[GB:.*]] = sae.unbroadcast %[[NEG]] : tensor<?x4xf32> -> tensor<4xf32>
// CHECK:         return %{{.*}}, %[[GB]], %[[GS]]
func.func @bcast.forward(%x: tensor<?x4xf32> {sae.input = "x"}, %b: tensor<4xf32> {sae.param = "b"}, %s: tensor<f32> {sae.param = "s"})
    -> (tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "forward", sae.model = "bcast"} {
  %0 = sae.add %x, %b : tensor<?x4xf32>, tensor<4xf32> -> tensor<?x4xf32>
  %1 = sae.sub %s, %0 : tensor<f32>, tensor<?x4xf32> -> tensor<?x4xf32>
  %2 = sae.reduce sum %1 : tensor<?x4xf32> -> tensor<f32>
  return %2 : tensor<f32>
}

// -----

// mul: (g·b, g·a); div: (g / b, -(g · (a / b)) / b).

// CHECK-LABEL: func.func @muldiv.grad(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<?x4xf32> {sae.input = "x"}, %[[A:[^:]*]]: tensor<4xf32> {sae.param = "a"}, %[[B:[^:]*]]: tensor<4xf32> {sae.param = "b"})
// CHECK:         %[[P:.*]] = sae.mul %[[X]], %[[A]]
// CHECK:         %[[Q:.*]] = sae.div %[[P]], %[[B]]
// CHECK:         %[[G:.*]] = sae.broadcast %{{.*}}, %[[Q]]
// CHECK:         %[[GQ:.*]] = sae.mul %[[G]], %[[Q]]
// CHECK:         %[[GP:.*]] = sae.div %[[G]], %[[B]]
// CHECK:         %[[T:.*]] = sae.div %[[GQ]], %[[B]]
// CHECK:         %[[TB:.*]] = sae.unbroadcast %[[T]] : tensor<?x4xf32> -> tensor<4xf32>
// CHECK:         %[[DB:.*]] = sae.neg %[[TB]]
// CHECK:         %[[U:.*]] = sae.mul %[[GP]], %[[X]]
// CHECK:         %[[DA:.*]] = sae.unbroadcast %[[U]] : tensor<?x4xf32> -> tensor<4xf32>
// CHECK:         return %{{.*}}, %[[DA]], %[[DB]]
func.func @muldiv.forward(%x: tensor<?x4xf32> {sae.input = "x"}, %a: tensor<4xf32> {sae.param = "a"}, %b: tensor<4xf32> {sae.param = "b"})
    -> (tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "forward", sae.model = "muldiv"} {
  %0 = sae.mul %x, %a : tensor<?x4xf32>, tensor<4xf32> -> tensor<?x4xf32>
  %1 = sae.div %0, %b : tensor<?x4xf32>, tensor<4xf32> -> tensor<?x4xf32>
  %2 = sae.reduce sum %1 : tensor<?x4xf32> -> tensor<f32>
  return %2 : tensor<f32>
}

// -----

// pow: (g · b · a^(b-1), g · a^b · log a), the exponent's summed back to
// its rank 0.

// CHECK-LABEL: func.func @pow.grad(
// CHECK-SAME:    %[[A:[^:]*]]: tensor<4xf32> {sae.param = "a"}, %[[E:[^:]*]]: tensor<f32> {sae.param = "e"})
// CHECK:         %[[Y:.*]] = sae.pow %[[A]], %[[E]]
// CHECK:         %[[ONE:.*]] = arith.constant dense<1.000000e+00>
// CHECK:         %[[G:.*]] = sae.broadcast %[[ONE]], %[[Y]]
// CHECK:         %[[EM1:.*]] = sae.sub %[[E]], %[[ONE]]
// CHECK:         %[[LOWER:.*]] = sae.pow %[[A]], %[[EM1]]
// CHECK:         %[[GE:.*]] = sae.mul %[[G]], %[[E]]
// CHECK:         %[[DA:.*]] = sae.mul %[[GE]], %[[LOWER]]
// CHECK:         %[[LOG:.*]] = sae.log %[[A]]
// CHECK:         %[[GY:.*]] = sae.mul %[[G]], %[[Y]]
// CHECK:         %[[T:.*]] = sae.mul %[[GY]], %[[LOG]]
// CHECK:         %[[DE:.*]] = sae.unbroadcast %[[T]] : tensor<4xf32> -> tensor<f32>
// CHECK:         return %{{.*}}, %[[DA]], %[[DE]]
func.func @pow.forward(%a: tensor<4xf32> {sae.param = "a"}, %e: tensor<f32> {sae.param = "e"})
    -> (tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "forward", sae.model = "pow"} {
  %0 = sae.pow %a, %e : tensor<4xf32>, tensor<f32> -> tensor<4xf32>
  %1 = sae.reduce sum %0 : tensor<4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}

// -----

// The unary rules, chained: relu g·[x > 0]; abs g·sign(x) with
// sign = [x > 0] - [x < 0]; sqrt g / (2 sqrt x); log g / x; exp g·e^x;
// neg -g.

// CHECK-LABEL: func.func @unary.grad(
// CHECK:         %[[N:.*]] = sae.neg %arg0
// CHECK:         %[[E:.*]] = sae.exp %[[N]]
// CHECK:         %[[L:.*]] = sae.log %[[E]]
// CHECK:         %[[S:.*]] = sae.sqrt %[[L]]
// CHECK:         %[[A:.*]] = sae.abs %[[S]]
// CHECK:         %[[R:.*]] = sae.relu %[[A]]
// CHECK:         %[[G:.*]] = sae.broadcast %{{.*}}, %[[R]]
// CHECK:         %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : tensor<f32>
// CHECK:         %[[ON:.*]] = sae.cmp gt %[[A]], %[[ZERO]]
// CHECK:         %[[G1:.*]] = sae.mul %[[G]], %[[ON]]
// CHECK:         %[[POS:.*]] = sae.cmp gt %[[S]], %[[ZERO]]
// CHECK:         %[[NEGV:.*]] = sae.cmp lt %[[S]], %[[ZERO]]
// CHECK:         %[[SIGN:.*]] = sae.sub %[[POS]], %[[NEGV]]
// CHECK:         %[[G2:.*]] = sae.mul %[[G1]], %[[SIGN]]
// CHECK:         %[[TWICE:.*]] = sae.add %[[S]], %[[S]]
// CHECK:         %[[G3:.*]] = sae.div %[[G2]], %[[TWICE]]
// CHECK:         %[[G4:.*]] = sae.div %[[G3]], %[[E]]
// CHECK:         %[[G5:.*]] = sae.mul %[[G4]], %[[E]]
// CHECK:         %[[G6:.*]] = sae.neg %[[G5]]
// CHECK:         return %{{.*}}, %[[G6]]
func.func @unary.forward(%a: tensor<4xf32> {sae.param = "a"})
    -> (tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "forward", sae.model = "unary"} {
  %0 = sae.neg %a : tensor<4xf32>
  %1 = sae.exp %0 : tensor<4xf32>
  %2 = sae.log %1 : tensor<4xf32>
  %3 = sae.sqrt %2 : tensor<4xf32>
  %4 = sae.abs %3 : tensor<4xf32>
  %5 = sae.relu %4 : tensor<4xf32>
  %6 = sae.reduce sum %5 : tensor<4xf32> -> tensor<f32>
  return %6 : tensor<f32>
}

// -----

// matmul: A's cotangent G Bᵀ is not built for an input; B's is Aᵀ G.
// transpose: Gᵀ.

// CHECK-LABEL: func.func @linear.grad(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<?x4xf32> {sae.input = "x"}, %[[W:[^:]*]]: tensor<8x4xf32> {sae.param = "w"})
// CHECK:         %[[WT:.*]] = sae.transpose %[[W]]
// CHECK:         %[[Y:.*]] = sae.matmul %[[X]], %[[WT]]
// CHECK:         %[[G:.*]] = sae.broadcast %{{.*}}, %[[Y]]
// CHECK:         %[[XT:.*]] = sae.transpose %[[X]] : tensor<?x4xf32> -> tensor<4x?xf32>
// CHECK:         %[[GWT:.*]] = sae.matmul %[[XT]], %[[G]] : tensor<4x?xf32>, tensor<?x8xf32> -> tensor<4x8xf32>
// CHECK:         %[[GW:.*]] = sae.transpose %[[GWT]] : tensor<4x8xf32> -> tensor<8x4xf32>
// CHECK:         return %{{.*}}, %[[GW]]
func.func @linear.forward(%x: tensor<?x4xf32> {sae.input = "x"}, %w: tensor<8x4xf32> {sae.param = "w"})
    -> (tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "forward", sae.model = "linear"} {
  %0 = sae.transpose %w : tensor<8x4xf32> -> tensor<4x8xf32>
  %1 = sae.matmul %x, %0 : tensor<?x4xf32>, tensor<4x8xf32> -> tensor<?x8xf32>
  %2 = sae.reduce sum %1 : tensor<?x8xf32> -> tensor<f32>
  return %2 : tensor<f32>
}

// -----

// The sparse selections pass g through the entries they keep, by the exact
// mask of the same selection of the same input.

// CHECK-LABEL: func.func @select.grad(
// CHECK:         %[[P:.*]] = sae.mul %arg0, %arg1
// CHECK:         %[[T:.*]] = sae.topk %[[P]], k = 2
// CHECK:         %[[TA:.*]] = sae.topk_abs %[[T]], k = 2
// CHECK:         %[[BT:.*]] = sae.batchtopk %[[TA]], k = 1
// CHECK:         %[[G:.*]] = sae.broadcast %{{.*}}, %[[BT]]
// CHECK:         %[[M1:.*]] = sae.select_mask batchtopk %[[TA]], k = 1 : tensor<?x8xf32>
// CHECK:         %[[G1:.*]] = sae.mul %[[G]], %[[M1]]
// CHECK:         %[[M2:.*]] = sae.select_mask topk_abs %[[T]], k = 2 : tensor<?x8xf32>
// CHECK:         %[[G2:.*]] = sae.mul %[[G1]], %[[M2]]
// CHECK:         %[[M3:.*]] = sae.select_mask topk %[[P]], k = 2 : tensor<?x8xf32>
// CHECK:         %[[G3:.*]] = sae.mul %[[G2]], %[[M3]]
// CHECK:         %[[G4:.*]] = sae.mul %[[G3]], %arg0
// CHECK:         %[[GA:.*]] = sae.unbroadcast %[[G4]] : tensor<?x8xf32> -> tensor<8xf32>
// CHECK:         return %{{.*}}, %[[GA]]
func.func @select.forward(%x: tensor<?x8xf32> {sae.input = "x"}, %a: tensor<8xf32> {sae.param = "a"})
    -> (tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "forward", sae.model = "select"} {
  %0 = sae.mul %x, %a : tensor<?x8xf32>, tensor<8xf32> -> tensor<?x8xf32>
  %1 = sae.topk %0, k = 2 : tensor<?x8xf32>
  %2 = sae.topk_abs %1, k = 2 : tensor<?x8xf32>
  %3 = sae.batchtopk %2, k = 1 : tensor<?x8xf32>
  %4 = sae.reduce sum %3 : tensor<?x8xf32> -> tensor<f32>
  return %4 : tensor<f32>
}

// -----

// jumprelu: x gets g·[x > θ] (not built here: x is an input); θ gets
// -(θ/ε) Σ_batch K((x - θ)/ε)·g with K = [|u| < 1/2]. Outputs other than
// the loss are returned too.

// CHECK-LABEL: func.func @jump.grad(
// CHECK-SAME:    %[[PRE:[^:]*]]: tensor<?x8xf32> {sae.input = "pre"}, %[[T:[^:]*]]: tensor<8xf32> {sae.param = "theta"})
// CHECK-SAME:    -> (tensor<?x8xf32> {sae.output = "z"}, tensor<f32> {sae.output = "loss"}, tensor<8xf32> {sae.grad = "theta"})
// CHECK:         %[[Z:.*]] = sae.jumprelu %[[PRE]], %[[T]], bandwidth = 1.000000e-03
// CHECK:         %[[G:.*]] = sae.broadcast %{{.*}}, %[[Z]]
// CHECK:         %[[EPS:.*]] = arith.constant dense<1.000000e-03> : tensor<f32>
// CHECK:         %[[D:.*]] = sae.sub %[[PRE]], %[[T]]
// CHECK:         %[[U:.*]] = sae.div %[[D]], %[[EPS]]
// CHECK:         %[[HALF:.*]] = arith.constant dense<5.000000e-01> : tensor<f32>
// CHECK:         %[[AU:.*]] = sae.abs %[[U]]
// CHECK:         %[[K:.*]] = sae.cmp lt %[[AU]], %[[HALF]]
// CHECK:         %[[GK:.*]] = sae.mul %[[G]], %[[K]]
// CHECK:         %[[SUM:.*]] = sae.unbroadcast %[[GK]] : tensor<?x8xf32> -> tensor<8xf32>
// CHECK:         %[[SCALE:.*]] = sae.div %[[T]], %[[EPS]]
// CHECK:         %[[PROD:.*]] = sae.mul %[[SCALE]], %[[SUM]]
// CHECK:         %[[GT:.*]] = sae.neg %[[PROD]]
// CHECK:         return %[[Z]], %{{.*}}, %[[GT]]
func.func @jump.forward(%pre: tensor<?x8xf32> {sae.input = "pre"}, %t: tensor<8xf32> {sae.param = "theta"})
    -> (tensor<?x8xf32> {sae.output = "z"}, tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "forward", sae.model = "jump"} {
  %0 = sae.jumprelu %pre, %t, bandwidth = 0.001 : tensor<?x8xf32>, tensor<8xf32>
  %1 = sae.reduce sum %0 : tensor<?x8xf32> -> tensor<f32>
  return %0, %1 : tensor<?x8xf32>, tensor<f32>
}

// -----

// jumprelu's x: g·[x > θ].

// CHECK-LABEL: func.func @jump_x.grad(
// CHECK:         %[[PRE:.*]] = sae.mul %arg0, %arg1
// CHECK:         %[[Z:.*]] = sae.jumprelu %[[PRE]], %arg2
// CHECK:         %[[G:.*]] = sae.broadcast %{{.*}}, %[[Z]]
// CHECK:         %[[OPEN:.*]] = sae.cmp gt %[[PRE]], %arg2 : tensor<?x8xf32>, tensor<8xf32> -> tensor<?x8xf32>
// CHECK:         %[[GX:.*]] = sae.mul %[[G]], %[[OPEN]]
// CHECK:         %[[GW:.*]] = sae.mul %[[GX]], %arg0
// CHECK:         sae.unbroadcast %[[GW]] : tensor<?x8xf32> -> tensor<8xf32>
func.func @jump_x.forward(%x: tensor<?x8xf32> {sae.input = "x"}, %w: tensor<8xf32> {sae.param = "w"}, %t: tensor<8xf32> {sae.param = "theta"})
    -> (tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "forward", sae.model = "jump_x"} {
  %pre = sae.mul %x, %w : tensor<?x8xf32>, tensor<8xf32> -> tensor<?x8xf32>
  %0 = sae.jumprelu %pre, %t, bandwidth = 0.001 : tensor<?x8xf32>, tensor<8xf32>
  %1 = sae.reduce sum %0 : tensor<?x8xf32> -> tensor<f32>
  return %1 : tensor<f32>
}

// -----

// step: θ gets -(1/ε) Σ_batch K((x - θ)/ε)·g; x gets nothing (the paper's
// convention), so a weight reached only through the step's input has a zero
// gradient. mean over all axes: g / size, broadcast.

// CHECK-LABEL: func.func @step.grad(
// CHECK-SAME:    -> (tensor<f32> {sae.output = "loss"}, tensor<4x8xf32> {sae.grad = "w"}, tensor<8xf32> {sae.grad = "theta"})
// CHECK:         %[[PRE:.*]] = sae.matmul %arg0, %arg1
// CHECK:         %[[H:.*]] = sae.step %[[PRE]], %arg2, bandwidth = 2.000000e-03
// CHECK:         %[[ONE:.*]] = arith.constant dense<1.000000e+00>
// CHECK:         %[[N:.*]] = sae.size %[[H]] : tensor<?x8xf32> -> tensor<f32>
// CHECK:         %[[INV:.*]] = sae.div %[[ONE]], %[[N]]
// CHECK:         %[[G:.*]] = sae.broadcast %[[INV]], %[[H]] : tensor<f32>, tensor<?x8xf32>
// CHECK:         %[[EPS:.*]] = arith.constant dense<2.000000e-03>
// CHECK:         %[[K:.*]] = sae.cmp lt
// CHECK:         %[[GK:.*]] = sae.mul %[[G]], %[[K]]
// CHECK:         %[[SUM:.*]] = sae.unbroadcast %[[GK]] : tensor<?x8xf32> -> tensor<8xf32>
// CHECK:         %[[SCALED:.*]] = sae.div %[[SUM]], %[[EPS]]
// CHECK:         %[[GT:.*]] = sae.neg %[[SCALED]]
// CHECK:         %[[GW:.*]] = arith.constant dense<0.000000e+00> : tensor<4x8xf32>
// CHECK:         return %{{.*}}, %[[GW]], %[[GT]]
func.func @step.forward(%x: tensor<?x4xf32> {sae.input = "x"}, %w: tensor<4x8xf32> {sae.param = "w"}, %t: tensor<8xf32> {sae.param = "theta"})
    -> (tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "forward", sae.model = "step"} {
  %pre = sae.matmul %x, %w : tensor<?x4xf32>, tensor<4x8xf32> -> tensor<?x8xf32>
  %0 = sae.step %pre, %t, bandwidth = 0.002 : tensor<?x8xf32>, tensor<8xf32>
  %1 = sae.reduce mean %0 : tensor<?x8xf32> -> tensor<f32>
  return %1 : tensor<f32>
}

// -----

// Reductions along an axis: mean g / size repeated; norm g · x / ‖x‖
// (normalize keeps 0 for a zero slice); max g shared by the entries equal to
// the maximum.

// CHECK-LABEL: func.func @reduce.grad(
// CHECK-SAME:    %[[W:[^:]*]]: tensor<8x4xf32> {sae.param = "w"})
// CHECK:         %[[MAX:.*]] = sae.reduce max %[[W]], axis = 1
// CHECK:         %[[NORM:.*]] = sae.reduce norm %[[W]], axis = 0
// CHECK:         %[[ONE:.*]] = arith.constant dense<1.000000e+00>
// CHECK:         %[[GN:.*]] = sae.broadcast %[[ONE]], %[[NORM]] : tensor<f32>, tensor<4xf32>
// CHECK:         %[[ROWS:.*]] = sae.size %[[MAX]], axis = 0
// CHECK:         %[[MEAN:.*]] = sae.div %[[ONE]], %[[ROWS]]
// CHECK:         %[[GM:.*]] = sae.broadcast %[[MEAN]], %[[MAX]], axis = 0 : tensor<f32>, tensor<8xf32>
// CHECK:         %[[U:.*]] = sae.normalize %[[W]], axis = 0
// CHECK:         %[[GNB:.*]] = sae.broadcast %[[GN]], %[[W]], axis = 0 : tensor<4xf32>, tensor<8x4xf32>
// CHECK:         %[[D1:.*]] = sae.mul %[[GNB]], %[[U]]
// CHECK:         %[[MB:.*]] = sae.broadcast %[[MAX]], %[[W]], axis = 1 : tensor<8xf32>, tensor<8x4xf32>
// CHECK:         %[[AT:.*]] = sae.cmp eq %[[W]], %[[MB]]
// CHECK:         %[[TIES:.*]] = sae.reduce sum %[[AT]], axis = 1
// CHECK:         %[[SHARE:.*]] = sae.div %[[GM]], %[[TIES]]
// CHECK:         %[[SB:.*]] = sae.broadcast %[[SHARE]], %[[W]], axis = 1
// CHECK:         %[[D2:.*]] = sae.mul %[[SB]], %[[AT]]
// CHECK:         %[[GW:.*]] = sae.add %[[D1]], %[[D2]]
// CHECK:         return %{{.*}}, %[[GW]]
func.func @reduce.forward(%w: tensor<8x4xf32> {sae.param = "w"})
    -> (tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "forward", sae.model = "reduce"} {
  %0 = sae.reduce max %w, axis = 1 : tensor<8x4xf32> -> tensor<8xf32>
  %1 = sae.reduce norm %w, axis = 0 : tensor<8x4xf32> -> tensor<4xf32>
  %2 = sae.reduce mean %0, axis = 0 : tensor<8xf32> -> tensor<f32>
  %3 = sae.reduce sum %1 : tensor<4xf32> -> tensor<f32>
  %4 = sae.add %2, %3 : tensor<f32>, tensor<f32> -> tensor<f32>
  return %4 : tensor<f32>
}

// -----

// normalize: (g - u ⟨g, u⟩) / ‖x‖, 0 where ‖x‖ = 0; cos = Â B̂ᵀ through
// normalize; dist: H = G / D (0 where D = 0), dB = colsum(H) · B - Hᵀ A.

// CHECK-LABEL: func.func @geometry.grad(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<?x4xf32> {sae.input = "x"}, %[[W:[^:]*]]: tensor<8x4xf32> {sae.param = "w"})
// CHECK:         %[[U:.*]] = sae.normalize %[[W]], axis = 1
// CHECK:         %[[D:.*]] = sae.dist %[[X]], %[[U]]
// CHECK:         %[[C:.*]] = sae.cos %[[X]], %[[W]]
// CHECK:         %[[G:.*]] = sae.broadcast
// cos: B̂'s cotangent Gᵀ Â, then through the row normalisation of w.
// CHECK:         %[[XHAT:.*]] = sae.normalize %[[X]], axis = 1
// CHECK:         %[[GT:.*]] = sae.transpose %[[G]]
// CHECK:         %[[GUC:.*]] = sae.matmul %[[GT]], %[[XHAT]]
// CHECK:         %[[GU:.*]] = sae.mul %[[GUC]], %[[U]]
// CHECK:         %[[DOT:.*]] = sae.reduce sum %[[GU]], axis = 1
// CHECK:         %[[DOTB:.*]] = sae.broadcast %[[DOT]], %[[W]], axis = 1
// CHECK:         %[[PAR:.*]] = sae.mul %[[U]], %[[DOTB]]
// CHECK:         %[[TAN:.*]] = sae.sub %[[GUC]], %[[PAR]]
// CHECK:         %[[NW:.*]] = sae.reduce norm %[[W]], axis = 1
// CHECK:         %[[NWB:.*]] = sae.broadcast %[[NW]], %[[W]], axis = 1
// CHECK:         %[[GCOS:.*]] = sae.div_no_nan %[[TAN]], %[[NWB]]
// dist
// CHECK:         %[[H:.*]] = sae.div_no_nan %[[G]], %[[D]] : tensor<?x8xf32>
// CHECK:         %[[COLS:.*]] = sae.reduce sum %[[H]], axis = 0
// CHECK:         %[[HT:.*]] = sae.transpose %[[H]]
// CHECK:         %[[HTA:.*]] = sae.matmul %[[HT]], %[[X]]
// CHECK:         %[[COLSB:.*]] = sae.broadcast %[[COLS]], %[[U]], axis = 1
// CHECK:         %[[CB:.*]] = sae.mul %[[COLSB]], %[[U]]
// CHECK:         %[[GDIST:.*]] = sae.sub %[[CB]], %[[HTA]]
// CHECK:         %[[GN:.*]] = sae.div_no_nan %{{.*}}, %[[NWB]]
// CHECK:         %[[GW:.*]] = sae.add %[[GCOS]], %[[GN]]
// CHECK:         return %{{.*}}, %[[GW]]
func.func @geometry.forward(%x: tensor<?x4xf32> {sae.input = "x"}, %w: tensor<8x4xf32> {sae.param = "w"})
    -> (tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "forward", sae.model = "geometry"} {
  %0 = sae.normalize %w, axis = 1 : tensor<8x4xf32>
  %1 = sae.dist %x, %0 : tensor<?x4xf32>, tensor<8x4xf32> -> tensor<?x8xf32>
  %2 = sae.cos %x, %w : tensor<?x4xf32>, tensor<8x4xf32> -> tensor<?x8xf32>
  %3 = sae.add %1, %2 : tensor<?x8xf32>, tensor<?x8xf32> -> tensor<?x8xf32>
  %4 = sae.reduce sum %3 : tensor<?x8xf32> -> tensor<f32>
  return %4 : tensor<f32>
}

// -----

// dist: dA = rowsum(H) · A - H B for the left operand.

// CHECK-LABEL: func.func @dist_lhs.grad(
// CHECK-SAME:    %[[A:[^:]*]]: tensor<8x4xf32> {sae.param = "a"}, %[[B:[^:]*]]: tensor<3x4xf32> {sae.input = "b"})
// CHECK:         %[[D:.*]] = sae.dist %[[A]], %[[B]]
// CHECK:         %[[H:.*]] = sae.div_no_nan %{{.*}}, %[[D]] : tensor<8x3xf32>
// CHECK:         %[[ROWS:.*]] = sae.reduce sum %[[H]], axis = 1 : tensor<8x3xf32> -> tensor<8xf32>
// CHECK-DAG:     %[[RB:.*]] = sae.broadcast %[[ROWS]], %[[A]], axis = 1
// CHECK-DAG:     %[[RA:.*]] = sae.mul %[[RB]], %[[A]]
// CHECK-DAG:     %[[HB:.*]] = sae.matmul %[[H]], %[[B]] : tensor<8x3xf32>, tensor<3x4xf32> -> tensor<8x4xf32>
// CHECK:         %[[GA:.*]] = sae.sub %[[RA]], %[[HB]]
// CHECK:         return %{{.*}}, %[[GA]]
func.func @dist_lhs.forward(%a: tensor<8x4xf32> {sae.param = "a"}, %b: tensor<3x4xf32> {sae.input = "b"})
    -> (tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "forward", sae.model = "dist_lhs"} {
  %0 = sae.dist %a, %b : tensor<8x4xf32>, tensor<3x4xf32> -> tensor<8x3xf32>
  %1 = sae.reduce sum %0 : tensor<8x3xf32> -> tensor<f32>
  return %1 : tensor<f32>
}

// -----

// Modalities: a filtered mse divides by the rows of that modality (sae.size
// of the filtered operand); filter's cotangent goes back to the rows of its
// modality (sae.unfilter); by_modality routes each modality's rows to its
// branch.

// CHECK-LABEL: func.func @modality.grad(
// CHECK:         %[[I:.*]] = sae.mul %arg0, %arg1
// CHECK:         %[[T:.*]] = sae.mul %arg0, %arg2
// CHECK:         %[[SEL:.*]] = sae.select_modality %[[I]], %[[T]]
// CHECK:         %[[FA:.*]] = sae.filter %[[SEL]], image
// CHECK:         %[[FB:.*]] = sae.filter %arg0, image
// CHECK:         %[[N:.*]] = sae.size %[[FA]] : tensor<?x4xf32> -> tensor<f32>
// CHECK:         %[[TWO:.*]] = arith.constant dense<2.000000e+00>
// CHECK:         %[[SCALE:.*]] = sae.div %[[TWO]], %[[N]]
// CHECK:         %[[DIFF:.*]] = sae.sub %[[FA]], %[[FB]]
// CHECK:         %[[GF:.*]] = sae.mul %[[SCALE]], %[[DIFF]]
// CHECK:         %[[GSEL:.*]] = sae.unfilter %[[GF]], image
// CHECK:         %[[GI1:.*]] = sae.filter %[[GSEL]], image
// CHECK:         %[[GI:.*]] = sae.unfilter %[[GI1]], image
// CHECK:         %[[GT1:.*]] = sae.filter %[[GSEL]], text
// CHECK:         %[[GT:.*]] = sae.unfilter %[[GT1]], text
// CHECK:         %[[GB:.*]] = sae.mul %[[GT]], %arg0
// CHECK:         %[[DB:.*]] = sae.unbroadcast %[[GB]]
// CHECK:         %[[GA:.*]] = sae.mul %[[GI]], %arg0
// CHECK:         %[[DA:.*]] = sae.unbroadcast %[[GA]]
// CHECK:         return %{{.*}}, %[[DA]], %[[DB]]
func.func @modality.forward(%x: tensor<?x4xf32> {sae.input = "x"}, %a: tensor<4xf32> {sae.param = "a"}, %b: tensor<4xf32> {sae.param = "b"})
    -> (tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "forward", sae.model = "modality"} {
  %0 = sae.mul %x, %a : tensor<?x4xf32>, tensor<4xf32> -> tensor<?x4xf32>
  %1 = sae.mul %x, %b : tensor<?x4xf32>, tensor<4xf32> -> tensor<?x4xf32>
  %2 = sae.select_modality %0, %1 : tensor<?x4xf32>
  %3 = sae.filter %2, image : tensor<?x4xf32>
  %4 = sae.filter %x, image : tensor<?x4xf32>
  %5 = sae.mse %3, %4 : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  return %5 : tensor<f32>
}

// -----

// slice: pad back with zeros (squeezed axes put back); two slices of one
// parameter add up.

// CHECK-LABEL: func.func @slice.grad(
// CHECK-SAME:    %[[Z:[^:]*]]: tensor<?x8xf32> {sae.input = "z"}, %[[W:[^:]*]]: tensor<8x4xf32> {sae.param = "w"})
// CHECK:         %[[ZS:.*]] = sae.slice %[[Z]], starts = [0, 0], limits = [-1, 2]
// CHECK:         %[[WS:.*]] = sae.slice %[[W]], starts = [0, 0], limits = [2, 4]
// CHECK:         %[[R:.*]] = sae.slice %[[W]], starts = [5, 0], limits = [6, 4], squeeze = [0]
// CHECK:         %[[GR:.*]] = sae.unbroadcast %{{.*}} : tensor<?x4xf32> -> tensor<4xf32>
// CHECK:         %[[P1:.*]] = sae.pad %[[GR]], starts = [5, 0], limits = [6, 4], squeeze = [0] : tensor<4xf32> -> tensor<8x4xf32>
// CHECK:         %[[GWS:.*]] = sae.matmul %{{.*}} : tensor<2x?xf32>, tensor<?x4xf32> -> tensor<2x4xf32>
// CHECK:         %[[P2:.*]] = sae.pad %[[GWS]], starts = [0, 0], limits = [2, 4] : tensor<2x4xf32> -> tensor<8x4xf32>
// CHECK:         %[[GW:.*]] = sae.add %[[P1]], %[[P2]]
// CHECK:         return %{{.*}}, %[[GW]]
func.func @slice.forward(%z: tensor<?x8xf32> {sae.input = "z"}, %w: tensor<8x4xf32> {sae.param = "w"})
    -> (tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "forward", sae.model = "slice"} {
  %0 = sae.slice %z, starts = [0, 0], limits = [-1, 2] : tensor<?x8xf32> -> tensor<?x2xf32>
  %1 = sae.slice %w, starts = [0, 0], limits = [2, 4] : tensor<8x4xf32> -> tensor<2x4xf32>
  %2 = sae.matmul %0, %1 : tensor<?x2xf32>, tensor<2x4xf32> -> tensor<?x4xf32>
  %3 = sae.slice %w, starts = [5, 0], limits = [6, 4], squeeze = [0] : tensor<8x4xf32> -> tensor<4xf32>
  %4 = sae.mul %2, %3 : tensor<?x4xf32>, tensor<4xf32> -> tensor<?x4xf32>
  %5 = sae.reduce sum %4 : tensor<?x4xf32> -> tensor<f32>
  return %5 : tensor<f32>
}

// -----

// l1 = Σ |z| · w / R, R = size / n the rows: z gets g · sign(z) · w / R,
// the weight Σ_rows g · |z| / R, and the weight's own gradient (a row norm)
// flows on to W_dec. The unweighted l1 adds g · sign(z) / R.

// CHECK-LABEL: func.func @l1.grad(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<?x4xf32> {sae.input = "x"}, %[[E:[^:]*]]: tensor<4x8xf32> {sae.param = "W_enc"}, %[[D:[^:]*]]: tensor<8x4xf32> {sae.param = "W_dec"})
// CHECK:         %[[Z:.*]] = sae.matmul %[[X]], %[[E]]
// CHECK:         %[[NORM:.*]] = sae.reduce norm %[[D]], axis = 1
// CHECK:         sae.l1 %[[Z]], weight = %[[NORM]]
// CHECK:         sae.l1 %[[Z]] :
// CHECK:         %[[N:.*]] = arith.constant dense<8.000000e+00>
// CHECK:         %[[SIZE:.*]] = sae.size %[[Z]] : tensor<?x8xf32> -> tensor<f32>
// CHECK:         %[[ROWS:.*]] = sae.div %[[SIZE]], %[[N]]
// CHECK:         %[[SCALE:.*]] = sae.div %{{.*}}, %[[ROWS]]
// CHECK:         %[[POS:.*]] = sae.cmp gt %[[Z]]
// CHECK:         %[[NEG:.*]] = sae.cmp lt %[[Z]]
// CHECK:         %[[SIGN:.*]] = sae.sub %[[POS]], %[[NEG]]
// CHECK:         %[[GZ:.*]] = sae.mul %[[SCALE]], %[[SIGN]]
// CHECK:         %[[ABS:.*]] = sae.abs %[[Z]]
// CHECK:         %[[GWF:.*]] = sae.mul %[[SCALE]], %[[ABS]]
// CHECK:         %[[GZW:.*]] = sae.mul %[[GZ]], %[[NORM]]
// CHECK:         %[[GW:.*]] = sae.unbroadcast %[[GWF]] : tensor<?x8xf32> -> tensor<8xf32>
// CHECK:         %[[GZT:.*]] = sae.add %[[GZ]], %[[GZW]]
// CHECK:         %[[U:.*]] = sae.normalize %[[D]], axis = 1
// CHECK:         %[[GWB:.*]] = sae.broadcast %[[GW]], %[[D]], axis = 1
// CHECK:         %[[GD:.*]] = sae.mul %[[GWB]], %[[U]]
// CHECK:         %[[XT:.*]] = sae.transpose %[[X]]
// CHECK:         %[[GE:.*]] = sae.matmul %[[XT]], %[[GZT]]
// CHECK:         return %{{.*}}, %[[GE]], %[[GD]]
func.func @l1.forward(%x: tensor<?x4xf32> {sae.input = "x"}, %e: tensor<4x8xf32> {sae.param = "W_enc"}, %d: tensor<8x4xf32> {sae.param = "W_dec"})
    -> (tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "forward", sae.model = "l1"} {
  %z = sae.matmul %x, %e : tensor<?x4xf32>, tensor<4x8xf32> -> tensor<?x8xf32>
  %n = sae.reduce norm %d, axis = 1 : tensor<8x4xf32> -> tensor<8xf32>
  %0 = sae.l1 %z, weight = %n : tensor<?x8xf32>, tensor<8xf32> -> tensor<f32>
  %1 = sae.l1 %z : tensor<?x8xf32> -> tensor<f32>
  %2 = sae.add %0, %1 : tensor<f32>, tensor<f32> -> tensor<f32>
  return %2 : tensor<f32>
}

// -----

// The forward function keeps its three-operand auxk.
// CHECK-LABEL: func.func @auxk.forward(
// CHECK:         sae.auxk %{{.*}}, %{{.*}}, %{{.*}}, k = 3 : tensor

// auxk: the function gets the dead-latent mask after the parameters and
// passes it to every sae.auxk. With M the top-k among the dead latents and
// S = pre · M: pre gets (dÊ Wᵀ) · M, W_dec gets Sᵀ dÊ, dÊ = 2 (S W - r) / N;
// the residual r is a target and gets nothing, so x - xhat does not feed
// back into the decoder.

// CHECK-LABEL: func.func @auxk.grad(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<?x4xf32> {sae.input = "x"}, %[[E:[^:]*]]: tensor<4x8xf32> {sae.param = "W_enc"}, %[[D:[^:]*]]: tensor<8x4xf32> {sae.param = "W_dec"}, %[[DEAD:[^:]*]]: tensor<8xf32> {sae.state = "dead_mask"})
// CHECK-SAME:    -> (tensor<?x8xf32> {sae.output = "pre"}, tensor<f32> {sae.output = "loss"}, tensor<4x8xf32> {sae.grad = "W_enc"}, tensor<8x4xf32> {sae.grad = "W_dec"})
// CHECK:         %[[PRE:.*]] = sae.matmul %[[X]], %[[E]]
// CHECK:         %[[R:.*]] = sae.sub %[[X]], %{{.*}}
// CHECK:         %[[AUX:.*]] = sae.auxk %[[R]], %[[PRE]], %[[D]], k = 3, dead_mask = %[[DEAD]]
// CHECK:         %[[M:.*]] = sae.select_mask topk %[[PRE]], k = 3, among = %[[DEAD]] : tensor<?x8xf32>, tensor<8xf32>
// CHECK:         %[[S:.*]] = sae.mul %[[PRE]], %[[M]]
// CHECK:         %[[EHAT:.*]] = sae.matmul %[[S]], %[[D]]
// CHECK:         %[[N:.*]] = sae.size %[[EHAT]]
// CHECK:         %[[DIFF:.*]] = sae.sub %[[EHAT]], %[[R]]
// CHECK:         %[[GE:.*]] = sae.mul %{{.*}}, %[[DIFF]]
// CHECK:         %[[DT:.*]] = sae.transpose %[[D]]
// CHECK:         %[[GP:.*]] = sae.matmul %[[GE]], %[[DT]]
// CHECK:         %[[GPRE:.*]] = sae.mul %[[GP]], %[[M]]
// CHECK:         %[[ST:.*]] = sae.transpose %[[S]]
// CHECK:         %[[GD:.*]] = sae.matmul %[[ST]], %[[GE]]
// CHECK:         %[[XT:.*]] = sae.transpose %[[X]]
// CHECK:         %[[GENC:.*]] = sae.matmul %[[XT]], %[[GPRE]]
// CHECK:         return %[[PRE]], %[[AUX]], %[[GENC]], %[[GD]]
func.func @auxk.forward(%x: tensor<?x4xf32> {sae.input = "x"}, %e: tensor<4x8xf32> {sae.param = "W_enc"}, %d: tensor<8x4xf32> {sae.param = "W_dec"})
    -> (tensor<?x8xf32> {sae.output = "pre"}, tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "forward", sae.model = "auxk"} {
  %pre = sae.matmul %x, %e : tensor<?x4xf32>, tensor<4x8xf32> -> tensor<?x8xf32>
  %z = sae.topk %pre, k = 2 : tensor<?x8xf32>
  %xhat = sae.matmul %z, %d : tensor<?x8xf32>, tensor<8x4xf32> -> tensor<?x4xf32>
  %r = sae.sub %x, %xhat : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<?x4xf32>
  %0 = sae.auxk %r, %pre, %d, k = 3 : tensor<?x4xf32>, tensor<?x8xf32>, tensor<8x4xf32> -> tensor<f32>
  return %pre, %0 : tensor<?x8xf32>, tensor<f32>
}

// -----

// A value used twice sums its cotangents; a parameter the loss ignores gets
// zeros.

// CHECK-LABEL: func.func @reuse.grad(
// CHECK-SAME:    -> (tensor<f32> {sae.output = "loss"}, tensor<4xf32> {sae.grad = "w"}, tensor<4xf32> {sae.grad = "unused"})
// CHECK:         %[[G:.*]] = sae.broadcast
// CHECK:         %[[GW:.*]] = sae.mul %[[G]], %arg0
// CHECK:         %[[SUM:.*]] = sae.add %[[GW]], %[[GW]]
// CHECK:         %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK:         return %{{.*}}, %[[SUM]], %[[ZERO]]
func.func @reuse.forward(%w: tensor<4xf32> {sae.param = "w"}, %u: tensor<4xf32> {sae.param = "unused"})
    -> (tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "forward", sae.model = "reuse"} {
  %0 = sae.mul %w, %w : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  %1 = sae.reduce sum %0 : tensor<4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}

// -----

// Functions that are not forward entry points, and forward functions
// without a loss, get no gradient.

// CHECK-LABEL: func.func @helper
// CHECK-NOT:   .grad
func.func @helper(%w: tensor<4xf32> {sae.param = "w"}) -> (tensor<f32> {sae.output = "loss"}) {
  %0 = sae.reduce sum %w : tensor<4xf32> -> tensor<f32>
  return %0 : tensor<f32>
}
func.func @eval.forward(%w: tensor<4xf32> {sae.param = "w"}) -> (tensor<f32> {sae.output = "total"})
    attributes {sae.entry = "forward", sae.model = "eval"} {
  %0 = sae.reduce sum %w : tensor<4xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Errors: a loss that depends on a parameter through an op without a
// gradient rule names the op.

func.func @through_cmp.forward(%x: tensor<?x4xf32> {sae.input = "x"}, %w: tensor<4xf32> {sae.param = "w"})
    -> (tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "forward", sae.model = "through_cmp"} {
  %zero = arith.constant dense<0.0> : tensor<f32>
  %0 = sae.mul %x, %w : tensor<?x4xf32>, tensor<4xf32> -> tensor<?x4xf32>
  // expected-error @below {{'sae.cmp' op has no gradient rule, but the loss depends on a parameter through it}}
  %1 = sae.cmp gt %0, %zero : tensor<?x4xf32>, tensor<f32> -> tensor<?x4xf32>
  %2 = sae.reduce mean %1 : tensor<?x4xf32> -> tensor<f32>
  return %2 : tensor<f32>
}

// -----

func.func @through_count.forward(%w: tensor<4xf32> {sae.param = "w"})
    -> (tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "forward", sae.model = "through_count"} {
  // expected-error @below {{'sae.reduce' op has no gradient rule, but the loss depends on a parameter through it}}
  %0 = sae.reduce count %w : tensor<4xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @through_outer.forward(%x: tensor<?x4xf32> {sae.input = "x"}, %w: tensor<4xf32> {sae.param = "w"})
    -> (tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "forward", sae.model = "through_outer"} {
  %0 = sae.mul %x, %w : tensor<?x4xf32>, tensor<4xf32> -> tensor<?x4xf32>
  // expected-error @below {{'sae.outer' op has no gradient rule, but the loss depends on a parameter through it}}
  %1 = sae.outer %0, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<?x4x4xf32>
  %2 = sae.reduce sum %1 : tensor<?x4x4xf32> -> tensor<f32>
  return %2 : tensor<f32>
}

// -----

// A comparison off the path to the loss is fine.

// CHECK-LABEL: func.func @beside_cmp.grad(
// CHECK:         sae.cmp gt
// CHECK:         return
func.func @beside_cmp.forward(%x: tensor<?x4xf32> {sae.input = "x"}, %w: tensor<4xf32> {sae.param = "w"})
    -> (tensor<?x4xf32> {sae.output = "fired"}, tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "forward", sae.model = "beside_cmp"} {
  %zero = arith.constant dense<0.0> : tensor<f32>
  %0 = sae.mul %x, %w : tensor<?x4xf32>, tensor<4xf32> -> tensor<?x4xf32>
  %1 = sae.cmp gt %0, %zero : tensor<?x4xf32>, tensor<f32> -> tensor<?x4xf32>
  %2 = sae.reduce sum %0 : tensor<?x4xf32> -> tensor<f32>
  return %1, %2 : tensor<?x4xf32>, tensor<f32>
}

// -----

// expected-note @below {{defined here}}
func.func @taken.grad() {
  return
}
// expected-error @below {{cannot create @taken.grad: the symbol is already defined}}
func.func @taken.forward(%w: tensor<4xf32> {sae.param = "w"})
    -> (tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "forward", sae.model = "taken"} {
  %0 = sae.reduce sum %w : tensor<4xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @two_masks.forward(%r: tensor<?x4xf32> {sae.input = "r"}, %p: tensor<?x8xf32> {sae.input = "p"}, %q: tensor<?x6xf32> {sae.input = "q"},
                             %d: tensor<8x4xf32> {sae.param = "d"}, %e: tensor<6x4xf32> {sae.param = "e"})
    -> (tensor<f32> {sae.output = "loss"}) attributes {sae.entry = "forward", sae.model = "two_masks"} {
  %0 = sae.auxk %r, %p, %d, k = 2 : tensor<?x4xf32>, tensor<?x8xf32>, tensor<8x4xf32> -> tensor<f32>
  // expected-error @below {{'sae.auxk' op reads a dead-latent mask of type 'tensor<6xf32>', but another AuxK loss reads 'tensor<8xf32>'}}
  %1 = sae.auxk %r, %q, %e, k = 2 : tensor<?x4xf32>, tensor<?x6xf32>, tensor<6x4xf32> -> tensor<f32>
  %2 = sae.add %0, %1 : tensor<f32>, tensor<f32> -> tensor<f32>
  return %2 : tensor<f32>
}

// -----

// expected-error @below {{'func.func' op loss must be a rank-0 tensor, got 'tensor<4xf32>'}}
func.func @vector_loss.forward(%w: tensor<4xf32> {sae.param = "w"})
    -> (tensor<4xf32> {sae.output = "loss"}) attributes {sae.entry = "forward", sae.model = "vector_loss"} {
  return %w : tensor<4xf32>
}
