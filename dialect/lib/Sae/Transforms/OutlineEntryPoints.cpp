//===- OutlineEntryPoints.cpp - -sae-outline-entry-points -------*- C++ -*-===//
//
// Turns each sae.model into `func.func @M.forward`: inputs and parameters
// become arguments, outputs become results. The model stays, because the
// back end reads parameter initialisers and constraints from it.
//
// BatchTopK selects across the batch, so a row's code depends on the rows
// beside it. A model with `sae.batchtopk` also gets `@M.infer`, the forward
// in which each selection keeps instead the entries above a threshold θ
// (Bussmann et al. 2024): `batchtopk(v, k)` becomes `v · (v > θ)`, θ a
// rank-0 ModelState argument the runtime estimates during training. Each
// selection of the forward is tagged with the name of its threshold state
// (`sae.threshold`), which the training step's statistics read.
//
//===----------------------------------------------------------------------===//

#include "prism/Dialect/Sae/IR/SaeOps.h"
#include "prism/Dialect/Sae/Transforms/EntryPoints.h"
#include "prism/Dialect/Sae/Transforms/Passes.h"

#include "mlir/IR/IRMapping.h"

namespace prism::sae {
#define GEN_PASS_DEF_SAEOUTLINEENTRYPOINTS
#include "prism/Dialect/Sae/Transforms/Passes.h.inc"
} // namespace prism::sae

using namespace mlir;
using namespace prism::sae;

namespace {

/// Tags the `sae.batchtopk` ops of `forward` with their threshold names and,
/// when there are any, adds `@M.infer` after `forward`.
LogicalResult outlineInfer(ModelOp model, func::FuncOp forward) {
  MLIRContext *context = model.getContext();
  SmallVector<BatchTopKOp> selections;
  forward.walk([&](BatchTopKOp op) { selections.push_back(op); });
  if (selections.empty())
    return success();

  SmallVector<entry::Argument> arguments;
  for (BlockArgument argument : forward.getArguments()) {
    DictionaryAttr attrs = forward.getArgAttrDict(argument.getArgNumber());
    arguments.push_back({argument.getType(),
                         attrs ? attrs : DictionaryAttr::get(context),
                         argument.getLoc()});
  }
  for (auto [index, op] : llvm::enumerate(selections)) {
    std::string name = entry::thresholdName(index);
    op->setAttr(entry::kThresholdAttr, StringAttr::get(context, name));
    auto type = RankedTensorType::get(
        {}, cast<RankedTensorType>(op.getType()).getElementType());
    arguments.push_back(
        {type, entry::tag(context, entry::kStateAttr, name), op.getLoc()});
  }

  FailureOr<func::FuncOp> infer =
      entry::createEntry(forward, model.getSymName(), entry::kInfer, arguments);
  if (failed(infer))
    return failure();
  SmallVector<Value> results = entry::cloneBody(forward, *infer);
  Block &body = infer->getBody().front();
  ValueRange thresholds =
      body.getArguments().drop_front(forward.getNumArguments());

  // The clones come in the forward's order, so the i-th reads threshold i.
  SmallVector<BatchTopKOp> clones;
  infer->walk([&](BatchTopKOp op) { clones.push_back(op); });
  for (auto [op, theta] : llvm::zip_equal(clones, thresholds)) {
    OpBuilder builder(op);
    Value input = op.getInput();
    Value above =
        CmpOp::create(builder, op.getLoc(), CmpPredicate::GT, input, theta);
    Value kept = MulOp::create(builder, op.getLoc(), input, above);
    op.getResult().replaceAllUsesWith(kept);
    for (Value &result : results)
      if (result == op.getResult())
        result = kept;
    op.erase();
  }
  SmallVector<DictionaryAttr> resultAttrs;
  for (unsigned i = 0; i < forward.getNumResults(); ++i)
    resultAttrs.push_back(forward.getResultAttrDict(i));
  entry::finishEntry(*infer, results, resultAttrs);
  return success();
}

LogicalResult outlineForward(ModelOp model) {
  MLIRContext *context = model.getContext();
  Block &body = model.getBodyRegion().front();

  // Inputs first, then parameters, each in declaration order.
  SmallVector<Operation *> declarations;
  SmallVector<entry::Argument> arguments;
  for (auto input : body.getOps<InputOp>()) {
    declarations.push_back(input);
    arguments.push_back(
        {input.getType(),
         entry::tag(context, entry::kInputAttr, input.getName()),
         input.getLoc()});
  }
  for (auto param : body.getOps<ParamOp>()) {
    declarations.push_back(param);
    arguments.push_back(
        {param.getType(),
         entry::tag(context, entry::kParamAttr, param.getName()),
         param.getLoc()});
  }

  FailureOr<func::FuncOp> func =
      entry::createEntry(model, model.getSymName(), entry::kForward, arguments);
  if (failed(func))
    return failure();

  Block &entryBlock = func->getBody().front();
  IRMapping mapping;
  for (auto [declaration, argument] :
       llvm::zip_equal(declarations, entryBlock.getArguments()))
    mapping.map(declaration->getResult(0), argument);

  OpBuilder builder = OpBuilder::atBlockEnd(&entryBlock);
  SmallVector<Value> results;
  SmallVector<DictionaryAttr> resultAttrs;
  for (Operation &op : body) {
    if (isa<InputOp, ParamOp>(op))
      continue;
    if (auto output = dyn_cast<OutputOp>(op)) {
      results.push_back(mapping.lookupOrDefault(output.getValue()));
      resultAttrs.push_back(
          entry::tag(context, entry::kOutputAttr, output.getName()));
      continue;
    }
    builder.clone(op, mapping);
  }
  entry::finishEntry(*func, results, resultAttrs);
  return outlineInfer(model, *func);
}

struct OutlineEntryPoints
    : public prism::sae::impl::SaeOutlineEntryPointsBase<OutlineEntryPoints> {
  void runOnOperation() override {
    // Collected first: outlining adds functions to the module.
    SmallVector<ModelOp> models(getOperation().getOps<ModelOp>());
    for (ModelOp model : models)
      if (failed(outlineForward(model)))
        return signalPassFailure();
  }
};

} // namespace
