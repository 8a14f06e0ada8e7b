// RUN: prism-opt %s -split-input-file -convert-sae-to-saek -verify-diagnostics | FileCheck %s

// Elementwise ops become all-parallel linalg.generic kernels whose maps do
// numpy broadcasting; the batch size comes from the first batched argument.

func.func @m.forward(%x: tensor<?x4xf32> {sae.input = "x"},
                     %b: tensor<4xf32> {sae.param = "b"})
    -> (tensor<?x4xf32> {sae.output = "y"})
    attributes {sae.entry = "forward", sae.model = "m"} {
  %y = sae.sub %x, %b : tensor<?x4xf32>, tensor<4xf32> -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @m.forward(
// CHECK:         %[[B:.*]] = tensor.dim %{{.*}}, %{{.*}} : tensor<?x4xf32>
// CHECK:         %[[INIT:.*]] = tensor.empty(%[[B]]) : tensor<?x4xf32>
// CHECK:         linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME:      outs(%[[INIT]] : tensor<?x4xf32>)
// CHECK:           arith.subf

// -----

// Products become saek.gemm with the transposes folded into its flags; a
// batch sum (unbroadcast) is a reduction over the batch loop.

func.func @g.grad(%x: tensor<?x4xf32> {sae.input = "x"},
                  %g: tensor<?x6xf32> {sae.input = "g"})
    -> (tensor<4x6xf32> {sae.grad = "W"}, tensor<6xf32> {sae.grad = "b"})
    attributes {sae.entry = "grad", sae.model = "g"} {
  %xt = sae.transpose %x : tensor<?x4xf32> -> tensor<4x?xf32>
  %w = sae.matmul %xt, %g : tensor<4x?xf32>, tensor<?x6xf32> -> tensor<4x6xf32>
  %s = sae.unbroadcast %g : tensor<?x6xf32> -> tensor<6xf32>
  return %w, %s : tensor<4x6xf32>, tensor<6xf32>
}

// CHECK-DAG: #[[SUM:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @g.grad(
// CHECK:         saek.gemm %{{.*}}, %{{.*}} {transpose_a} : tensor<?x4xf32>, tensor<?x6xf32> -> tensor<4x6xf32>
// CHECK:         linalg.fill
// CHECK:         linalg.generic {indexing_maps = [#{{.*}}, #[[SUM]]], iterator_types = ["reduction", "parallel"]}
// CHECK:           arith.addf

// -----

// A top-k selection returns the dense code through saek.scatter_dense; its
// mask among eligible latents ranks the others at -inf and keeps 1.0 only
// where the selected entry was eligible.

func.func @t.forward(%a: tensor<?x6xf32> {sae.input = "a"},
                     %e: tensor<6xf32> {sae.state = "dead_mask"})
    -> (tensor<?x6xf32> {sae.output = "z"}, tensor<?x6xf32> {sae.output = "m"})
    attributes {sae.entry = "forward", sae.model = "t"} {
  %z = sae.topk %a, k = 2 : tensor<?x6xf32>
  %m = sae.select_mask topk %a, k = 3, among = %e : tensor<?x6xf32>, tensor<6xf32>
  return %z, %m : tensor<?x6xf32>, tensor<?x6xf32>
}

// CHECK-LABEL: func.func @t.forward(
// CHECK:         %[[V:.*]], %[[I:.*]] = saek.topk %{{.*}}, k = 2 : tensor<?x6xf32> -> tensor<?x2xf32>, tensor<?x2xi32>
// CHECK:         %[[Z:.*]] = saek.scatter_dense %[[V]], %[[I]], n = 6
// CHECK:         %[[MASKED:.*]] = linalg.generic
// CHECK:           arith.cmpf une
// CHECK:           arith.select %{{.*}}, %{{.*}}, %cst
// CHECK:         %[[V3:.*]], %[[I3:.*]] = saek.topk %[[MASKED]], k = 3
// CHECK:         %[[ONES:.*]] = linalg.generic
// CHECK:           arith.cmpf ogt
// CHECK:         saek.scatter_dense %[[ONES]], %[[I3]], n = 6

// -----

// Slices and their adjoint pads are tensor slices; Adam, tangent projection
// and row normalisation are saek kernels.

func.func @s.train_step(%w: tensor<6x4xf32> {sae.param = "W"},
                        %g: tensor<3x4xf32> {sae.input = "g"},
                        %m: tensor<6x4xf32> {sae.state = "adam.m.W"},
                        %v: tensor<6x4xf32> {sae.state = "adam.v.W"},
                        %lr: tensor<f32> {sae.scalar = "lr"},
                        %c1: tensor<f32> {sae.scalar = "bias_correction1"},
                        %c2: tensor<f32> {sae.scalar = "bias_correction2"})
    -> (tensor<3x4xf32> {sae.output = "top"}, tensor<6x4xf32> {sae.param_out = "W"})
    attributes {sae.entry = "train_step", sae.model = "s"} {
  %top = sae.slice %w, starts = [0, 0], limits = [3, 4] : tensor<6x4xf32> -> tensor<3x4xf32>
  %full = sae.pad %g, starts = [3, 0], limits = [6, 4] : tensor<3x4xf32> -> tensor<6x4xf32>
  %t = sae.project_tangent %full, %w, axis = 1 : tensor<6x4xf32>
  %p, %nm, %nv = sae.adam_update %w, %t, %m, %v, lr = %lr, bias_correction = (%c1, %c2), beta1 = 0.9, beta2 = 0.999, eps = 1.0e-8, weight_decay = 0.0 : tensor<6x4xf32>, tensor<f32>
  %n = sae.normalize %p, axis = 1 : tensor<6x4xf32>
  return %top, %n : tensor<3x4xf32>, tensor<6x4xf32>
}

// CHECK-LABEL: func.func @s.train_step(
// CHECK:         tensor.extract_slice %{{.*}}[0, 0] [3, 4] [1, 1] : tensor<6x4xf32> to tensor<3x4xf32>
// CHECK:         %[[ZEROS:.*]] = linalg.fill
// CHECK:         %[[FULL:.*]] = tensor.insert_slice %{{.*}} into %[[ZEROS]][3, 0] [3, 4] [1, 1]
// CHECK:         %[[T:.*]] = saek.project_tangent %[[FULL]], %{{.*}}, axis = 1
// CHECK:         %[[P:[^,]*]], %{{.*}}, %{{.*}} = saek.adam %{{.*}}, %[[T]], {{.*}} {beta1 = 9.000000e-01 : f64
// CHECK:         saek.unit_norm %[[P]], axis = 1

// -----

// Ops outside the entry functions are left alone; an op the lowering does
// not take is an error naming it.

func.func @c.forward(%a: tensor<?x4xf32> {sae.input = "a"},
                     %b: tensor<3x4xf32> {sae.param = "b"})
    -> (tensor<?x3xf32> {sae.output = "c"})
    attributes {sae.entry = "forward", sae.model = "c"} {
  // expected-error @+1 {{'sae.cos' has no lowering to kernels for these operand types yet}}
  %c = sae.cos %a, %b : tensor<?x4xf32>, tensor<3x4xf32> -> tensor<?x3xf32>
  return %c : tensor<?x3xf32>
}

// -----

// Rows of one modality stay in place, masked by the `modality` input the
// function gains (1.0 image, 2.0 text); a filtered size counts that
// modality's rows; by_modality selects per row; dist is one GEMM.

func.func @v.forward(%x: tensor<?x4xf32> {sae.input = "x"},
                     %c: tensor<6x4xf32> {sae.param = "C"})
    -> (tensor<f32> {sae.output = "loss"}, tensor<?x6xf32> {sae.output = "d"})
    attributes {sae.entry = "forward", sae.model = "v"} {
  %xi = sae.filter %x, image : tensor<?x4xf32>
  %n = sae.size %xi : tensor<?x4xf32> -> tensor<f32>
  %s = sae.select_modality %x, %x : tensor<?x4xf32>
  %si = sae.filter %s, image : tensor<?x4xf32>
  %l = sae.mse %si, %xi : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  %ln = sae.div %l, %n : tensor<f32>, tensor<f32> -> tensor<f32>
  %d = sae.dist %x, %c : tensor<?x4xf32>, tensor<6x4xf32> -> tensor<?x6xf32>
  return %ln, %d : tensor<f32>, tensor<?x6xf32>
}

// CHECK-DAG: #[[ROWOF:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @v.forward(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<?x4xf32> {sae.input = "x"}, %[[MOD:[^:]*]]: tensor<?xf32> {sae.input = "modality"}, %{{.*}}: tensor<6x4xf32> {sae.param = "C"})
// CHECK:         linalg.generic {{.*}} ins(%[[X]], %[[MOD]] : tensor<?x4xf32>, tensor<?xf32>)
// The filtered size: 4 per image row.
// CHECK:         linalg.generic {{.*}} ins(%[[MOD]] : tensor<?xf32>)
// CHECK:           %[[IS:.*]] = arith.cmpf oeq
// CHECK:           arith.select %[[IS]]
// CHECK-DAG:     saek.gemm %[[X]], %{{.*}} {transpose_b}
// CHECK-DAG:     linalg.generic {{.*}} ins(%[[X]], %[[X]], %[[MOD]] : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?xf32>)

// -----

// Adding a bias to filtered rows would make the zeroed rows non-zero.

func.func @w.forward(%x: tensor<?x4xf32> {sae.input = "x"},
                     %b: tensor<4xf32> {sae.param = "b"})
    -> (tensor<f32> {sae.output = "loss"})
    attributes {sae.entry = "forward", sae.model = "w"} {
  %xi = sae.filter %x, image : tensor<?x4xf32>
  // expected-error @+1 {{'sae.add' reads rows filtered by modality in a way the kernels do not lower yet (only row-local arithmetic of rows of one modality, sums, counts, mse and size)}}
  %y = sae.add %xi, %b : tensor<?x4xf32>, tensor<4xf32> -> tensor<?x4xf32>
  %l = sae.mse %y, %y : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A sum over rows of filtered rows adds zeros for the other rows; the size
// of the filtered rows counts the image rows (what a streamed mean divides
// by).

// CHECK-LABEL: func.func @s.metrics.m.pass0(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: tensor<?x4xf32> {sae.input = "x"}, %[[MOD:[a-z0-9]+]]: tensor<?xf32> {sae.input = "modality"})
// CHECK:         linalg.generic {{.*}}iterator_types = ["reduction", "parallel"]{{.*}} ins(%{{.*}} : tensor<?x4xf32>)
// CHECK:         linalg.generic {{.*}} ins(%[[MOD]] : tensor<?xf32>)
// CHECK:           arith.cmpf oeq
func.func @s.metrics.m.pass0(%x: tensor<?x4xf32> {sae.input = "x"},
                             %m: tensor<?xf32> {sae.input = "modality"})
    -> (tensor<4xf32> {sae.accumulator = "a"}, tensor<f32> {sae.accumulator = "c"})
    attributes {sae.entry = "metrics.m.pass0", sae.model = "s"} {
  %xi = sae.filter %x, image : tensor<?x4xf32>
  %s = sae.reduce sum %xi, axis = 0 : tensor<?x4xf32> -> tensor<4xf32>
  %c = sae.size %xi, axis = 0 : tensor<?x4xf32> -> tensor<f32>
  return %s, %c : tensor<4xf32>, tensor<f32>
}

// -----

// min_positive, the smallest kept BatchTopK activation: a full reduction
// from +inf of min(acc, x > 0 ? x : +inf).

func.func @mp.train_step(%a: tensor<?x6xf32> {sae.input = "a"})
    -> (tensor<f32> {sae.output = "batchtopk.theta.min_kept"})
    attributes {sae.entry = "train_step", sae.model = "mp"} {
  %z = sae.batchtopk %a, k = 2 : tensor<?x6xf32>
  %m = sae.reduce min_positive %z : tensor<?x6xf32> -> tensor<f32>
  return %m : tensor<f32>
}

// CHECK-LABEL: func.func @mp.train_step(
// CHECK-DAG:     %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK-DAG:     %[[Z:.*]] = saek.batch_topk %{{.*}}, k = 2 : tensor<?x6xf32>
// CHECK:         linalg.fill ins(%[[INF]] : f32)
// CHECK:         linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]} ins(%[[Z]] : tensor<?x6xf32>)
// CHECK:           %[[POS:.*]] = arith.cmpf ogt, %{{.*}}, %{{.*}} : f32
// CHECK:           %[[CAND:.*]] = arith.select %[[POS]], %{{.*}}, %{{.*}} : f32
// CHECK:           %[[MIN:.*]] = arith.minimumf %{{.*}}, %[[CAND]] : f32
// CHECK:           linalg.yield %[[MIN]] : f32
