//===- TrainStatistics.cpp - -sae-train-statistics ------------------------===//
//
// The runtime's training contract asks each step for its loss, the mean L0
// of the code and, per latent, whether it fired (for the dead-latent
// counters and AuxK's dead mask). The forward outputs besides the loss are
// not read during training, so they go: their computation then dies unless
// the gradient needs it.
//
// A BatchTopK selection tagged with its inference threshold
// (`sae.threshold = "batchtopk.theta"`, by -sae-outline-entry-points) also
// reports the smallest activation it kept, `batchtopk.theta.min_kept`: the
// smallest positive entry of its result, +inf when it kept none. The runtime
// averages it into θ.
//
//===----------------------------------------------------------------------===//

#include "prism/Conversion/SaeToSaek.h"
#include "prism/Dialect/Sae/IR/SaeOps.h"
#include "prism/Dialect/Sae/Transforms/EntryPoints.h"

namespace prism {
#define GEN_PASS_DEF_SAETRAINSTATISTICS
#include "prism/Conversion/Passes.h.inc"
} // namespace prism

using namespace mlir;
namespace sae = prism::sae;

namespace {

/// The result of `func` whose `attribute` is `name`, or -1.
int findResult(func::FuncOp func, StringRef attribute, StringRef name) {
  for (unsigned i = 0; i < func.getNumResults(); ++i)
    if (auto attr = func.getResultAttrOfType<StringAttr>(i, attribute);
        attr && attr.getValue() == name)
      return static_cast<int>(i);
  return -1;
}

LogicalResult addStatistics(func::FuncOp func) {
  int zIndex = findResult(func, "sae.output", "z");
  int lossIndex = findResult(func, "sae.output", "loss");
  if (zIndex < 0 || lossIndex < 0)
    return func.emitError("a training step needs the outputs 'z' (the code, "
                          "for L0 and dead latents) and 'loss'");
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  Value z = ret.getOperand(zIndex);
  auto zType = cast<RankedTensorType>(z.getType());
  if (zType.getRank() != 2 || zType.isDynamicDim(1))
    return func.emitError("the code 'z' must be [batch, n] with a static n, "
                          "got ")
           << zType;

  OpBuilder builder(ret);
  Location loc = ret.getLoc();
  Value perRow =
      sae::ReduceOp::create(builder, loc, sae::ReduceKind::Count, z, 1);
  Value l0 = sae::ReduceOp::create(builder, loc, sae::ReduceKind::Mean, perRow);
  Value fired =
      sae::ReduceOp::create(builder, loc, sae::ReduceKind::Count, z, 0);

  MLIRContext *context = func.getContext();
  auto named = [&](StringRef attribute, StringRef name) {
    return DictionaryAttr::get(
        context, {NamedAttribute(StringAttr::get(context, attribute),
                                 StringAttr::get(context, name))});
  };
  SmallVector<Value> results = {ret.getOperand(lossIndex), l0, fired};
  SmallVector<Attribute> attrs = {named("sae.output", "loss"),
                                  named("sae.output", "l0"),
                                  named("sae.output", "fired")};

  // The smallest kept activation of each tagged batch-level selection.
  SmallVector<sae::BatchTopKOp> selections;
  func.walk([&](sae::BatchTopKOp op) { selections.push_back(op); });
  for (sae::BatchTopKOp op : selections) {
    auto threshold = op->getAttrOfType<StringAttr>(sae::entry::kThresholdAttr);
    if (!threshold)
      continue;
    std::string name = sae::entry::minKeptName(threshold.getValue());
    if (llvm::any_of(attrs, [&](Attribute attr) {
          return cast<DictionaryAttr>(attr).getAs<StringAttr>("sae.output") ==
                 name;
        }))
      return op.emitOpError("shares the threshold '")
             << threshold.getValue() << "' with another sae.batchtopk";
    results.push_back(sae::ReduceOp::create(
        builder, loc, sae::ReduceKind::MinPositive, op.getResult()));
    attrs.push_back(named("sae.output", name));
  }
  for (unsigned i = 0; i < func.getNumResults(); ++i) {
    if (func.getResultAttr(i, "sae.output"))
      continue;
    results.push_back(ret.getOperand(i));
    attrs.push_back(func.getResultAttrDict(i));
  }
  func::ReturnOp::create(builder, loc, results);
  ret.erase();
  func.setFunctionType(FunctionType::get(context, func.getArgumentTypes(),
                                         ValueRange(results).getTypes()));
  func.setAllResultAttrs(attrs);

  // The runtime passes the dead-latent mask to every step.
  bool hasMask = llvm::any_of(func.getArguments(), [&](BlockArgument arg) {
    auto attr =
        func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "sae.state");
    return attr && attr.getValue() == "dead_mask";
  });
  if (!hasMask) {
    unsigned index = 0;
    for (BlockArgument arg : func.getArguments())
      if (func.getArgAttr(arg.getArgNumber(), "sae.param") ||
          func.getArgAttr(arg.getArgNumber(), "sae.input"))
        index = arg.getArgNumber() + 1;
    auto maskType =
        RankedTensorType::get({zType.getDimSize(1)}, zType.getElementType());
    if (failed(func.insertArgument(
            index, maskType, named("sae.state", "dead_mask"), func.getLoc())))
      return failure();
  }
  return success();
}

struct SaeTrainStatisticsPass
    : prism::impl::SaeTrainStatisticsBase<SaeTrainStatisticsPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      auto entry = func->getAttrOfType<StringAttr>("sae.entry");
      if (entry && entry.getValue() == "train_step" &&
          failed(addStatistics(func)))
        return signalPassFailure();
    }
  }
};

} // namespace
