//===- CallLowering.cpp - .sae builtin calls to sae ops -------------------===//
//
// Each builtin declares its parameters; arguments bind to them positionally
// or by name, as in Python, and the handler checks operand shapes before it
// builds the op.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include <tuple>

using namespace mlir;
using namespace prism;
using namespace prism::lang;
using namespace prism::lang::gen;

namespace {} // namespace

std::optional<Arguments> gen::bindArguments(Lowering &lowering,
                                            const ast::CallExpr &call,
                                            ArrayRef<Parameter> params) {
  StringRef callee = call.getCallee().name;
  auto paramList = [&]() {
    std::string out;
    for (auto [i, param] : llvm::enumerate(params))
      out += (i ? ", " : "") + std::string(param.name);
    return out;
  };
  Arguments bound(params.size(), nullptr);
  if (call.getArgs().size() > params.size()) {
    lowering.error(call.getArgs()[params.size()]->getLoc(),
                   callee + ": expected at most " +
                       std::to_string(params.size()) + " arguments (" +
                       paramList() + "), got " +
                       std::to_string(call.getArgs().size()));
    return std::nullopt;
  }
  for (auto [i, arg] : llvm::enumerate(call.getArgs()))
    bound[i] = arg.get();
  for (const ast::Binding &named : call.getNamedArgs()) {
    const auto *it = llvm::find_if(params, [&](const Parameter &param) {
      return named.getName().name == param.name;
    });
    if (it == params.end()) {
      lowering.error(named.getLoc(),
                     callee + ": unknown argument '" + named.getName().name +
                         "' (parameters: " +
                         (params.empty() ? std::string("none") : paramList()) +
                         ")");
      return std::nullopt;
    }
    size_t index = it - params.begin();
    if (bound[index]) {
      lowering.error(named.getLoc(), callee + ": argument '" +
                                         named.getName().name +
                                         "' is given twice");
      return std::nullopt;
    }
    bound[index] = &named.getValue();
  }
  for (auto [i, param] : llvm::enumerate(params))
    if (param.required && !bound[i]) {
      lowering.error(call.getLoc(), callee + ": missing argument '" +
                                        param.name +
                                        "' (parameters: " + paramList() + ")");
      return std::nullopt;
    }
  return bound;
}

namespace {

/// Requires `value` to be a matrix; `what` names it in the message.
bool requireMatrix(Lowering &lowering, Value value, const ast::Expr &expr,
                   const Twine &what) {
  if (shapeOf(value).size() == 2)
    return true;
  lowering.error(expr.getLoc(),
                 what + " must be a matrix, got shape " + formatShape(value));
  return false;
}

class CallLowering {
public:
  CallLowering(Lowering &lowering, const ast::CallExpr &call)
      : lowering(lowering), call(call), name(call.getCallee().name),
        builder(lowering.builder), location(lowering.loc(call.getLoc())) {}

  std::optional<Operand> lower();

private:
  std::optional<Operand> lowerUnary();
  std::optional<Operand> lowerSelect();
  std::optional<Operand> lowerThreshold();
  std::optional<Operand> lowerReduce(sae::ReduceKind kind);
  std::optional<Operand> lowerComprehension();
  std::optional<Operand> lowerNormalize();
  std::optional<Operand> lowerPairwise();
  std::optional<Operand> lowerOuter();
  std::optional<Operand> lowerByModality();
  std::optional<Operand> lowerMse();
  std::optional<Operand> lowerL1();
  std::optional<Operand> lowerAuxK();
  std::optional<Operand> lowerTranspose();

  std::optional<Arguments> bind(ArrayRef<Parameter> params) {
    return bindArguments(lowering, call, params);
  }
  std::optional<Operand> fail(llvm::SMLoc where, const Twine &message) {
    lowering.error(where, message);
    return std::nullopt;
  }
  /// Lowers the first `count` bound arguments as tensors, every one of them
  /// so that each reports its own errors; nullopt if any fails.
  std::optional<SmallVector<Value, 4>> lowerTensors(const Arguments &args,
                                                    unsigned count) {
    SmallVector<Value, 4> values;
    bool ok = true;
    for (unsigned i = 0; i < count; ++i) {
      values.push_back(lowering.lowerTensor(*args[i]));
      ok = ok && values.back();
    }
    if (!ok)
      return std::nullopt;
    return values;
  }
  /// Lowers `e` and its `axis`: the two arguments of a reduction along an
  /// axis (`axis` optional unless `axisRequired`).
  std::optional<std::pair<Value, std::optional<int64_t>>>
  lowerTensorAndAxis(bool axisRequired) {
    std::optional<Arguments> args = bind({{"e", true}, {"axis", axisRequired}});
    if (!args)
      return std::nullopt;
    Value input = lowering.lowerTensor(*(*args)[0]);
    if (!input)
      return std::nullopt;
    std::optional<int64_t> axis;
    if (!lowerAxis((*args)[1], shapeOf(input).size(), axis))
      return std::nullopt;
    return std::make_pair(input, axis);
  }
  /// An optional axis argument, checked against `rank`.
  bool lowerAxis(const ast::Expr *expr, int64_t rank,
                 std::optional<int64_t> &axis) {
    if (!expr)
      return true;
    if (rank == 0) {
      lowering.error(expr->getLoc(), name + ": a scalar has no axis");
      return false;
    }
    axis = lowering.lowerInteger(*expr, name + ": axis", 0, rank - 1);
    return axis.has_value();
  }

  Lowering &lowering;
  const ast::CallExpr &call;
  std::string name;
  OpBuilder &builder;
  Location location;
};

std::optional<Operand> CallLowering::lowerUnary() {
  std::optional<Arguments> args = bind({{"e", true}});
  if (!args)
    return std::nullopt;
  Value input = lowering.lowerTensor(*(*args)[0]);
  if (!input)
    return std::nullopt;
  Value result;
  if (name == "relu")
    result = sae::ReluOp::create(builder, location, input);
  else if (name == "abs")
    result = sae::AbsOp::create(builder, location, input);
  else if (name == "sqrt")
    result = sae::SqrtOp::create(builder, location, input);
  else if (name == "exp")
    result = sae::ExpOp::create(builder, location, input);
  else
    result = sae::LogOp::create(builder, location, input);
  return Operand::tensor(result);
}

std::optional<Operand> CallLowering::lowerSelect() {
  std::optional<Arguments> args = bind({{"e", true}, {"k", true}});
  if (!args)
    return std::nullopt;
  const ast::Expr &inputExpr = *(*args)[0];
  Value input = lowering.lowerTensor(inputExpr);
  if (!input || !requireMatrix(lowering, input, inputExpr, name + ": e"))
    return std::nullopt;
  int64_t latents = shapeOf(input)[1];
  std::optional<int64_t> k = lowering.lowerInteger(
      *(*args)[1], name + ": k", 1,
      ShapedType::isDynamic(latents) ? INT64_MAX : latents);
  if (!k)
    return std::nullopt;
  IntegerAttr kAttr = builder.getI64IntegerAttr(*k);
  Type type = input.getType();
  if (name == "topk")
    return Operand::tensor(
        sae::TopKOp::create(builder, location, type, input, kAttr));
  if (name == "topk_abs")
    return Operand::tensor(
        sae::TopKAbsOp::create(builder, location, type, input, kAttr));
  return Operand::tensor(
      sae::BatchTopKOp::create(builder, location, type, input, kAttr));
}

std::optional<Operand> CallLowering::lowerThreshold() {
  std::optional<Arguments> args =
      bind({{"e", true}, {"theta", true}, {"bandwidth", false}});
  if (!args)
    return std::nullopt;
  const ast::Expr &inputExpr = *(*args)[0];
  Value input = lowering.lowerTensor(inputExpr);
  Value theta = lowering.lowerTensor(*(*args)[1]);
  if (!input || !theta ||
      !requireMatrix(lowering, input, inputExpr, name + ": e"))
    return std::nullopt;
  int64_t latents = shapeOf(input)[1];
  if (shapeOf(theta) != ArrayRef<int64_t>{latents})
    return fail((*args)[1]->getLoc(),
                name + ": theta must have shape " +
                    formatShape(lowering.tensorType({latents})) +
                    " (one threshold per latent of " + formatShape(input) +
                    "), got " + formatShape(theta));
  double bandwidth = 0.001;
  if ((*args)[2]) {
    std::optional<double> value =
        lowering.lowerNumber(*(*args)[2], name + ": bandwidth");
    if (!value)
      return std::nullopt;
    if (!(*value > 0))
      return fail((*args)[2]->getLoc(),
                  name + ": bandwidth must be positive, got " +
                      formatNumber(*value));
    bandwidth = *value;
  }
  if (name == "jumprelu")
    return Operand::tensor(
        sae::JumpReluOp::create(builder, location, input, theta, bandwidth));
  return Operand::tensor(
      sae::StepOp::create(builder, location, input, theta, bandwidth));
}

std::optional<Operand> CallLowering::lowerReduce(sae::ReduceKind kind) {
  if (call.getComprehension())
    return lowerComprehension();
  auto operands = lowerTensorAndAxis(/*axisRequired=*/false);
  if (!operands)
    return std::nullopt;
  auto [input, axis] = *operands;
  return Operand::tensor(
      sae::ReduceOp::create(builder, location, kind, input, axis));
}

/// `sum(body for p in [..])`, `mean(...)`: unrolled, one copy of the body
/// per element with `p` bound to it.
std::optional<Operand> CallLowering::lowerComprehension() {
  const ast::Comprehension &comprehension = *call.getComprehension();
  if (name != "sum" && name != "mean")
    return fail(comprehension.getLoc(),
                "only sum and mean take a comprehension, not " + name);
  if (!call.getNamedArgs().empty())
    return fail(call.getNamedArgs().front().getLoc(),
                name + ": a comprehension takes no other arguments");
  std::optional<Operand> range =
      lowering.lowerExpr(comprehension.getIterable());
  if (!range)
    return std::nullopt;
  if (!range->isList() || range->elements.empty())
    return fail(comprehension.getIterable().getLoc(),
                "a comprehension ranges over a non-empty list of constants, "
                "e.g. [128, 512]");
  std::optional<Operand> total;
  for (const Operand &element : range->elements) {
    lowering.scopes.emplace_back();
    lowering.scopes.back()[comprehension.getVar().name] =
        Symbol{element, comprehension.getVar().getLoc(), "a loop variable"};
    std::optional<Operand> term = lowering.lowerExpr(*call.getArgs()[0]);
    lowering.scopes.pop_back();
    if (!term)
      return std::nullopt;
    if (term->isList())
      return fail(call.getArgs()[0]->getLoc(),
                  "a comprehension body must be a number or a tensor");
    if (!total) {
      total = term;
      continue;
    }
    if (total->isNumber() && term->isNumber()) {
      total->value += term->value;
      continue;
    }
    Value a = total->isTensor()
                  ? total->tensorValue
                  : lowering.materialize(total->value, call.getLoc());
    Value b = term->isTensor()
                  ? term->tensorValue
                  : lowering.materialize(term->value, call.getLoc());
    if (a.getType() != b.getType())
      return fail(call.getArgs()[0]->getLoc(),
                  name + ": the terms have different shapes, " +
                      formatShape(a) + " and " + formatShape(b));
    total = Operand::tensor(
        sae::AddOp::create(builder, location, a.getType(), a, b));
  }
  if (name == "sum")
    return total;
  double count = static_cast<double>(range->elements.size());
  if (total->isNumber())
    return Operand::number(total->value / count, false);
  Value divisor = lowering.materialize(count, call.getLoc());
  return Operand::tensor(sae::DivOp::create(builder, location,
                                            total->tensorValue.getType(),
                                            total->tensorValue, divisor));
}

std::optional<Operand> CallLowering::lowerNormalize() {
  auto operands = lowerTensorAndAxis(/*axisRequired=*/true);
  if (!operands)
    return std::nullopt;
  auto [input, axis] = *operands;
  return Operand::tensor(
      sae::NormalizeOp::create(builder, location, input.getType(), input,
                               builder.getI64IntegerAttr(*axis)));
}

std::optional<Operand> CallLowering::lowerPairwise() {
  std::optional<Arguments> args = bind({{"A", true}, {"B", true}});
  std::optional<SmallVector<Value, 4>> values;
  if (!args || !(values = lowerTensors(*args, 2)))
    return std::nullopt;
  Value a = (*values)[0], b = (*values)[1];
  if (!requireMatrix(lowering, a, *(*args)[0], name + ": A") ||
      !requireMatrix(lowering, b, *(*args)[1], name + ": B"))
    return std::nullopt;
  int64_t da = shapeOf(a)[1], db = shapeOf(b)[1];
  if (!ShapedType::isDynamic(da) && !ShapedType::isDynamic(db) && da != db)
    return fail(call.getLoc(), name + ": " + formatShape(a) + " and " +
                                   formatShape(b) + ": rows have " +
                                   std::to_string(da) + " and " +
                                   std::to_string(db) + " entries");
  if (name == "cos")
    return Operand::tensor(sae::CosOp::create(builder, location, a, b));
  return Operand::tensor(sae::DistOp::create(builder, location, a, b));
}

std::optional<Operand> CallLowering::lowerOuter() {
  std::optional<Arguments> args = bind({{"a", true}, {"b", true}});
  std::optional<SmallVector<Value, 4>> values;
  if (!args || !(values = lowerTensors(*args, 2)))
    return std::nullopt;
  Value a = (*values)[0], b = (*values)[1];
  if (!requireMatrix(lowering, a, *(*args)[0], "outer: a") ||
      !requireMatrix(lowering, b, *(*args)[1], "outer: b"))
    return std::nullopt;
  for (auto [value, expr, label] :
       {std::tuple(a, (*args)[0], "a"), std::tuple(b, (*args)[1], "b")})
    if (!ShapedType::isDynamic(shapeOf(value)[0]))
      return fail(expr->getLoc(), "outer: " + Twine(label) +
                                      " must be per row ([batch, n]), got " +
                                      formatShape(value));
  return Operand::tensor(sae::OuterOp::create(builder, location, a, b));
}

std::optional<Operand> CallLowering::lowerByModality() {
  std::optional<Arguments> args = bind({{"image", true}, {"text", true}});
  std::optional<SmallVector<Value, 4>> values;
  if (!args || !(values = lowerTensors(*args, 2)))
    return std::nullopt;
  Value image = (*values)[0], text = (*values)[1];
  if (image.getType() != text.getType())
    return fail(call.getLoc(), "by_modality: the image and text values must "
                               "have the same shape, got " +
                                   formatShape(image) + " and " +
                                   formatShape(text));
  if (shapeOf(image).empty() || !ShapedType::isDynamic(shapeOf(image)[0]))
    return fail(call.getLoc(), "by_modality chooses per row, but the values "
                               "have shape " +
                                   formatShape(image) +
                                   " with no batch dimension");
  return Operand::tensor(sae::SelectModalityOp::create(
      builder, location, image.getType(), image, text));
}

std::optional<Operand> CallLowering::lowerMse() {
  std::optional<Arguments> args = bind({{"a", true}, {"b", true}});
  std::optional<SmallVector<Value, 4>> values;
  if (!args || !(values = lowerTensors(*args, 2)))
    return std::nullopt;
  Value a = (*values)[0], b = (*values)[1];
  if (a.getType() != b.getType())
    return fail(call.getLoc(), "mse: shapes " + formatShape(a) + " and " +
                                   formatShape(b) + " differ");
  return Operand::tensor(sae::MseOp::create(builder, location, a, b));
}

std::optional<Operand> CallLowering::lowerL1() {
  std::optional<Arguments> args = bind({{"z", true}, {"weight", false}});
  if (!args)
    return std::nullopt;
  Value z = lowering.lowerTensor(*(*args)[0]);
  if (!z || !requireMatrix(lowering, z, *(*args)[0], "l1: z"))
    return std::nullopt;
  Value weight;
  if ((*args)[1]) {
    weight = lowering.lowerTensor(*(*args)[1]);
    if (!weight)
      return std::nullopt;
    int64_t latents = shapeOf(z)[1];
    if (shapeOf(weight) != ArrayRef<int64_t>{latents})
      return fail((*args)[1]->getLoc(),
                  "l1: weight must have shape " +
                      formatShape(lowering.tensorType({latents})) +
                      " (one per latent of " + formatShape(z) + "), got " +
                      formatShape(weight));
  }
  return Operand::tensor(sae::L1Op::create(builder, location, z, weight));
}

std::optional<Operand> CallLowering::lowerAuxK() {
  std::optional<Arguments> args =
      bind({{"r", true}, {"pre", true}, {"W_dec", true}, {"k", true}});
  std::optional<SmallVector<Value, 4>> values;
  if (!args || !(values = lowerTensors(*args, 3)))
    return std::nullopt;
  Value residual = (*values)[0], pre = (*values)[1], decoder = (*values)[2];
  if (!requireMatrix(lowering, residual, *(*args)[0], "auxk: r") ||
      !requireMatrix(lowering, pre, *(*args)[1], "auxk: pre") ||
      !requireMatrix(lowering, decoder, *(*args)[2], "auxk: W_dec"))
    return std::nullopt;
  ArrayRef<int64_t> r = shapeOf(residual), p = shapeOf(pre),
                    w = shapeOf(decoder);
  if (w[0] != p[1] || w[1] != r[1])
    return fail(call.getLoc(),
                "auxk: W_dec " + formatShape(decoder) +
                    " must map the latents of pre " + formatShape(pre) +
                    " to the dimensions of r " + formatShape(residual));
  std::optional<int64_t> k =
      lowering.lowerInteger(*(*args)[3], "auxk: k", 1, p[1]);
  if (!k)
    return std::nullopt;
  return Operand::tensor(
      sae::AuxKOp::create(builder, location, residual, pre, decoder, *k));
}

std::optional<Operand> CallLowering::lowerTranspose() {
  std::optional<Arguments> args = bind({{"e", true}});
  if (!args)
    return std::nullopt;
  Value input = lowering.lowerTensor(*(*args)[0]);
  if (!input || !requireMatrix(lowering, input, *(*args)[0], "transpose: e"))
    return std::nullopt;
  return Operand::tensor(sae::TransposeOp::create(builder, location, input));
}

std::optional<Operand> CallLowering::lower() {
  if (call.getComprehension() && name != "sum" && name != "mean")
    return fail(call.getComprehension()->getLoc(),
                "only sum and mean take a comprehension, not " + name);
  if (name == "relu" || name == "abs" || name == "sqrt" || name == "exp" ||
      name == "log")
    return lowerUnary();
  if (name == "topk" || name == "topk_abs" || name == "batchtopk")
    return lowerSelect();
  if (name == "jumprelu" || name == "step")
    return lowerThreshold();
  if (name == "sum")
    return lowerReduce(sae::ReduceKind::Sum);
  if (name == "mean")
    return lowerReduce(sae::ReduceKind::Mean);
  if (name == "max")
    return lowerReduce(sae::ReduceKind::Max);
  if (name == "count")
    return lowerReduce(sae::ReduceKind::Count);
  if (name == "norm")
    return lowerReduce(sae::ReduceKind::Norm);
  if (name == "normalize")
    return lowerNormalize();
  if (name == "cos" || name == "dist")
    return lowerPairwise();
  if (name == "outer")
    return lowerOuter();
  if (name == "by_modality")
    return lowerByModality();
  if (name == "mse")
    return lowerMse();
  if (name == "l1")
    return lowerL1();
  if (name == "auxk")
    return lowerAuxK();
  if (name == "transpose")
    return lowerTranspose();
  if (name == "zeros" || name == "kaiming" || name == "xavier" ||
      name == "normal" || name == "median" || name == "copy")
    return fail(call.getCallee().getLoc(),
                name + "() is an initialiser: it can only follow `param "
                       "NAME[...] =`");
  return fail(call.getCallee().getLoc(), "unknown function '" + name + "'");
}

} // namespace

std::optional<Operand> Lowering::lowerCall(const ast::CallExpr &call) {
  return CallLowering(*this, call).lower();
}
