// The emitted C++ compiles (-Wall -Werror) into a shared object whose entry
// point matches NumPy, in float and in double.
// RUN: prismc %S/topk-forward.mlir -emit=cpp -o %t.cc
// RUN: c++ -std=c++17 -O2 -fopenmp -fPIC -shared -Wall -Werror %t.cc -o %t.f32.so -lopenblas
// RUN: c++ -std=c++17 -O2 -fopenmp -fPIC -shared -Wall -Werror -DPRISM_REAL=double %t.cc -o %t.f64.so -lopenblas
// RUN: %python %S/Inputs/run_topk_forward.py %t.f32.so float | FileCheck %s --check-prefix=F32
// RUN: %python %S/Inputs/run_topk_forward.py %t.f64.so double | FileCheck %s --check-prefix=F64

// F32: float z: {{.*}} ok
// F32: float xhat: {{.*}} ok
// F32: float loss: {{.*}} ok
// F64: double z: {{.*}} ok
// F64: double xhat: {{.*}} ok
// F64: double loss: {{.*}} ok
