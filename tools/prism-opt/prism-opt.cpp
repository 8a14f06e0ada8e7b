//===- prism-opt.cpp - Prism's mlir-opt -------------------------*- C++ -*-===//
//
// Parses, verifies, transforms and prints IR in the Prism dialects. Used by
// the lit tests and for debugging passes.
//
//===----------------------------------------------------------------------===//

#include "prism/Conversion/SaeToSaek.h"
#include "prism/Dialect/Sae/IR/SaeDialect.h"
#include "prism/Dialect/Sae/Transforms/Passes.h"
#include "prism/Dialect/Saek/IR/SaekDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  // Upstream passes (canonicalize, cse, ...) come for free from libMLIR.
  mlir::registerAllPasses();
  prism::sae::registerSaePasses();
  prism::registerConversionPasses();

  mlir::DialectRegistry registry;
  registry.insert<prism::sae::SaeDialect, prism::saek::SaekDialect,
                  mlir::arith::ArithDialect, mlir::func::FuncDialect,
                  mlir::linalg::LinalgDialect, mlir::math::MathDialect,
                  mlir::tensor::TensorDialect>();

  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Prism optimizer driver\n", registry));
}
