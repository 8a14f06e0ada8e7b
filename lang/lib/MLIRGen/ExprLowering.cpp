//===- ExprLowering.cpp - .sae expressions to sae ops ---------------------===//

#include "Lowering.h"

#include "prism/Dialect/Sae/IR/SaeShapes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <cmath>
#include <cstdio>

using namespace mlir;
using namespace prism;
using namespace prism::lang;
using namespace prism::lang::gen;

std::string gen::formatShape(Type type) {
  auto shaped = llvm::cast<ShapedType>(type);
  std::string out = "[";
  for (auto [i, size] : llvm::enumerate(shaped.getShape())) {
    if (i)
      out += ", ";
    out += ShapedType::isDynamic(size) ? "batch" : std::to_string(size);
  }
  return out + "]";
}

std::string gen::formatShape(Value value) {
  return formatShape(value.getType());
}

std::string gen::formatNumber(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", value);
  return text;
}

ArrayRef<int64_t> gen::shapeOf(Value value) {
  return llvm::cast<RankedTensorType>(value.getType()).getShape();
}

Value Lowering::materialize(double value, llvm::SMLoc where) {
  auto type = tensorType({});
  auto attr = DenseElementsAttr::get(type, static_cast<float>(value));
  return arith::ConstantOp::create(builder, loc(where), attr);
}

/// Notes where the operands of a binary expression were declared; a name
/// used on both sides is noted once.
static void noteOperands(Lowering &lowering, InFlightDiagnostic &diag,
                         const ast::BinaryExpr &expr) {
  lowering.noteDeclaration(diag, expr.getLHS());
  const auto *lhs = llvm::dyn_cast<ast::NameExpr>(&expr.getLHS());
  const auto *rhs = llvm::dyn_cast<ast::NameExpr>(&expr.getRHS());
  if (!lhs || !rhs || lhs->getName() != rhs->getName())
    lowering.noteDeclaration(diag, expr.getRHS());
}

void Lowering::noteDeclaration(InFlightDiagnostic &diag,
                               const ast::Expr &expr) {
  const auto *name = llvm::dyn_cast<ast::NameExpr>(&expr);
  if (!name)
    return;
  if (const Symbol *symbol = lookup(name->getName()))
    if (symbol->declLoc.isValid())
      diag.attachNote(loc(symbol->declLoc))
          << "'" << name->getName() << "' declared here with shape "
          << (symbol->value.isTensor() ? formatShape(symbol->value.tensorValue)
                                       : std::string("[] (a constant)"));
}

std::optional<sae::Modality> Lowering::modalityOf(const ast::Identifier &name) {
  if (name.name == "image")
    return sae::Modality::Image;
  if (name.name == "text")
    return sae::Modality::Text;
  error(name.getLoc(),
        "unknown modality '" + name.name + "' (expected image or text)");
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Names
//===----------------------------------------------------------------------===//

static std::optional<Operand> lowerName(Lowering &lowering,
                                        const ast::NameExpr &expr) {
  if (const Symbol *symbol = lowering.lookup(expr.getName())) {
    if (symbol->poisoned)
      return std::nullopt;
    return symbol->value;
  }
  StringRef name = expr.getName();
  if (name == "image" || name == "text") {
    lowering.error(expr.getLoc(),
                   "'" + name +
                       "' names a modality, not a value; select rows "
                       "with `e | " +
                       name + "` or a pair side with `e[" + name + "]`");
    return std::nullopt;
  }
  if (name == lowering.block.modelBinding) {
    lowering.error(expr.getLoc(),
                   "'" + name +
                       "' is the model; read one of its values with '" + name +
                       ".NAME'");
    return std::nullopt;
  }
  lowering.error(expr.getLoc(), "unknown name '" + name + "'");
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Arithmetic
//===----------------------------------------------------------------------===//

static std::optional<double> foldBinary(ast::BinaryOp op, double a, double b) {
  switch (op) {
  case ast::BinaryOp::Add:
    return a + b;
  case ast::BinaryOp::Sub:
    return a - b;
  case ast::BinaryOp::Mul:
    return a * b;
  case ast::BinaryOp::Div:
    return a / b;
  case ast::BinaryOp::Pow:
    return std::pow(a, b);
  case ast::BinaryOp::Less:
    return a < b;
  case ast::BinaryOp::Greater:
    return a > b;
  case ast::BinaryOp::LessEqual:
    return a <= b;
  case ast::BinaryOp::GreaterEqual:
    return a >= b;
  case ast::BinaryOp::Equal:
    return a == b;
  case ast::BinaryOp::NotEqual:
    return a != b;
  case ast::BinaryOp::MatMul:
    break;
  }
  return std::nullopt;
}

static std::optional<sae::CmpPredicate> predicateOf(ast::BinaryOp op) {
  switch (op) {
  case ast::BinaryOp::Less:
    return sae::CmpPredicate::LT;
  case ast::BinaryOp::Greater:
    return sae::CmpPredicate::GT;
  case ast::BinaryOp::LessEqual:
    return sae::CmpPredicate::LE;
  case ast::BinaryOp::GreaterEqual:
    return sae::CmpPredicate::GE;
  case ast::BinaryOp::Equal:
    return sae::CmpPredicate::EQ;
  case ast::BinaryOp::NotEqual:
    return sae::CmpPredicate::NE;
  default:
    return std::nullopt;
  }
}

static std::optional<Operand> lowerMatmul(Lowering &lowering,
                                          const ast::BinaryExpr &expr,
                                          Value lhs, Value rhs) {
  ArrayRef<int64_t> a = shapeOf(lhs), b = shapeOf(rhs);
  std::string product = formatShape(lhs) + " @ " + formatShape(rhs);
  auto fail = [&](const Twine &message) -> std::optional<Operand> {
    InFlightDiagnostic diag = lowering.error(expr.getOpLoc(), message);
    noteOperands(lowering, diag, expr);
    return std::nullopt;
  };
  if (a.size() != 2 || b.size() != 2)
    return fail("matmul: " + product + ": both operands must be matrices");
  if (!ShapedType::isDynamic(a[1]) && !ShapedType::isDynamic(b[0]) &&
      a[1] != b[0])
    return fail("matmul: " + product + ": inner dimensions " +
                std::to_string(a[1]) + " and " + std::to_string(b[0]) +
                " differ");
  if (ShapedType::isDynamic(b[0]) || ShapedType::isDynamic(b[1]))
    return fail("matmul: " + product +
                ": the right operand cannot have a batch dimension");
  auto type = lowering.tensorType({a[0], b[1]});
  return Operand::tensor(sae::MatmulOp::create(
      lowering.builder, lowering.loc(expr.getOpLoc()), type, lhs, rhs));
}

static std::optional<Operand> lowerBinary(Lowering &lowering,
                                          const ast::BinaryExpr &expr) {
  std::optional<Operand> lhs = lowering.lowerExpr(expr.getLHS());
  std::optional<Operand> rhs = lowering.lowerExpr(expr.getRHS());
  if (!lhs || !rhs)
    return std::nullopt;
  ast::BinaryOp op = expr.getOp();
  if (lhs->isList() || rhs->isList()) {
    lowering.error(expr.getOpLoc(),
                   "'" + ast::getSpelling(op) + "' cannot take a list operand");
    return std::nullopt;
  }
  if (lhs->isNumber() && rhs->isNumber()) {
    std::optional<double> folded = foldBinary(op, lhs->value, rhs->value);
    if (!folded) {
      lowering.error(expr.getOpLoc(),
                     "matmul: both operands are numbers, not matrices");
      return std::nullopt;
    }
    if (op == ast::BinaryOp::Div && rhs->value == 0) {
      lowering.error(expr.getOpLoc(), "division by zero in a constant");
      return std::nullopt;
    }
    bool integer = lhs->integer && rhs->integer &&
                   (op == ast::BinaryOp::Add || op == ast::BinaryOp::Sub ||
                    op == ast::BinaryOp::Mul);
    return Operand::number(*folded, integer);
  }

  Value a = lhs->isTensor()
                ? lhs->tensorValue
                : lowering.materialize(lhs->value, expr.getLHS().getLoc());
  Value b = rhs->isTensor()
                ? rhs->tensorValue
                : lowering.materialize(rhs->value, expr.getRHS().getLoc());
  if (op == ast::BinaryOp::MatMul)
    return lowerMatmul(lowering, expr, a, b);

  sae::Broadcast broadcast = sae::broadcastShapes(shapeOf(a), shapeOf(b));
  if (broadcast.conflict) {
    auto sizeText = [](int64_t size) { return std::to_string(size); };
    InFlightDiagnostic diag = lowering.error(
        expr.getOpLoc(), "'" + ast::getSpelling(op) + "': shapes " +
                             formatShape(a) + " and " + formatShape(b) +
                             " do not broadcast: dimensions " +
                             sizeText(broadcast.conflict->first) + " and " +
                             sizeText(broadcast.conflict->second) + " differ");
    noteOperands(lowering, diag, expr);
    return std::nullopt;
  }
  auto type = lowering.tensorType(broadcast.shape);
  Location location = lowering.loc(expr.getOpLoc());
  OpBuilder &ops = lowering.builder;
  if (std::optional<sae::CmpPredicate> predicate = predicateOf(op))
    return Operand::tensor(
        sae::CmpOp::create(ops, location, type, *predicate, a, b));
  switch (op) {
  case ast::BinaryOp::Add:
    return Operand::tensor(sae::AddOp::create(ops, location, type, a, b));
  case ast::BinaryOp::Sub:
    return Operand::tensor(sae::SubOp::create(ops, location, type, a, b));
  case ast::BinaryOp::Mul:
    return Operand::tensor(sae::MulOp::create(ops, location, type, a, b));
  case ast::BinaryOp::Div:
    return Operand::tensor(sae::DivOp::create(ops, location, type, a, b));
  case ast::BinaryOp::Pow:
    return Operand::tensor(sae::PowOp::create(ops, location, type, a, b));
  default:
    llvm_unreachable("handled above");
  }
}

//===----------------------------------------------------------------------===//
// Selection: filters, members, indexing
//===----------------------------------------------------------------------===//

static std::optional<Operand> lowerFilter(Lowering &lowering,
                                          const ast::FilterExpr &expr) {
  Value input = lowering.lowerTensor(expr.getOperand());
  std::optional<sae::Modality> modality =
      lowering.modalityOf(expr.getModality());
  if (!input || !modality)
    return std::nullopt;
  ArrayRef<int64_t> shape = shapeOf(input);
  if (shape.empty() || !ShapedType::isDynamic(shape[0])) {
    lowering.error(expr.getModality().getLoc(),
                   "'| " + expr.getModality().name +
                       "' selects rows, but the value has shape " +
                       formatShape(input) + " with no batch dimension");
    return std::nullopt;
  }
  return Operand::tensor(sae::FilterOp::create(
      lowering.builder, lowering.loc(expr.getModality().getLoc()),
      input.getType(), input, *modality));
}

/// `m.NAME`, optionally with a pair side.
static std::optional<Operand> lowerMember(Lowering &lowering,
                                          const ast::MemberExpr &expr,
                                          std::optional<sae::Modality> side,
                                          llvm::SMLoc sideLoc) {
  const auto *base = llvm::dyn_cast<ast::NameExpr>(&expr.getBase());
  const BlockContext &block = lowering.block;
  if (!base || !block.model || base->getName() != block.modelBinding) {
    lowering.error(expr.getMember().getLoc(),
                   block.model ? "only the model '" + block.modelBinding +
                                     "' has members"
                               : std::string("'.' reads a model's value and "
                                             "is only allowed in a metrics "
                                             "block"));
    return std::nullopt;
  }
  const std::string &member = expr.getMember().name;
  auto it = block.model->members.find(member);
  if (it == block.model->members.end()) {
    InFlightDiagnostic diag =
        lowering.error(expr.getMember().getLoc(),
                       "model '" + block.model->name +
                           "' has no value or parameter '" + member + "'");
    diag.attachNote(lowering.loc(block.model->declLoc))
        << "model '" << block.model->name << "' declared here";
    return std::nullopt;
  }
  if (side && !block.overPairs) {
    lowering.error(sideLoc, "a pair side ([image] or [text]) needs a metrics "
                            "block over pairs");
    return std::nullopt;
  }
  sae::ModalityAttr sideAttr =
      side ? sae::ModalityAttr::get(lowering.context, *side) : nullptr;
  return Operand::tensor(sae::ModelValueOp::create(
      lowering.builder, lowering.loc(expr.getMember().getLoc()), it->second,
      member, sideAttr));
}

/// `e[i, ...]` with slices, or `x[image]` / `m.z[image]` over pairs.
static std::optional<Operand> lowerIndex(Lowering &lowering,
                                         const ast::IndexExpr &expr) {
  ArrayRef<ast::ExprPtr> indices = expr.getIndices();
  // A pair side: one index naming a modality.
  if (indices.size() == 1)
    if (const auto *name = llvm::dyn_cast<ast::NameExpr>(indices[0].get()))
      if (name->getName() == "image" || name->getName() == "text") {
        sae::Modality side = name->getName() == "image" ? sae::Modality::Image
                                                        : sae::Modality::Text;
        if (const auto *member =
                llvm::dyn_cast<ast::MemberExpr>(&expr.getBase()))
          return lowerMember(lowering, *member, side, name->getLoc());
        const auto *base = llvm::dyn_cast<ast::NameExpr>(&expr.getBase());
        const BlockContext &block = lowering.block;
        auto input = base && block.model
                         ? block.model->inputs.find(base->getName())
                         : llvm::StringMap<Type>::const_iterator();
        if (!base || !block.model || input == block.model->inputs.end()) {
          lowering.error(name->getLoc(),
                         "a pair side selects an input or a model value in "
                         "a metrics block over pairs");
          return std::nullopt;
        }
        if (!block.overPairs) {
          lowering.error(name->getLoc(), "a pair side ([image] or [text]) "
                                         "needs a metrics block over pairs");
          return std::nullopt;
        }
        return Operand::tensor(sae::InputOp::create(
            lowering.builder, lowering.loc(name->getLoc()), input->second,
            base->getName(), sae::ModalityAttr::get(lowering.context, side)));
      }

  Value input = lowering.lowerTensor(expr.getBase());
  if (!input)
    return std::nullopt;
  ArrayRef<int64_t> shape = shapeOf(input);
  if (indices.size() != shape.size()) {
    lowering.error(expr.getLoc(),
                   "indexing a value of shape " + formatShape(input) +
                       " needs " + std::to_string(shape.size()) +
                       " slices, got " + std::to_string(indices.size()));
    return std::nullopt;
  }
  SmallVector<int64_t> starts, limits, result;
  for (auto [axis, index] : llvm::enumerate(indices)) {
    const auto *slice = llvm::dyn_cast<ast::SliceExpr>(index.get());
    if (!slice) {
      lowering.error(index->getLoc(), "only slices (`lo:hi`, `:hi`, `:`) can "
                                      "index a tensor here");
      return std::nullopt;
    }
    int64_t size = shape[axis];
    bool dynamic = ShapedType::isDynamic(size);
    if (dynamic && (slice->getLower() || slice->getUpper())) {
      lowering.error(index->getLoc(),
                     "the batch dimension can only be taken whole (`:`)");
      return std::nullopt;
    }
    int64_t lo = 0, hi = dynamic ? -1 : size;
    if (slice->getLower()) {
      std::optional<int64_t> value =
          lowering.lowerInteger(*slice->getLower(), "a slice bound", 0, size);
      if (!value)
        return std::nullopt;
      lo = *value;
    }
    if (slice->getUpper()) {
      std::optional<int64_t> value =
          lowering.lowerInteger(*slice->getUpper(), "a slice bound", 0, size);
      if (!value)
        return std::nullopt;
      hi = *value;
    }
    if (!dynamic && lo >= hi) {
      lowering.error(index->getLoc(), "empty slice " + std::to_string(lo) +
                                          ":" + std::to_string(hi) +
                                          " of a dimension of size " +
                                          std::to_string(size));
      return std::nullopt;
    }
    starts.push_back(lo);
    limits.push_back(hi);
    result.push_back(dynamic ? ShapedType::kDynamic : hi - lo);
  }
  return Operand::tensor(
      sae::SliceOp::create(lowering.builder, lowering.loc(expr.getLoc()),
                           lowering.tensorType(result), input, starts, limits));
}

//===----------------------------------------------------------------------===//
// Dispatch
//===----------------------------------------------------------------------===//

std::optional<Operand> Lowering::lowerExpr(const ast::Expr &expr) {
  switch (expr.getKind()) {
  case ast::Node::Kind::NumberExpr: {
    const auto &number = llvm::cast<ast::NumberExpr>(expr);
    return Operand::number(number.getValue(), number.isInteger());
  }
  case ast::Node::Kind::NameExpr:
    return lowerName(*this, llvm::cast<ast::NameExpr>(expr));
  case ast::Node::Kind::UnaryExpr: {
    const auto &unary = llvm::cast<ast::UnaryExpr>(expr);
    std::optional<Operand> operand = lowerExpr(unary.getOperand());
    if (!operand)
      return std::nullopt;
    if (operand->isNumber())
      return Operand::number(-operand->value, operand->integer);
    if (!operand->isTensor()) {
      error(unary.getLoc(), "'-' cannot negate a list");
      return std::nullopt;
    }
    return Operand::tensor(
        sae::NegOp::create(builder, loc(unary.getLoc()), operand->tensorValue));
  }
  case ast::Node::Kind::BinaryExpr:
    return lowerBinary(*this, llvm::cast<ast::BinaryExpr>(expr));
  case ast::Node::Kind::FilterExpr:
    return lowerFilter(*this, llvm::cast<ast::FilterExpr>(expr));
  case ast::Node::Kind::MemberExpr:
    return lowerMember(*this, llvm::cast<ast::MemberExpr>(expr), std::nullopt,
                       {});
  case ast::Node::Kind::IndexExpr:
    return lowerIndex(*this, llvm::cast<ast::IndexExpr>(expr));
  case ast::Node::Kind::SliceExpr:
    error(expr.getLoc(), "a slice is only allowed inside `[...]`");
    return std::nullopt;
  case ast::Node::Kind::CallExpr:
    return lowerCall(llvm::cast<ast::CallExpr>(expr));
  case ast::Node::Kind::ListExpr:
  case ast::Node::Kind::TupleExpr: {
    ArrayRef<ast::ExprPtr> elements =
        expr.getKind() == ast::Node::Kind::ListExpr
            ? llvm::cast<ast::ListExpr>(expr).getElements()
            : llvm::cast<ast::TupleExpr>(expr).getElements();
    std::vector<Operand> values;
    for (const ast::ExprPtr &element : elements) {
      std::optional<double> value = lowerNumber(*element, "a list element");
      if (!value)
        return std::nullopt;
      values.push_back(Operand::number(
          *value, llvm::isa<ast::NumberExpr>(*element) &&
                      llvm::cast<ast::NumberExpr>(*element).isInteger()));
    }
    return Operand::list(std::move(values));
  }
  default:
    error(expr.getLoc(), "expected an expression");
    return std::nullopt;
  }
}

Value Lowering::lowerTensor(const ast::Expr &expr) {
  std::optional<Operand> operand = lowerExpr(expr);
  if (!operand)
    return nullptr;
  if (operand->isNumber())
    return materialize(operand->value, expr.getLoc());
  if (operand->isList()) {
    error(expr.getLoc(), "expected a tensor, got a list");
    return nullptr;
  }
  return operand->tensorValue;
}

std::optional<double> Lowering::lowerNumber(const ast::Expr &expr,
                                            const Twine &what) {
  std::optional<Operand> operand = lowerExpr(expr);
  if (!operand)
    return std::nullopt;
  if (!operand->isNumber()) {
    error(expr.getLoc(),
          what + " must be a constant number, got " +
              (operand->isTensor()
                   ? "a tensor of shape " + formatShape(operand->tensorValue)
                   : std::string("a list")));
    return std::nullopt;
  }
  return operand->value;
}

std::optional<int64_t> Lowering::lowerInteger(const ast::Expr &expr,
                                              const Twine &what, int64_t min,
                                              int64_t max) {
  std::optional<Operand> operand = lowerExpr(expr);
  if (!operand)
    return std::nullopt;
  if (!operand->isNumber() || !operand->integer) {
    std::string got =
        operand->isNumber() ? "the real number " + formatNumber(operand->value)
        : operand->isTensor()
            ? "a tensor of shape " + formatShape(operand->tensorValue)
            : std::string("a list");
    error(expr.getLoc(), what + " must be a constant integer, got " + got);
    return std::nullopt;
  }
  int64_t value = static_cast<int64_t>(operand->value);
  if (value < min || value > max) {
    error(expr.getLoc(),
          what + " must be " +
              (max == INT64_MAX
                   ? "at least " + std::to_string(min)
                   : "in " + std::to_string(min) + ".." + std::to_string(max)) +
              ", got " + std::to_string(value));
    return std::nullopt;
  }
  return value;
}
