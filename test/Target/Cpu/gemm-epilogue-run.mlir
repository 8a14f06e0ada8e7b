// saek.gemm's bias and bias+ReLU epilogues in the emitted C++ against NumPy,
// on a tall product (split between threads by rows) and a wide one (by
// columns, each thread with its slice of the bias), in float and double.
// RUN: prismc %s -emit=cpp -o %t.cc
// RUN: c++ -std=c++17 -O2 -fopenmp -fPIC -shared -Wall -Werror %t.cc -o %t.f32.so -lopenblas
// RUN: c++ -std=c++17 -O2 -fopenmp -fPIC -shared -Wall -Werror -DPRISM_REAL=double %t.cc -o %t.f64.so -lopenblas
// RUN: %python %S/Inputs/run_gemm_epilogue.py %t.f32.so float | FileCheck %s
// RUN: %python %S/Inputs/run_gemm_epilogue.py %t.f64.so double | FileCheck %s

// CHECK: tall bias: {{.*}} ok
// CHECK: tall bias_relu: {{.*}} ok
// CHECK: wide bias: {{.*}} ok
// CHECK: wide bias_relu: {{.*}} ok

func.func @e.forward(%x: tensor<?x5xf32> {sae.input = "x"},
                     %w: tensor<5x3xf32> {sae.param = "w"},
                     %b: tensor<3xf32> {sae.param = "b"},
                     %v: tensor<5x40xf32> {sae.param = "v"},
                     %c: tensor<40xf32> {sae.param = "c"})
    -> (tensor<?x3xf32> {sae.output = "tall_bias"},
        tensor<?x3xf32> {sae.output = "tall_bias_relu"},
        tensor<?x40xf32> {sae.output = "wide_bias"},
        tensor<?x40xf32> {sae.output = "wide_bias_relu"})
    attributes {sae.entry = "forward", sae.model = "e"} {
  %0 = saek.gemm %x, %w bias %b {epilogue = #saek<epilogue bias>}
      : tensor<?x5xf32>, tensor<5x3xf32>, tensor<3xf32> -> tensor<?x3xf32>
  %1 = saek.gemm %x, %w bias %b {epilogue = #saek<epilogue bias_relu>}
      : tensor<?x5xf32>, tensor<5x3xf32>, tensor<3xf32> -> tensor<?x3xf32>
  %2 = saek.gemm %x, %v bias %c {epilogue = #saek<epilogue bias>}
      : tensor<?x5xf32>, tensor<5x40xf32>, tensor<40xf32> -> tensor<?x40xf32>
  %3 = saek.gemm %x, %v bias %c {epilogue = #saek<epilogue bias_relu>}
      : tensor<?x5xf32>, tensor<5x40xf32>, tensor<40xf32> -> tensor<?x40xf32>
  return %0, %1, %2, %3 : tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x40xf32>, tensor<?x40xf32>
}
