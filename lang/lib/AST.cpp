//===- AST.cpp - .sae language syntax tree ----------------------*- C++ -*-===//

#include "prism/Lang/AST.h"

#include "llvm/Support/ErrorHandling.h"

using namespace prism::lang;
using namespace prism::lang::ast;

llvm::StringRef ast::getSpelling(BinaryOp op) {
  switch (op) {
  case BinaryOp::Add:
    return "+";
  case BinaryOp::Sub:
    return "-";
  case BinaryOp::Mul:
    return "*";
  case BinaryOp::Div:
    return "/";
  case BinaryOp::MatMul:
    return "@";
  case BinaryOp::Pow:
    return "^";
  case BinaryOp::Less:
    return "<";
  case BinaryOp::Greater:
    return ">";
  case BinaryOp::LessEqual:
    return "<=";
  case BinaryOp::GreaterEqual:
    return ">=";
  case BinaryOp::Equal:
    return "==";
  case BinaryOp::NotEqual:
    return "!=";
  }
  llvm_unreachable("unknown binary operator");
}

llvm::StringRef ast::getSpelling(Constraint constraint) {
  switch (constraint) {
  case Constraint::None:
    return "";
  case Constraint::UnitRows:
    return "unit_rows";
  case Constraint::UnitCols:
    return "unit_cols";
  }
  llvm_unreachable("unknown constraint");
}

/// The value bound to `name` in `bindings`, or null.
static const Expr *lookup(llvm::ArrayRef<Binding> bindings,
                          llvm::StringRef name) {
  for (const Binding &binding : bindings)
    if (binding.getName().name == name)
      return &binding.getValue();
  return nullptr;
}

const Expr *CallExpr::getNamedArg(llvm::StringRef name) const {
  return lookup(namedArgs, name);
}

const Expr *TrainDecl::getSetting(llvm::StringRef name) const {
  return lookup(settings, name);
}
