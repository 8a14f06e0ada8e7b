//===- Lowering.h - Shared state of the .sae lowering -----------*- C++ -*-===//
//
// The lowering checks and emits in one walk: every expression evaluates to an
// Operand (a compile-time number, a tensor SSA value, a list of numbers or a
// modality), and shape rules are checked on the operands' tensor types before
// the op is built, so errors speak the language's terms (`[batch, 512]`) and
// point at the source.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_LANG_LIB_MLIRGEN_LOWERING_H
#define PRISM_LANG_LIB_MLIRGEN_LOWERING_H

#include "prism/Dialect/Sae/IR/SaeOps.h"
#include "prism/Lang/AST.h"
#include "prism/Lang/Diagnostics.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringMap.h"

#include <optional>
#include <string>
#include <vector>

namespace prism::lang::gen {

/// What an expression evaluates to.
struct Operand {
  enum class Kind { Number, Tensor, List };

  static Operand number(double value, bool integer) {
    Operand out;
    out.kind = Kind::Number;
    out.value = value;
    out.integer = integer;
    return out;
  }
  static Operand tensor(mlir::Value value) {
    Operand out;
    out.kind = Kind::Tensor;
    out.tensorValue = value;
    return out;
  }
  static Operand list(std::vector<Operand> elements) {
    Operand out;
    out.kind = Kind::List;
    out.elements = std::move(elements);
    return out;
  }

  bool isNumber() const { return kind == Kind::Number; }
  bool isTensor() const { return kind == Kind::Tensor; }
  bool isList() const { return kind == Kind::List; }

  Kind kind = Kind::Number;
  double value = 0;
  bool integer = false;
  mlir::Value tensorValue;
  std::vector<Operand> elements;
};

/// A name in scope: its value and where it was declared (for notes).
struct Symbol {
  Operand value;
  llvm::SMLoc declLoc;
  const char *what = "a value"; // "an input", "a parameter", ...
  /// Its definition failed (and was reported): uses stay silent.
  bool poisoned = false;
};

/// What metrics blocks can read of a lowered model.
struct ModelInfo {
  sae::ModelOp op;
  std::string name;
  llvm::SMLoc declLoc;
  llvm::StringMap<mlir::Type> inputs;
  std::vector<std::string> inputOrder;
  llvm::StringMap<mlir::Type> members; // outputs and parameters
  llvm::StringMap<llvm::SMLoc> memberLocs;
};

/// The context a block of statements is lowered in.
struct BlockContext {
  /// Set inside a metrics block: the binding name (`m`) and its model.
  std::string modelBinding;
  const ModelInfo *model = nullptr;
  bool overPairs = false;
  /// Set inside a model: the model's inputs may be referenced by name.
  bool inModel = false;
};

class Lowering {
public:
  Lowering(const llvm::SourceMgr &sourceMgr, mlir::MLIRContext *context);

  mlir::OwningOpRef<mlir::ModuleOp>
  lowerFiles(llvm::ArrayRef<const ast::File *> files);

  //===--------------------------------------------------------------------===//
  // Declarations (DeclLowering.cpp)
  //===--------------------------------------------------------------------===//

  mlir::LogicalResult lowerModel(const ast::ModelDecl &decl);
  mlir::LogicalResult lowerInput(const ast::InputStmt &stmt, ModelInfo &info);
  mlir::LogicalResult lowerParam(const ast::ParamStmt &stmt, ModelInfo &info);
  /// The static shape of a parameter, or of an input (`batch` first).
  std::optional<llvm::SmallVector<int64_t>>
  lowerShape(llvm::ArrayRef<ast::Dim> dims, const ast::Identifier &owner,
             bool isInput);
  mlir::LogicalResult lowerMetrics(const ast::MetricsDecl &decl);
  mlir::LogicalResult lowerTrain(const ast::TrainDecl &decl);

  //===--------------------------------------------------------------------===//
  // Expressions (ExprLowering.cpp)
  //===--------------------------------------------------------------------===//

  std::optional<Operand> lowerExpr(const ast::Expr &expr);
  /// Lowers `expr` and requires a tensor (numbers become rank-0 tensors).
  mlir::Value lowerTensor(const ast::Expr &expr);
  /// Lowers `expr` and requires a compile-time number.
  std::optional<double> lowerNumber(const ast::Expr &expr,
                                    const llvm::Twine &what);
  /// Lowers `expr` and requires a compile-time integer in [min, max].
  std::optional<int64_t> lowerInteger(const ast::Expr &expr,
                                      const llvm::Twine &what, int64_t min,
                                      int64_t max = INT64_MAX);
  /// The modality an identifier names, or an error.
  std::optional<sae::Modality> modalityOf(const ast::Identifier &name);

  //===--------------------------------------------------------------------===//
  // Calls (CallLowering.cpp)
  //===--------------------------------------------------------------------===//

  std::optional<Operand> lowerCall(const ast::CallExpr &call);

  //===--------------------------------------------------------------------===//
  // Helpers
  //===--------------------------------------------------------------------===//

  mlir::Location loc(llvm::SMLoc where) { return reporter.getLocation(where); }
  mlir::InFlightDiagnostic error(llvm::SMLoc where, const llvm::Twine &msg) {
    return reporter.emitError(where, msg);
  }
  /// Adds "note: 'NAME' declared here" when `expr` is a name in scope.
  void noteDeclaration(mlir::InFlightDiagnostic &diag, const ast::Expr &expr);

  mlir::Value materialize(double value, llvm::SMLoc where);
  mlir::RankedTensorType tensorType(llvm::ArrayRef<int64_t> shape) {
    return mlir::RankedTensorType::get(shape, builder.getF32Type());
  }

  /// Declares `name` in the innermost scope; reports a redefinition.
  mlir::LogicalResult declare(const ast::Identifier &name, Symbol symbol);
  const Symbol *lookup(llvm::StringRef name) const;

  const llvm::SourceMgr &sourceMgr;
  mlir::MLIRContext *context;
  DiagnosticReporter reporter;
  mlir::OpBuilder builder;
  mlir::ModuleOp module;
  llvm::StringMap<ModelInfo> models;
  /// Innermost scope last.
  std::vector<llvm::StringMap<Symbol>> scopes;
  BlockContext block;
};

/// A builtin's parameter, for binding call arguments.
struct Parameter {
  const char *name;
  bool required;
};

using Arguments = llvm::SmallVector<const ast::Expr *, 4>;

/// Binds the call's arguments to `params`: positionally in order, then by
/// name, as in Python. Reports too many, unknown, duplicate and missing
/// arguments.
std::optional<Arguments> bindArguments(Lowering &lowering,
                                       const ast::CallExpr &call,
                                       llvm::ArrayRef<Parameter> params);

/// A number as the author would write it: `512`, `0.001`.
std::string formatNumber(double value);

/// `[batch, 512]`: a shape as the model author writes it.
std::string formatShape(mlir::Type type);
std::string formatShape(mlir::Value value);

/// Shape of a ranked tensor value.
llvm::ArrayRef<int64_t> shapeOf(mlir::Value value);

} // namespace prism::lang::gen

#endif // PRISM_LANG_LIB_MLIRGEN_LOWERING_H
