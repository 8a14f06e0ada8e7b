// prism_topk in the emitted C++ against NumPy's stable argsort: ties go to
// the lower index, NaN ranks below every number, by value and by |value|,
// with n not a multiple of the 4k groups the selection deals entries into.
// RUN: prismc %s -emit=cpp -o %t.cc
// RUN: c++ -std=c++17 -O2 -fno-math-errno -fopenmp -fPIC -shared -Wall -Werror %t.cc -o %t.so -lopenblas
// RUN: %python %S/Inputs/run_topk_select.py %t.so | FileCheck %s

// CHECK: by value: 600 rows, 0 mismatched
// CHECK: by |value|: 600 rows, 0 mismatched

func.func @select.forward(%x: tensor<?x301xf32> {sae.input = "x"})
    -> (tensor<?x7xf32> {sae.output = "values"},
        tensor<?x7xi32> {sae.output = "indices"},
        tensor<?x7xf32> {sae.output = "abs_values"},
        tensor<?x7xi32> {sae.output = "abs_indices"})
    attributes {sae.model = "select", sae.entry = "forward"} {
  %v, %i = saek.topk %x, k = 7 : tensor<?x301xf32> -> tensor<?x7xf32>, tensor<?x7xi32>
  %av, %ai = saek.topk %x, k = 7 abs : tensor<?x301xf32> -> tensor<?x7xf32>, tensor<?x7xi32>
  return %v, %i, %av, %ai : tensor<?x7xf32>, tensor<?x7xi32>, tensor<?x7xf32>, tensor<?x7xi32>
}
