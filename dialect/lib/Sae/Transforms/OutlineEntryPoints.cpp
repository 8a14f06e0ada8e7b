//===- OutlineEntryPoints.cpp - -sae-outline-entry-points -------*- C++ -*-===//
//
// Turns each sae.model into `func.func @M.forward`: inputs and parameters
// become arguments, outputs become results. A model with outputs `z` and
// `xhat` also gets `@M.encode` (the inputs to `z`) and `@M.reconstruct` (a
// code `z` to `xhat`), each with the arguments it reads. The model stays,
// because the back end reads parameter initialisers and constraints from it.
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

/// The value `func` returns as output `name`, or null.
Value returnedOutput(func::FuncOp func, StringRef name) {
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  for (auto [i, value] : llvm::enumerate(ret.getOperands()))
    if (entry::resultTag(func, i, entry::kOutputAttr) == name)
      return value;
  return {};
}

/// Erases the arguments nothing reads.
void dropUnusedArguments(func::FuncOp func) {
  llvm::BitVector unused(func.getNumArguments());
  for (BlockArgument arg : func.getArguments())
    unused[arg.getArgNumber()] = arg.use_empty();
  (void)func.eraseArguments(unused);
}

/// `@M.encode` and `@M.reconstruct` from `forward`, which returns `z` and
/// `xhat`: the code of a batch, and the reconstruction of a code.
LogicalResult outlineCodec(ModelOp model, func::FuncOp forward) {
  Value z = returnedOutput(forward, "z"),
        xhat = returnedOutput(forward, "xhat");
  if (!z || !xhat)
    return success();
  MLIRContext *context = model.getContext();
  SmallVector<entry::Argument> arguments = entry::argumentsOf(forward);

  FailureOr<func::FuncOp> encode = entry::createEntry(
      forward, model.getSymName(), entry::kEncode, arguments);
  if (failed(encode))
    return failure();
  Block &forwardBody = forward.getBody().front();
  IRMapping mapping;
  mapping.map(forwardBody.getArguments(),
              encode->getBody().front().getArguments());
  OpBuilder builder = OpBuilder::atBlockEnd(&encode->getBody().front());
  for (Operation &op : forwardBody.without_terminator())
    builder.clone(op, mapping);
  entry::finishEntry(*encode, {mapping.lookupOrDefault(z)},
                     {entry::tag(context, entry::kOutputAttr, "z")});
  entry::cleanUp(*encode);
  dropUnusedArguments(*encode);

  // The code is the first argument; what computed it in forward dies.
  arguments.insert(
      arguments.begin(),
      {z.getType(), entry::tag(context, entry::kInputAttr, "z"), z.getLoc()});
  FailureOr<func::FuncOp> reconstruct = entry::createEntry(
      *encode, model.getSymName(), entry::kReconstruct, arguments);
  if (failed(reconstruct))
    return failure();
  Block &body = reconstruct->getBody().front();
  mapping.clear();
  mapping.map(forwardBody.getArguments(), body.getArguments().drop_front());
  builder.setInsertionPointToEnd(&body);
  for (Operation &op : forwardBody.without_terminator()) {
    builder.clone(op, mapping);
    if (llvm::is_contained(op.getResults(), z))
      mapping.map(z, body.getArgument(0));
  }
  entry::finishEntry(*reconstruct, {mapping.lookupOrDefault(xhat)},
                     {entry::tag(context, entry::kOutputAttr, "xhat")});
  entry::cleanUp(*reconstruct);
  dropUnusedArguments(*reconstruct);
  return success();
}

/// Tags the `sae.batchtopk` ops of `forward` with their threshold names and,
/// when there are any, adds `@M.infer` after `forward`.
LogicalResult outlineInfer(ModelOp model, func::FuncOp forward) {
  MLIRContext *context = model.getContext();
  SmallVector<BatchTopKOp> selections;
  forward.walk([&](BatchTopKOp op) { selections.push_back(op); });
  if (selections.empty())
    return success();

  SmallVector<entry::Argument> arguments = entry::argumentsOf(forward);
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
  if (failed(outlineInfer(model, *func)))
    return failure();
  return outlineCodec(model, *func);
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
