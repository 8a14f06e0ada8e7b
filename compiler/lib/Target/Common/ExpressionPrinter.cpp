//===- ExpressionPrinter.cpp - Scalar code to C-family text ---------------===//

#include "prism/Target/ExpressionPrinter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"

#include <cmath>
#include <cstdio>
#include <optional>

using namespace mlir;
using namespace prism::target;

void ExpressionPrinter::bind(Value value, std::string expression) {
  names[value] = std::move(expression);
}

/// The C literal of a scalar float or integer constant, if `value` is one.
static std::optional<std::string> scalarLiteral(Value value) {
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return std::nullopt;
  if (auto real = dyn_cast<FloatAttr>(constant.getValue()))
    return ExpressionPrinter::formatReal(real.getValueAsDouble());
  if (auto integer = dyn_cast<IntegerAttr>(constant.getValue()))
    return std::to_string(integer.getInt());
  return std::nullopt;
}

std::string ExpressionPrinter::get(Value value) const {
  auto it = names.find(value);
  if (it != names.end())
    return it->second;
  // Canonicalisation hoists scalar constants out of kernel bodies.
  std::optional<std::string> literal = scalarLiteral(value);
  assert(literal && "value printed before its definition");
  return *literal;
}

std::string ExpressionPrinter::formatReal(double value) {
  if (std::isinf(value))
    return value > 0 ? "(real)INFINITY" : "(real)(-INFINITY)";
  if (std::isnan(value))
    return "(real)NAN";
  // %a round-trips every double; the cast keeps float kernels in float.
  char text[64];
  std::snprintf(text, sizeof(text), "(real)%a", value);
  return text;
}

/// The C comparison for an ordered or unordered float predicate; unordered
/// ones also hold when an operand is NaN.
static std::string comparison(arith::CmpFPredicate predicate,
                              const std::string &a, const std::string &b) {
  using P = arith::CmpFPredicate;
  auto ordered = [&](StringRef op) {
    return "(" + a + " " + op.str() + " " + b + ")";
  };
  auto unordered = [&](StringRef op) {
    return "(!(" + a + " " + op.str() + " " + b + "))";
  };
  switch (predicate) {
  case P::OEQ:
    return ordered("==");
  case P::OGT:
    return ordered(">");
  case P::OGE:
    return ordered(">=");
  case P::OLT:
    return ordered("<");
  case P::OLE:
    return ordered("<=");
  case P::ONE:
    return "(" + a + " < " + b + " || " + a + " > " + b + ")";
  case P::UEQ:
    return "(!(" + a + " < " + b + " || " + a + " > " + b + "))";
  case P::UGT:
    return unordered("<=");
  case P::UGE:
    return unordered("<");
  case P::ULT:
    return unordered(">=");
  case P::ULE:
    return unordered(">");
  case P::UNE:
    return "(" + a + " != " + b + ")";
  case P::ORD:
    return "(" + a + " == " + a + " && " + b + " == " + b + ")";
  case P::UNO:
    return "(" + a + " != " + a + " || " + b + " != " + b + ")";
  case P::AlwaysTrue:
    return "true";
  case P::AlwaysFalse:
    return "false";
  }
  llvm_unreachable("unknown predicate");
}

/// The C type a scalar prints as.
static FailureOr<std::string> scalarType(Type type) {
  if (type.isF32() || type.isF64())
    return std::string("real");
  if (type.isInteger(1))
    return std::string("bool");
  if (type.isIndex() || type.isInteger(64))
    return std::string("int64_t");
  if (type.isInteger(32))
    return std::string("int32_t");
  return failure();
}

LogicalResult
ExpressionPrinter::printOp(Operation &op, raw_ostream &os,
                           function_ref<std::string(unsigned)> indexName) {
  for (Value operand : op.getOperands())
    if (!names.count(operand) && !scalarLiteral(operand))
      return op.emitOpError("reads a value from outside its kernel that is "
                            "not a scalar constant");
  auto operand = [&](unsigned i) { return get(op.getOperand(i)); };
  auto call = [&](StringRef fn) -> std::string {
    std::string text = fn.str() + "(";
    for (unsigned i = 0; i < op.getNumOperands(); ++i)
      text += (i ? ", " : "") + operand(i);
    return text + ")";
  };
  auto infix = [&](StringRef symbol) {
    return "(" + operand(0) + " " + symbol.str() + " " + operand(1) + ")";
  };

  FailureOr<std::string> expression =
      llvm::TypeSwitch<Operation *, FailureOr<std::string>>(&op)
          .Case([&](arith::ConstantOp constant) -> FailureOr<std::string> {
            if (std::optional<std::string> literal =
                    scalarLiteral(constant.getResult()))
              return *literal;
            return failure();
          })
          .Case([&](arith::AddFOp) { return infix("+"); })
          .Case([&](arith::SubFOp) { return infix("-"); })
          .Case([&](arith::MulFOp) { return infix("*"); })
          .Case([&](arith::DivFOp) { return infix("/"); })
          .Case([&](arith::NegFOp) { return "(-" + operand(0) + ")"; })
          .Case([&](arith::AddIOp) { return infix("+"); })
          .Case([&](arith::MulIOp) { return infix("*"); })
          // maximumf/minimumf propagate NaN; std::fmax would drop it.
          .Case([&](arith::MaximumFOp) {
            return "prism_maximum(" + operand(0) + ", " + operand(1) + ")";
          })
          .Case([&](arith::MinimumFOp) {
            return "prism_minimum(" + operand(0) + ", " + operand(1) + ")";
          })
          .Case([&](arith::MaxNumFOp) { return call("std::fmax"); })
          .Case([&](arith::MinNumFOp) { return call("std::fmin"); })
          .Case([&](arith::CmpFOp cmp) {
            return comparison(cmp.getPredicate(), operand(0), operand(1));
          })
          .Case([&](arith::SelectOp) {
            return "(" + operand(0) + " ? " + operand(1) + " : " + operand(2) +
                   ")";
          })
          .Case([&](arith::UIToFPOp) { return "(real)(" + operand(0) + ")"; })
          .Case([&](arith::SIToFPOp) { return "(real)(" + operand(0) + ")"; })
          .Case([&](arith::IndexCastOp) {
            return "(int64_t)(" + operand(0) + ")";
          })
          .Case([&](arith::ExtFOp) { return operand(0); })
          .Case([&](arith::TruncFOp) { return operand(0); })
          .Case([&](math::SqrtOp) { return call("std::sqrt"); })
          .Case([&](math::RsqrtOp) {
            return "((real)1 / std::sqrt(" + operand(0) + "))";
          })
          .Case([&](math::ExpOp) { return call("std::exp"); })
          .Case([&](math::LogOp) { return call("std::log"); })
          .Case([&](math::AbsFOp) { return call("std::fabs"); })
          .Case([&](math::PowFOp) { return call("std::pow"); })
          .Case([&](math::TanhOp) { return call("std::tanh"); })
          .Case([&](linalg::IndexOp index) {
            return "(int64_t)" + indexName(index.getDim());
          })
          .Default([](Operation *) { return failure(); });
  if (failed(expression) || op.getNumResults() != 1)
    return op.emitOpError("has no C translation in a fused kernel");
  FailureOr<std::string> type = scalarType(op.getResult(0).getType());
  if (failed(type))
    return op.emitOpError("produces a type with no C translation: ")
           << op.getResult(0).getType();
  std::string name = prefix + std::to_string(nextTemp++);
  os << "const " << *type << " " << name << " = " << *expression << ";\n";
  bind(op.getResult(0), name);
  return success();
}

LogicalResult
ExpressionPrinter::printBlock(Block &block, raw_ostream &os, unsigned indent,
                              function_ref<std::string(unsigned)> indexName) {
  for (Operation &op : block.without_terminator()) {
    os.indent(indent);
    if (failed(printOp(op, os, indexName)))
      return failure();
  }
  return success();
}
