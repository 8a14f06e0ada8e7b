//===- Optimizer.cpp - -sae-optimizer ---------------------------*- C++ -*-===//
//
// Builds `@M.train_step` from `@M.grad`: the gradient body, then one
// sae.adam_update per parameter. The learning rate and Adam's bias
// corrections are arguments because the runtime's schedule sets them each
// step; β₁, β₂, ε and the weight decay come from the model's sae.train.
// Weight decay is decoupled (AdamW), as sae.train documents it.
//
//===----------------------------------------------------------------------===//

#include "prism/Dialect/Sae/IR/SaeOps.h"
#include "prism/Dialect/Sae/Transforms/EntryPoints.h"
#include "prism/Dialect/Sae/Transforms/Passes.h"

#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

namespace prism::sae {
#define GEN_PASS_DEF_SAEOPTIMIZER
#include "prism/Dialect/Sae/Transforms/Passes.h.inc"
} // namespace prism::sae

using namespace mlir;
using namespace prism::sae;

namespace {

/// Adam's fixed hyperparameters; PyTorch's defaults unless sae.train says.
struct AdamConfig {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weightDecay = 0.0;
};

/// Reads the Adam options of the sae.train of `model`, if there is one.
AdamConfig readAdamConfig(ModuleOp module, StringRef model) {
  AdamConfig config;
  for (auto train : module.getOps<TrainOp>()) {
    if (train.getModel() != model)
      continue;
    if (auto betas =
            dyn_cast_or_null<ArrayAttr>(train.getConfig().get("betas"));
        betas && betas.size() == 2) {
      auto number = [](Attribute attr, double fallback) {
        if (auto real = dyn_cast<FloatAttr>(attr))
          return real.getValueAsDouble();
        if (auto integer = dyn_cast<IntegerAttr>(attr))
          return static_cast<double>(integer.getInt());
        return fallback;
      };
      config.beta1 = number(betas[0], config.beta1);
      config.beta2 = number(betas[1], config.beta2);
    }
    config.eps = train.getNumberOption("eps").value_or(config.eps);
    config.weightDecay =
        train.getNumberOption("weight_decay").value_or(config.weightDecay);
  }
  return config;
}

/// The axis along which `constraint` keeps unit norms: rows are normalised
/// along axis 1, columns along axis 0.
int64_t normAxis(Constraint constraint) {
  return constraint == Constraint::UnitRows ? 1 : 0;
}

LogicalResult buildTrainStep(ModuleOp module, func::FuncOp grad) {
  auto modelName = grad->getAttrOfType<StringAttr>(entry::kModelAttr);
  if (!modelName)
    return grad.emitOpError("gradient entry point lacks the '")
           << entry::kModelAttr << "' attribute";
  auto model = SymbolTable::lookupSymbolIn(module, modelName.getValue());
  auto modelOp = dyn_cast_or_null<ModelOp>(model);
  if (!modelOp)
    return grad.emitOpError("names model @")
           << modelName.getValue()
           << ", which the module does not define (its parameter constraints "
              "are needed)";
  AdamConfig adam = readAdamConfig(module, modelName.getValue());

  llvm::StringSet<> gradientNames;
  for (unsigned i = 0, e = grad.getNumResults(); i < e; ++i)
    gradientNames.insert(entry::resultTag(grad, i, entry::kGradAttr));
  for (unsigned i = 0, e = grad.getNumArguments(); i < e; ++i) {
    StringRef name = entry::argumentTag(grad, i, entry::kParamAttr);
    if (!name.empty() && !gradientNames.contains(name))
      return grad.emitOpError("returns no gradient for parameter '")
             << name << "'";
  }

  MLIRContext *context = grad.getContext();
  SmallVector<entry::Argument> arguments;
  SmallVector<unsigned> paramIndices;
  for (BlockArgument argument : grad.getArguments()) {
    unsigned index = argument.getArgNumber();
    DictionaryAttr attrs = grad.getArgAttrDict(index);
    arguments.push_back({argument.getType(),
                         attrs ? attrs : DictionaryAttr::get(context),
                         argument.getLoc()});
    if (!entry::argumentTag(grad, index, entry::kParamAttr).empty())
      paramIndices.push_back(index);
  }

  // Per parameter, its first and second moments, of its own type.
  for (unsigned index : paramIndices) {
    StringRef name = entry::argumentTag(grad, index, entry::kParamAttr);
    for (StringRef moment : {"m", "v"})
      arguments.push_back({grad.getArgument(index).getType(),
                           entry::tag(context, entry::kStateAttr,
                                      entry::adamMomentName(moment, name)),
                           grad.getArgument(index).getLoc()});
  }
  Type element = Float32Type::get(context);
  if (!paramIndices.empty())
    element = cast<ShapedType>(grad.getArgument(paramIndices.front()).getType())
                  .getElementType();
  auto scalarType = RankedTensorType::get({}, element);
  for (StringRef scalar :
       {entry::kLr, entry::kBiasCorrection1, entry::kBiasCorrection2})
    arguments.push_back({scalarType,
                         entry::tag(context, entry::kScalarAttr, scalar),
                         grad.getLoc()});

  FailureOr<func::FuncOp> step = entry::createEntry(
      grad, modelName.getValue(), entry::kTrainStep, arguments);
  if (failed(step))
    return failure();
  SmallVector<Value> returned = entry::cloneBody(grad, *step);
  Block &body = step->getBody().front();

  // Split what the gradient function returns into outputs and gradients.
  SmallVector<Value> results;
  SmallVector<DictionaryAttr> resultAttrs;
  llvm::StringMap<Value> gradients;
  for (auto [index, value] : llvm::enumerate(returned)) {
    StringRef gradOf = entry::resultTag(grad, index, entry::kGradAttr);
    if (!gradOf.empty()) {
      gradients[gradOf] = value;
      continue;
    }
    DictionaryAttr attrs = grad.getResultAttrDict(index);
    results.push_back(value);
    resultAttrs.push_back(attrs ? attrs : DictionaryAttr::get(context));
  }

  unsigned numParams = paramIndices.size();
  unsigned firstMoment = grad.getNumArguments();
  unsigned firstScalar = firstMoment + 2 * numParams;
  Value lr = body.getArgument(firstScalar);
  Value bc1 = body.getArgument(firstScalar + 1);
  Value bc2 = body.getArgument(firstScalar + 2);

  OpBuilder builder = OpBuilder::atBlockEnd(&body);
  SmallVector<Value> newParams, newMoments;
  SmallVector<DictionaryAttr> paramAttrs, momentAttrs;
  for (auto [i, index] : llvm::enumerate(paramIndices)) {
    StringRef name = entry::argumentTag(grad, index, entry::kParamAttr);
    Value param = body.getArgument(index);
    Value gradient = gradients.lookup(name);
    Location loc = param.getLoc();

    std::optional<Constraint> constraint;
    if (ParamOp decl = modelOp.lookupParam(name))
      constraint = decl.getConstraint();
    if (constraint)
      gradient = ProjectTangentOp::create(builder, loc, gradient, param,
                                          normAxis(*constraint));

    auto update = AdamUpdateOp::create(
        builder, loc, param, gradient, body.getArgument(firstMoment + 2 * i),
        body.getArgument(firstMoment + 2 * i + 1), lr, bc1, bc2,
        builder.getF64FloatAttr(adam.beta1),
        builder.getF64FloatAttr(adam.beta2), builder.getF64FloatAttr(adam.eps),
        builder.getF64FloatAttr(adam.weightDecay));
    Value newParam = update.getNewParam();
    if (constraint)
      newParam =
          NormalizeOp::create(builder, loc, newParam, normAxis(*constraint));

    newParams.push_back(newParam);
    paramAttrs.push_back(entry::tag(context, entry::kParamOutAttr, name));
    newMoments.append({update.getNewM(), update.getNewV()});
    for (StringRef moment : {"m", "v"})
      momentAttrs.push_back(entry::tag(context, entry::kStateOutAttr,
                                       entry::adamMomentName(moment, name)));
  }

  results.append(newParams);
  results.append(newMoments);
  resultAttrs.append(paramAttrs);
  resultAttrs.append(momentAttrs);
  entry::finishEntry(*step, results, resultAttrs);
  entry::cleanUp(*step);
  return success();
}

struct Optimizer : public prism::sae::impl::SaeOptimizerBase<Optimizer> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> grads;
    for (auto func : module.getOps<func::FuncOp>())
      if (entry::entryKind(func) == entry::kGrad)
        grads.push_back(func);
    for (func::FuncOp grad : grads)
      if (failed(buildTrainStep(module, grad)))
        return signalPassFailure();
  }
};

} // namespace
