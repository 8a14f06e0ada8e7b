//===- Autodiff.cpp - -sae-autodiff -----------------------------*- C++ -*-===//
//
// Builds `@M.grad` from `@M.forward`: the forward body, then the reverse
// pass of ReverseMode.cpp, returning the forward outputs and the gradient
// of the loss with respect to every parameter. AuxK's dead-latent statistic
// becomes an explicit argument, so that the gradient is a pure function.
//
//===----------------------------------------------------------------------===//

#include "ReverseMode.h"

#include "prism/Dialect/Sae/IR/SaeOps.h"
#include "prism/Dialect/Sae/Transforms/EntryPoints.h"
#include "prism/Dialect/Sae/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

namespace prism::sae {
#define GEN_PASS_DEF_SAEAUTODIFF
#include "prism/Dialect/Sae/Transforms/Passes.h.inc"
} // namespace prism::sae

using namespace mlir;
using namespace prism::sae;

namespace {

/// The type of the dead-latent mask the AuxK losses of `forward` read: `[n]`
/// of their latents. Null when there is no AuxK loss; failure when two
/// disagree or `n` is dynamic.
FailureOr<Type> deadMaskType(func::FuncOp forward) {
  Type maskType;
  WalkResult walk = forward.walk([&](AuxKOp auxk) {
    auto pre = cast<RankedTensorType>(auxk.getPre().getType());
    auto type =
        RankedTensorType::get({pre.getShape().back()}, pre.getElementType());
    if (!type.hasStaticShape()) {
      auxk.emitOpError("needs a static number of latents to build its "
                       "dead-latent mask, got ")
          << pre;
      return WalkResult::interrupt();
    }
    if (maskType && maskType != type) {
      auxk.emitOpError("reads a dead-latent mask of type ")
          << type << ", but another AuxK loss reads " << maskType;
      return WalkResult::interrupt();
    }
    maskType = type;
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();
  return maskType;
}

/// Gives every AuxK loss of `func` the dead-latent mask `mask`, updating
/// `outputs` where they name a replaced loss.
void passDeadMask(func::FuncOp func, Value mask,
                  MutableArrayRef<Value> outputs) {
  SmallVector<AuxKOp> losses;
  func.walk([&](AuxKOp auxk) { losses.push_back(auxk); });
  for (AuxKOp auxk : losses) {
    OpBuilder builder(auxk);
    auto withMask = AuxKOp::create(builder, auxk.getLoc(), auxk.getType(),
                                   auxk.getResidual(), auxk.getPre(),
                                   auxk.getDecoder(), mask, auxk.getKAttr());
    auxk.replaceAllUsesWith(withMask.getResult());
    llvm::replace(outputs, auxk.getResult(), withMask.getResult());
    auxk.erase();
  }
}

/// A zero of `like`'s type: the gradient of a parameter the loss ignores.
Value zerosLike(OpBuilder &builder, Location loc, Value like) {
  auto type = cast<RankedTensorType>(like.getType());
  auto zero = builder.getFloatAttr(type.getElementType(), 0.0);
  if (type.hasStaticShape())
    return arith::ConstantOp::create(builder, loc, type,
                                     DenseElementsAttr::get(type, zero));
  auto scalarType = RankedTensorType::get({}, type.getElementType());
  Value scalar = arith::ConstantOp::create(
      builder, loc, scalarType, DenseElementsAttr::get(scalarType, zero));
  return BroadcastOp::create(builder, loc, scalar, like);
}

LogicalResult buildGradFunction(func::FuncOp forward) {
  auto model = forward->getAttrOfType<StringAttr>(entry::kModelAttr);
  if (!model)
    return forward.emitOpError("forward entry point lacks the '")
           << entry::kModelAttr << "' attribute";

  std::optional<unsigned> lossIndex;
  for (unsigned i = 0, e = forward.getNumResults(); i < e; ++i)
    if (entry::resultTag(forward, i, entry::kOutputAttr) == entry::kLoss)
      lossIndex = i;
  // A model without a loss can be evaluated but not trained.
  if (!lossIndex)
    return success();
  auto lossType = cast<ShapedType>(forward.getResultTypes()[*lossIndex]);
  if (lossType.getRank() != 0)
    return forward.emitOpError("loss must be a rank-0 tensor, got ")
           << lossType;

  FailureOr<Type> maskType = deadMaskType(forward);
  if (failed(maskType))
    return failure();

  MLIRContext *context = forward.getContext();
  SmallVector<entry::Argument> arguments = entry::argumentsOf(forward);
  if (*maskType)
    arguments.push_back(
        {*maskType, entry::tag(context, entry::kStateAttr, entry::kDeadMask),
         forward.getLoc()});

  FailureOr<func::FuncOp> grad =
      entry::createEntry(forward, model.getValue(), entry::kGrad, arguments);
  if (failed(grad))
    return failure();
  SmallVector<Value> outputs = entry::cloneBody(forward, *grad);
  Block &body = grad->getBody().front();
  if (*maskType)
    passDeadMask(*grad, body.getArguments().back(), outputs);

  SmallVector<Value> params;
  SmallVector<StringRef> paramNames;
  for (unsigned i = 0, e = forward.getNumArguments(); i < e; ++i) {
    StringRef name = entry::argumentTag(forward, i, entry::kParamAttr);
    if (name.empty())
      continue;
    params.push_back(body.getArgument(i));
    paramNames.push_back(name);
  }

  FailureOr<SmallVector<Value>> gradients =
      buildGradients(body, outputs[*lossIndex], params);
  if (failed(gradients)) {
    (*grad).erase();
    return failure();
  }

  SmallVector<Value> results(outputs);
  SmallVector<DictionaryAttr> resultAttrs;
  for (unsigned i = 0, e = forward.getNumResults(); i < e; ++i) {
    DictionaryAttr attrs = forward.getResultAttrDict(i);
    resultAttrs.push_back(attrs ? attrs : DictionaryAttr::get(context));
  }
  OpBuilder builder = OpBuilder::atBlockEnd(&body);
  for (auto [param, name, gradient] :
       llvm::zip_equal(params, paramNames, *gradients)) {
    results.push_back(gradient ? gradient
                               : zerosLike(builder, param.getLoc(), param));
    resultAttrs.push_back(entry::tag(context, entry::kGradAttr, name));
  }
  entry::finishEntry(*grad, results, resultAttrs);
  entry::cleanUp(*grad);
  return success();
}

struct Autodiff : public prism::sae::impl::SaeAutodiffBase<Autodiff> {
  void runOnOperation() override {
    SmallVector<func::FuncOp> forwards;
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (entry::entryKind(func) == entry::kForward)
        forwards.push_back(func);
    for (func::FuncOp forward : forwards)
      if (failed(buildGradFunction(forward)))
        return signalPassFailure();
  }
};

} // namespace
