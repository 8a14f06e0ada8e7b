//===- ExpressionPrinter.h - Scalar code to C-family text -------*- C++ -*-===//
//
// Prints the scalar body of a fused kernel (the region of a linalg.generic:
// arith and math ops on one element) as C statements. The C++/OpenMP and
// CUDA emitters share it, so a fused kernel tested on the CPU computes the
// same expression on the GPU. Element types print as `real`, which the
// generated file defines (float by default; double for gradient checks).
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_TARGET_EXPRESSIONPRINTER_H
#define PRISM_TARGET_EXPRESSIONPRINTER_H

#include "mlir/IR/Block.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace prism::target {

class ExpressionPrinter {
public:
  /// Temporaries get names `<prefix>N`, unique within one printer.
  explicit ExpressionPrinter(std::string prefix = "t")
      : prefix(std::move(prefix)) {}

  /// Binds a value (a block argument, usually) to a C expression.
  void bind(mlir::Value value, std::string expression);

  /// The C expression of a bound or printed value.
  std::string get(mlir::Value value) const;

  /// Prints every op of `block` except its terminator as one statement each,
  /// indented by `indent` spaces. `indexName(d)` names loop dimension d for
  /// linalg.index. Fails, with an error on the op, for an op it cannot print.
  mlir::LogicalResult
  printBlock(mlir::Block &block, llvm::raw_ostream &os, unsigned indent,
             llvm::function_ref<std::string(unsigned)> indexName);

  /// A C literal for a floating-point constant, exact to the last bit.
  static std::string formatReal(double value);

private:
  mlir::LogicalResult
  printOp(mlir::Operation &op, llvm::raw_ostream &os,
          llvm::function_ref<std::string(unsigned)> indexName);

  std::string prefix;
  unsigned nextTemp = 0;
  llvm::DenseMap<mlir::Value, std::string> names;
};

} // namespace prism::target

#endif // PRISM_TARGET_EXPRESSIONPRINTER_H
