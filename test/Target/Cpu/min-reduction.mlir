// RUN: prism-opt %s -convert-sae-to-saek -o %t.mlir && prismc %t.mlir -emit=cpp | FileCheck %s

// A full min or max reduction is split over threads with an OpenMP reduction
// declared in the prelude, whose combiner is the printer's NaN-propagating
// prism_minimum / prism_maximum: min_positive (the smallest kept BatchTopK
// activation) and max.

func.func @r.train_step(%a: tensor<?x6xf32> {sae.input = "a"})
    -> (tensor<f32> {sae.output = "batchtopk.theta.min_kept"},
        tensor<f32> {sae.output = "largest"})
    attributes {sae.entry = "train_step", sae.model = "r"} {
  %m = sae.reduce min_positive %a : tensor<?x6xf32> -> tensor<f32>
  %x = sae.reduce max %a : tensor<?x6xf32> -> tensor<f32>
  return %m, %x : tensor<f32>, tensor<f32>
}

// CHECK: #pragma omp declare reduction(prism_max : real : \
// CHECK-NEXT: omp_out = prism_maximum(omp_out, omp_in)) initializer(omp_priv = -INFINITY)
// CHECK: #pragma omp declare reduction(prism_min : real : \
// CHECK-NEXT: omp_out = prism_minimum(omp_out, omp_in)) initializer(omp_priv = INFINITY)
// CHECK-LABEL: extern "C" int prism_train_step(
// CHECK: std::fill(s0, s0 + 1, (real)INFINITY);
// CHECK: real acc0 = s0[0];
// CHECK-NEXT: #pragma omp parallel for reduction(prism_min : acc0)
// CHECK: const bool [[POS:e[0-9]+]] = ({{.*}} > (real)0x0p+0);
// CHECK-NEXT: const real [[CAND:e[0-9]+]] = ([[POS]] ? in0 : (real)INFINITY);
// CHECK-NEXT: const real [[MIN:e[0-9]+]] = prism_minimum(acc0, [[CAND]]);
// CHECK-NEXT: acc0 = [[MIN]];
// CHECK: std::fill(s1, s1 + 1, (real)(-INFINITY));
// CHECK: #pragma omp parallel for reduction(prism_max : acc0)
// CHECK: prism_maximum(in0, acc0);
