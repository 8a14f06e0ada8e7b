// RUN: prism-opt %s -split-input-file -sae-sparsify -cse -canonicalize | FileCheck %s

// The products of a TopK SAE's step with its code: the decode gathers k
// decoder rows, the decoder gradient scatters k rows, the code gradient is
// k dot products, the ReLU mask is read at the k kept entries only, and
// the encoder gradient is an index-add. No [B, n] product or ReLU is left.

func.func @topk.grad(%xc: tensor<?x4xf32> {sae.input = "x"},
                     %pre: tensor<?x6xf32> {sae.input = "pre"},
                     %W: tensor<6x4xf32> {sae.param = "W_dec"},
                     %g: tensor<?x4xf32> {sae.input = "g"})
    -> (tensor<?x4xf32> {sae.output = "xhat"},
        tensor<6x4xf32> {sae.grad = "W_dec"},
        tensor<4x6xf32> {sae.grad = "W_enc"})
    attributes {sae.entry = "grad", sae.model = "topk"} {
  %zero = arith.constant dense<0.0> : tensor<f32>
  %a = sae.relu %pre : tensor<?x6xf32>
  %z = sae.topk %a, k = 2 : tensor<?x6xf32>
  %xhat = sae.matmul %z, %W : tensor<?x6xf32>, tensor<6x4xf32> -> tensor<?x4xf32>
  %zt = sae.transpose %z : tensor<?x6xf32> -> tensor<6x?xf32>
  %gW = sae.matmul %zt, %g : tensor<6x?xf32>, tensor<?x4xf32> -> tensor<6x4xf32>
  %Wt = sae.transpose %W : tensor<6x4xf32> -> tensor<4x6xf32>
  %gz = sae.matmul %g, %Wt : tensor<?x4xf32>, tensor<4x6xf32> -> tensor<?x6xf32>
  %mask = sae.select_mask topk %a, k = 2 : tensor<?x6xf32>
  %gsel = sae.mul %gz, %mask : tensor<?x6xf32>, tensor<?x6xf32> -> tensor<?x6xf32>
  %pos = sae.cmp gt %pre, %zero : tensor<?x6xf32>, tensor<f32> -> tensor<?x6xf32>
  %gpre = sae.mul %gsel, %pos : tensor<?x6xf32>, tensor<?x6xf32> -> tensor<?x6xf32>
  %xt = sae.transpose %xc : tensor<?x4xf32> -> tensor<4x?xf32>
  %gWe = sae.matmul %xt, %gpre : tensor<4x?xf32>, tensor<?x6xf32> -> tensor<4x6xf32>
  return %xhat, %gW, %gWe : tensor<?x4xf32>, tensor<6x4xf32>, tensor<4x6xf32>
}

// CHECK-LABEL: func.func @topk.grad(
// CHECK-SAME:    %[[XC:[^:]*]]: tensor<?x4xf32> {sae.input = "x"}, %[[PRE:[^:]*]]: tensor<?x6xf32> {sae.input = "pre"}, %[[W:[^:]*]]: tensor<6x4xf32> {sae.param = "W_dec"}, %[[G:[^:]*]]: tensor<?x4xf32> {sae.input = "g"})
// topk(relu(pre)) selects on pre and applies the ReLU to the k values.
// CHECK:         %[[TOP:.*]], %[[I:.*]] = saek.topk %[[PRE]], k = 2
// CHECK:         %[[V:.*]] = sae.relu %[[TOP]] : tensor<?x2xf32>
// CHECK:         %[[XHAT:.*]] = saek.gather_decode %[[V]], %[[I]], %[[W]]
// CHECK:         %[[GW:.*]] = saek.scatter_rows %[[V]], %[[I]], %[[G]], n = 6 :
// CHECK:         %[[GV:.*]] = saek.gather_dot %[[G]], %[[I]], %[[W]]
// CHECK:         %[[PREK:.*]] = saek.gather %[[PRE]], %[[I]] : tensor<?x6xf32>, tensor<?x2xi32> -> tensor<?x2xf32>
// CHECK:         %[[POS:.*]] = sae.cmp gt %[[PREK]], %{{.*}} : tensor<?x2xf32>, tensor<f32> -> tensor<?x2xf32>
// CHECK:         %[[GK:.*]] = sae.mul %[[GV]], %[[POS]] : tensor<?x2xf32>, tensor<?x2xf32> -> tensor<?x2xf32>
// CHECK:         %[[GWE:.*]] = saek.scatter_rows %[[GK]], %[[I]], %[[XC]], n = 6 transposed
// CHECK-NOT:     sae.matmul
// CHECK-NOT:     sae.relu %{{.*}} : tensor<?x6xf32>
// CHECK:         return %[[XHAT]], %[[GW]], %[[GWE]]

// -----

// The batch sum of a code scatters its k values into n sums (a bias
// gradient); the batch sum of a product becomes one row through it, and
// that row is a batch sum too. A sum of codes is summed term by term.

func.func @sums.grad(%g: tensor<?x4xf32> {sae.input = "g"},
                     %a: tensor<?x6xf32> {sae.input = "a"},
                     %W: tensor<6x4xf32> {sae.param = "W"},
                     %E: tensor<4x6xf32> {sae.param = "E"})
    -> (tensor<6xf32> {sae.grad = "b"}, tensor<4xf32> {sae.grad = "c"})
    attributes {sae.entry = "grad", sae.model = "sums"} {
  %Wt = sae.transpose %W : tensor<6x4xf32> -> tensor<4x6xf32>
  %gz = sae.matmul %g, %Wt : tensor<?x4xf32>, tensor<4x6xf32> -> tensor<?x6xf32>
  %mask = sae.select_mask topk %a, k = 2 : tensor<?x6xf32>
  %gsel = sae.mul %gz, %mask : tensor<?x6xf32>, tensor<?x6xf32> -> tensor<?x6xf32>
  %z = sae.topk %a, k = 2 : tensor<?x6xf32>
  %both = sae.add %gsel, %z : tensor<?x6xf32>, tensor<?x6xf32> -> tensor<?x6xf32>
  %gb = sae.unbroadcast %both : tensor<?x6xf32> -> tensor<6xf32>
  %Et = sae.transpose %E : tensor<4x6xf32> -> tensor<6x4xf32>
  %back = sae.matmul %gsel, %Et : tensor<?x6xf32>, tensor<6x4xf32> -> tensor<?x4xf32>
  %gc = sae.unbroadcast %back : tensor<?x4xf32> -> tensor<4xf32>
  return %gb, %gc : tensor<6xf32>, tensor<4xf32>
}

// CHECK-LABEL: func.func @sums.grad(
// CHECK:         %[[V:.*]], %[[I:.*]] = saek.topk %{{.*}}, k = 2
// CHECK:         %[[GV:.*]] = saek.gather_dot
// CHECK:         %[[S1:.*]] = saek.scatter_sum %[[GV]], %[[I]], n = 6 : tensor<?x2xf32>, tensor<?x2xi32> -> tensor<6xf32>
// CHECK:         %[[S2:.*]] = saek.scatter_sum %[[V]], %[[I]], n = 6 : tensor<?x2xf32>, tensor<?x2xi32> -> tensor<6xf32>
// CHECK:         %[[GB:.*]] = sae.add %[[S1]], %[[S2]]
// CHECK:         %[[ROW:.*]] = saek.scatter_sum %[[GV]], %[[I]], n = 6 : tensor<?x2xf32>, tensor<?x2xi32> -> tensor<1x6xf32>
// CHECK:         %[[ONCE:.*]] = sae.matmul %[[ROW]], %{{.*}} : tensor<1x6xf32>, tensor<6x4xf32> -> tensor<1x4xf32>
// CHECK:         %[[GC:.*]] = sae.unbroadcast %[[ONCE]] : tensor<1x4xf32> -> tensor<4xf32>
// CHECK-NOT:     saek.scatter_dense
// CHECK:         return %[[GB]], %[[GC]]

// -----

// A code some op still reads densely is scattered from its k values, not
// formed by the dense product and mask. L0 counts among the k values, the
// rows each latent fired in are a scatter-sum of non-zero tests.

func.func @stats.train_step(%g: tensor<?x4xf32> {sae.input = "g"},
                            %a: tensor<?x6xf32> {sae.input = "a"},
                            %W: tensor<6x4xf32> {sae.param = "W"})
    -> (tensor<?x6xf32> {sae.output = "gz"}, tensor<?xf32> {sae.output = "l0"},
        tensor<6xf32> {sae.output = "fired"})
    attributes {sae.entry = "train_step", sae.model = "stats"} {
  %Wt = sae.transpose %W : tensor<6x4xf32> -> tensor<4x6xf32>
  %gz = sae.matmul %g, %Wt : tensor<?x4xf32>, tensor<4x6xf32> -> tensor<?x6xf32>
  %mask = sae.select_mask topk %a, k = 2 : tensor<?x6xf32>
  %gsel = sae.mul %gz, %mask : tensor<?x6xf32>, tensor<?x6xf32> -> tensor<?x6xf32>
  %z = sae.topk %a, k = 2 : tensor<?x6xf32>
  %l0 = sae.reduce count %z, axis = 1 : tensor<?x6xf32> -> tensor<?xf32>
  %fired = sae.reduce count %z, axis = 0 : tensor<?x6xf32> -> tensor<6xf32>
  return %gsel, %l0, %fired : tensor<?x6xf32>, tensor<?xf32>, tensor<6xf32>
}

// CHECK-LABEL: func.func @stats.train_step(
// CHECK:         %[[V:.*]], %[[I:.*]] = saek.topk %{{.*}}, k = 2
// CHECK:         %[[GV:.*]] = saek.gather_dot
// CHECK:         %[[DENSE:.*]] = saek.scatter_dense %[[GV]], %[[I]], n = 6
// CHECK:         %[[L0:.*]] = sae.reduce count %[[V]], axis = 1 : tensor<?x2xf32> -> tensor<?xf32>
// CHECK:         %[[NZ:.*]] = sae.cmp ne %[[V]], %{{.*}} : tensor<?x2xf32>, tensor<f32> -> tensor<?x2xf32>
// CHECK:         %[[FIRED:.*]] = saek.scatter_sum %[[NZ]], %[[I]], n = 6
// CHECK:         return %[[DENSE]], %[[L0]], %[[FIRED]]

// -----

// AuxK: the top-k among the dead latents, decoded sparsely; ineligible
// latents rank far below any value and count 0 when a row has fewer than k
// eligible ones. With no dead latent, or without a dead mask (evaluation),
// AuxK is 0.

func.func @aux.grad(%r: tensor<?x4xf32> {sae.input = "r"},
                    %pre: tensor<?x6xf32> {sae.input = "pre"},
                    %W: tensor<6x4xf32> {sae.param = "W"},
                    %dead: tensor<6xf32> {sae.state = "dead_mask"})
    -> (tensor<f32> {sae.output = "aux"}, tensor<f32> {sae.output = "eval"})
    attributes {sae.entry = "grad", sae.model = "aux"} {
  %l = sae.auxk %r, %pre, %W, k = 3, dead_mask = %dead : tensor<?x4xf32>, tensor<?x6xf32>, tensor<6x4xf32>, tensor<6xf32> -> tensor<f32>
  %e = sae.auxk %r, %pre, %W, k = 3 : tensor<?x4xf32>, tensor<?x6xf32>, tensor<6x4xf32> -> tensor<f32>
  return %l, %e : tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func.func @aux.grad(
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : tensor<f32>
// CHECK:         %[[ELIGIBLE:.*]] = sae.cmp ne %{{.*}}, %{{.*}} : tensor<6xf32>, tensor<f32> -> tensor<6xf32>
// CHECK:         %[[MASKED:.*]] = sae.sub %{{.*}}, %{{.*}} : tensor<?x6xf32>, tensor<6xf32> -> tensor<?x6xf32>
// CHECK:         %[[V:.*]], %[[I:.*]] = saek.topk %[[MASKED]], k = 3
// CHECK:         %[[KEPT:.*]] = sae.cmp gt
// CHECK:         %[[CODE:.*]] = sae.mul %{{.*}}, %[[KEPT]] : tensor<?x3xf32>
// CHECK:         %[[DEC:.*]] = saek.gather_decode %[[CODE]], %[[I]], %{{.*}}
// CHECK:         %[[MSE:.*]] = sae.mse %[[DEC]], %{{.*}}
// CHECK:         %[[DEAD:.*]] = sae.reduce sum %{{.*}} : tensor<6xf32> -> tensor<f32>
// CHECK:         %[[ANY:.*]] = sae.cmp gt %[[DEAD]], %[[ZERO]]
// CHECK:         %[[AUX:.*]] = sae.mul %[[MSE]], %[[ANY]]
// CHECK:         return %[[AUX]], %[[ZERO]]
