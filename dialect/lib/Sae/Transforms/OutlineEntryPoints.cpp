//===- OutlineEntryPoints.cpp - -sae-outline-entry-points -------*- C++ -*-===//
//
// Turns each sae.model into `func.func @M.forward`: inputs and parameters
// become arguments, outputs become results. The model stays, because the
// back end reads parameter initialisers and constraints from it.
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
  return success();
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
