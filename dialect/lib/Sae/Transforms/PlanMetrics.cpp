//===- PlanMetrics.cpp - -sae-plan-metrics ----------------------*- C++ -*-===//
//
// Compiles each `sae.metrics` block over rows into entry functions that
// stream a dataset in batches. A reduction along axis 0 or over all axes of
// a per-row value runs over the whole dataset, so it becomes accumulators:
// a sum (and a row count for a mean), a running maximum, or a sum of
// squares for a norm. The planner gives each such reduction a pass: the
// first pass, or the second when its operand reads the result of another
// (a variance reads a mean). Then:
//
//   metrics.B.init      the accumulators' start values (0, or -inf for max)
//   metrics.B.passP     folds one batch into the accumulators of pass P,
//                       reading the finished results of earlier passes
//   metrics.B.finalize  the metrics, from the accumulators and parameters
//
// Model outputs (`m.z`, `m.xhat`) come from a copy of the forward function
// in each pass function; parameters are arguments.
//
//===----------------------------------------------------------------------===//

#include "prism/Dialect/Sae/IR/SaeOps.h"
#include "prism/Dialect/Sae/Transforms/EntryPoints.h"
#include "prism/Dialect/Sae/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/CSE.h"

#include <limits>

namespace prism::sae {
#define GEN_PASS_DEF_SAEPLANMETRICS
#include "prism/Dialect/Sae/Transforms/Passes.h.inc"
} // namespace prism::sae

using namespace mlir;
using namespace prism::sae;

namespace {

/// Whether `value` has a row per dataset row: a leading dynamic dimension.
bool isPerRow(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.getRank() > 0 && type.isDynamicDim(0);
}

/// Whether `op` reduces a per-row value over the rows of the dataset.
bool isDatasetReduction(Operation *op) {
  auto reduce = dyn_cast<ReduceOp>(op);
  return reduce && isPerRow(reduce.getInput()) && !isPerRow(reduce.getResult());
}

/// Whether `value` is computed from rows filtered by modality.
bool readsFilteredRows(Value value) {
  SmallVector<Value> pending = {value};
  DenseSet<Value> seen;
  while (!pending.empty()) {
    Value next = pending.pop_back_val();
    if (!seen.insert(next).second || !isPerRow(next))
      continue;
    Operation *op = next.getDefiningOp();
    if (!op)
      continue;
    if (isa<FilterOp>(op))
      return true;
    llvm::append_range(pending, op->getOperands());
  }
  return false;
}

/// Maps `value` to the argument of `func` tagged `attr` = `name`, if any.
void mapToArgument(func::FuncOp func, StringRef attr, StringRef name,
                   Value value, IRMapping &mapping) {
  for (BlockArgument arg : func.getArguments())
    if (entry::argumentTag(func, arg.getArgNumber(), attr) == name)
      mapping.map(value, arg);
}

/// One reduction over the dataset and its accumulators.
struct Accumulation {
  // Op handles are values; mutable so that const accumulations query them.
  mutable ReduceOp reduce;
  unsigned pass = 0;
  /// The accumulators' buffer names: the running value, and for a mean
  /// the number of entries it summed.
  SmallVector<std::string, 2> names;
  SmallVector<RankedTensorType, 2> types;
};

class MetricsPlanner {
public:
  MetricsPlanner(MetricsOp metrics, func::FuncOp forward)
      : metrics(metrics), forward(forward),
        body(metrics.getBodyRegion().front()) {}

  /// Finds the reductions over the dataset and gives each its pass.
  LogicalResult plan();
  /// Adds the init, pass and finalize functions after the metrics block.
  LogicalResult build();

private:
  std::string entryName(StringRef what) {
    return ("metrics." + metrics.getSymName() + "." + what).str();
  }
  /// The accumulation of `op`, or null when `op` is none.
  const Accumulation *accumulationOf(Operation *op) const {
    auto it = accumulationIndex.find(op);
    return it == accumulationIndex.end() ? nullptr : &accumulations[it->second];
  }

  /// Arguments for the accumulators of the passes up to `lastPass`.
  void addAccumulatorArguments(unsigned lastPass,
                               SmallVectorImpl<entry::Argument> &arguments);
  /// The accumulator arguments of `func` by name.
  DenseMap<StringRef, Value> accumulatorArguments(func::FuncOp func);

  /// Clones the block's ops into `builder` whose operands `mapping` knows,
  /// reading finished reductions from `accumulators` and calling
  /// `onReduction` for each reduction of `pass` (when it is set).
  void cloneAvailable(OpBuilder &builder, IRMapping &mapping,
                      DenseMap<StringRef, Value> &accumulators,
                      std::optional<unsigned> pass,
                      function_ref<void(const Accumulation &, Value)> fold);

  /// The finished result of `accumulation` from its accumulators.
  Value finish(OpBuilder &builder, const Accumulation &accumulation,
               DenseMap<StringRef, Value> &accumulators);

  LogicalResult buildInit();
  LogicalResult buildPass(unsigned pass);
  LogicalResult buildFinalize();

  MetricsOp metrics;
  func::FuncOp forward;
  Block &body;
  SmallVector<Accumulation> accumulations;
  DenseMap<Operation *, unsigned> accumulationIndex;
  unsigned passes = 0;
  /// Where the next function goes: after the previous one.
  Operation *insertAfter = nullptr;
};

LogicalResult MetricsPlanner::plan() {
  // `m.z` read twice is one value, so a reduction written twice is one set
  // of accumulators.
  IRRewriter rewriter(metrics.getContext());
  DominanceInfo dominance(metrics);
  eliminateCommonSubExpressions(rewriter, dominance, metrics);
  // ready[v]: how many passes over the data must finish before v is known.
  DenseMap<Value, unsigned> ready;
  for (Operation &op : body) {
    unsigned need = 0;
    for (Value operand : op.getOperands())
      need = std::max(need, ready.lookup(operand));
    if (!isDatasetReduction(&op)) {
      if (!isa<MetricOp>(op) && llvm::any_of(op.getOperands(), isPerRow) &&
          llvm::any_of(op.getResults(), [](Value r) { return !isPerRow(r); }))
        return op.emitError("'")
               << op.getName()
               << "' turns per-row values into a per-dataset value, which "
                  "only sae.reduce (along axis 0 or over all axes) can do "
                  "over a dataset streamed in batches";
      for (Value result : op.getResults())
        ready[result] = need;
      continue;
    }
    auto reduce = cast<ReduceOp>(op);
    if (need >= 2)
      return op.emitError("this reduction over the dataset reads the result "
                          "of one that itself needs a pass of its own; "
                          "metrics are planned in at most two passes");
    if (reduce.getKind() == ReduceKind::MinPositive)
      return op.emitError("min_positive over the dataset is not streamed; "
                          "metrics blocks take sum, mean, max, count and norm");
    if (reduce.getKind() == ReduceKind::Max &&
        readsFilteredRows(reduce.getInput()))
      return op.emitError("max over rows filtered by modality is not "
                          "supported: the other rows are masked to 0, not "
                          "left out");
    Accumulation accumulation;
    accumulation.reduce = reduce;
    accumulation.pass = need;
    auto type = cast<RankedTensorType>(reduce.getType());
    std::string name = entryName("acc" + std::to_string(accumulations.size()));
    accumulation.names.push_back(name);
    accumulation.types.push_back(type);
    if (reduce.getKind() == ReduceKind::Mean) {
      accumulation.names.push_back(name + ".count");
      accumulation.types.push_back(
          RankedTensorType::get({}, type.getElementType()));
    }
    accumulationIndex[&op] = accumulations.size();
    accumulations.push_back(std::move(accumulation));
    passes = std::max(passes, need + 1);
    ready[reduce.getResult()] = need + 1;
  }
  return success();
}

void MetricsPlanner::addAccumulatorArguments(
    unsigned lastPass, SmallVectorImpl<entry::Argument> &arguments) {
  MLIRContext *context = metrics.getContext();
  for (const Accumulation &accumulation : accumulations) {
    if (accumulation.pass > lastPass)
      continue;
    for (auto [name, type] :
         llvm::zip_equal(accumulation.names, accumulation.types))
      arguments.push_back({type,
                           entry::tag(context, entry::kAccumulatorAttr, name),
                           accumulation.reduce.getLoc()});
  }
}

DenseMap<StringRef, Value>
MetricsPlanner::accumulatorArguments(func::FuncOp func) {
  DenseMap<StringRef, Value> found;
  for (BlockArgument arg : func.getArguments()) {
    StringRef name =
        entry::argumentTag(func, arg.getArgNumber(), entry::kAccumulatorAttr);
    if (!name.empty())
      found[name] = arg;
  }
  return found;
}

Value MetricsPlanner::finish(OpBuilder &builder,
                             const Accumulation &accumulation,
                             DenseMap<StringRef, Value> &accumulators) {
  Location loc = accumulation.reduce.getLoc();
  Value value = accumulators.lookup(accumulation.names[0]);
  switch (accumulation.reduce.getKind()) {
  case ReduceKind::Mean:
    return DivOp::create(builder, loc, value,
                         accumulators.lookup(accumulation.names[1]));
  case ReduceKind::Norm:
    return SqrtOp::create(builder, loc, value);
  case ReduceKind::Sum:
  case ReduceKind::Max:
  case ReduceKind::Count:
    return value;
  case ReduceKind::MinPositive:
    break; // plan() rejects it
  }
  llvm_unreachable("a reduction plan() does not accept");
}

void MetricsPlanner::cloneAvailable(
    OpBuilder &builder, IRMapping &mapping,
    DenseMap<StringRef, Value> &accumulators, std::optional<unsigned> pass,
    function_ref<void(const Accumulation &, Value)> fold) {
  for (Operation &op : body) {
    if (isa<InputOp, ModelValueOp, MetricOp>(op))
      continue;
    if (const Accumulation *accumulation = accumulationOf(&op)) {
      if (!pass || accumulation->pass < *pass)
        mapping.map(op.getResult(0),
                    finish(builder, *accumulation, accumulators));
      else if (accumulation->pass == *pass &&
               mapping.contains(accumulation->reduce.getInput()))
        fold(*accumulation, mapping.lookup(accumulation->reduce.getInput()));
      continue;
    }
    if (llvm::all_of(op.getOperands(),
                     [&](Value operand) { return mapping.contains(operand); }))
      builder.clone(op, mapping);
  }
}

LogicalResult MetricsPlanner::buildInit() {
  FailureOr<func::FuncOp> func = entry::createEntry(
      insertAfter, metrics.getModel(), entryName("init"), {});
  if (failed(func))
    return failure();
  insertAfter = *func;
  MLIRContext *context = metrics.getContext();
  OpBuilder builder = OpBuilder::atBlockEnd(&func->getBody().front());
  SmallVector<Value> results;
  SmallVector<DictionaryAttr> attrs;
  for (const Accumulation &accumulation : accumulations)
    for (auto [name, type] :
         llvm::zip_equal(accumulation.names, accumulation.types)) {
      bool isMax = accumulation.reduce.getKind() == ReduceKind::Max &&
                   name == accumulation.names[0];
      double start = isMax ? -std::numeric_limits<double>::infinity() : 0.0;
      auto element = cast<FloatType>(type.getElementType());
      auto value = DenseElementsAttr::get(
          type, builder.getFloatAttr(element, start).getValue());
      results.push_back(arith::ConstantOp::create(
          builder, accumulation.reduce.getLoc(), value));
      attrs.push_back(entry::tag(context, entry::kAccumulatorAttr, name));
    }
  entry::finishEntry(*func, results, attrs);
  return success();
}

LogicalResult MetricsPlanner::buildPass(unsigned pass) {
  SmallVector<entry::Argument> arguments = entry::argumentsOf(forward);
  addAccumulatorArguments(pass, arguments);
  FailureOr<func::FuncOp> func =
      entry::createEntry(insertAfter, metrics.getModel(),
                         entryName("pass" + std::to_string(pass)), arguments);
  if (failed(func))
    return failure();
  insertAfter = *func;
  MLIRContext *context = metrics.getContext();

  // The model's outputs for this batch, and its inputs and parameters.
  SmallVector<Value> outputs = entry::cloneBody(forward, *func);
  IRMapping mapping;
  for (Operation &op : body) {
    if (auto input = dyn_cast<InputOp>(op)) {
      mapToArgument(*func, entry::kInputAttr, input.getName(),
                    input.getResult(), mapping);
    } else if (auto value = dyn_cast<ModelValueOp>(op)) {
      for (auto [i, output] : llvm::enumerate(outputs))
        if (entry::resultTag(forward, i, entry::kOutputAttr) == value.getName())
          mapping.map(value.getResult(), output);
      mapToArgument(*func, entry::kParamAttr, value.getName(),
                    value.getResult(), mapping);
    }
  }

  OpBuilder builder = OpBuilder::atBlockEnd(&func->getBody().front());
  DenseMap<StringRef, Value> accumulators = accumulatorArguments(*func);
  SmallVector<Value> results;
  SmallVector<DictionaryAttr> attrs;
  cloneAvailable(
      builder, mapping, accumulators, pass,
      [&](const Accumulation &accumulation, Value input) {
        ReduceOp reduce = accumulation.reduce;
        Location loc = reduce.getLoc();
        std::optional<int64_t> axis = reduce.getAxis();
        Value batch;
        switch (reduce.getKind()) {
        case ReduceKind::Sum:
        case ReduceKind::Mean:
          batch = ReduceOp::create(builder, loc, ReduceKind::Sum, input, axis);
          break;
        case ReduceKind::Count:
        case ReduceKind::Max:
          batch = ReduceOp::create(builder, loc, reduce.getKind(), input, axis);
          break;
        case ReduceKind::Norm:
          batch =
              ReduceOp::create(builder, loc, ReduceKind::Sum,
                               MulOp::create(builder, loc, input, input), axis);
          break;
        case ReduceKind::MinPositive:
          llvm_unreachable("plan() rejects min_positive over the dataset");
        }
        Value running = accumulators.lookup(accumulation.names[0]);
        Value folded;
        if (reduce.getKind() == ReduceKind::Max)
          folded = MaximumOp::create(builder, loc, running, batch);
        else
          folded = AddOp::create(builder, loc, running, batch);
        results.push_back(folded);
        attrs.push_back(entry::tag(context, entry::kAccumulatorAttr,
                                   accumulation.names[0]));
        if (accumulation.names.size() < 2)
          return;
        // A mean's entries: the batch's rows (of its modality, when
        // filtered) times the other reduced axes.
        Value count = SizeOp::create(builder, loc, input, axis);
        results.push_back(AddOp::create(
            builder, loc, accumulators.lookup(accumulation.names[1]), count));
        attrs.push_back(entry::tag(context, entry::kAccumulatorAttr,
                                   accumulation.names[1]));
      });
  entry::finishEntry(*func, results, attrs);
  entry::cleanUp(*func);
  return success();
}

LogicalResult MetricsPlanner::buildFinalize() {
  // The parameters of the forward function, in its order.
  SmallVector<entry::Argument> arguments;
  for (const entry::Argument &argument : entry::argumentsOf(forward))
    if (argument.attrs.get(entry::kParamAttr))
      arguments.push_back(argument);
  addAccumulatorArguments(passes, arguments);
  FailureOr<func::FuncOp> func = entry::createEntry(
      insertAfter, metrics.getModel(), entryName("finalize"), arguments);
  if (failed(func))
    return failure();
  insertAfter = *func;

  IRMapping mapping;
  for (auto value : body.getOps<ModelValueOp>())
    mapToArgument(*func, entry::kParamAttr, value.getName(), value.getResult(),
                  mapping);
  OpBuilder builder = OpBuilder::atBlockEnd(&func->getBody().front());
  DenseMap<StringRef, Value> accumulators = accumulatorArguments(*func);
  cloneAvailable(builder, mapping, accumulators, std::nullopt,
                 [](const Accumulation &, Value) {});

  SmallVector<Value> results;
  SmallVector<DictionaryAttr> attrs;
  for (auto metric : body.getOps<MetricOp>()) {
    Value value = mapping.lookupOrNull(metric.getValue());
    if (!value)
      return metric.emitError("metric '")
             << metric.getName()
             << "' could not be computed from the dataset's reductions";
    results.push_back(value);
    attrs.push_back(entry::tag(metrics.getContext(), entry::kOutputAttr,
                               entryName(metric.getName())));
  }
  entry::finishEntry(*func, results, attrs);
  entry::cleanUp(*func);
  return success();
}

LogicalResult MetricsPlanner::build() {
  insertAfter = metrics;
  if (failed(buildInit()))
    return failure();
  for (unsigned pass = 0; pass < passes; ++pass)
    if (failed(buildPass(pass)))
      return failure();
  return buildFinalize();
}

struct PlanMetrics : public prism::sae::impl::SaePlanMetricsBase<PlanMetrics> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<MetricsOp> blocks(module.getOps<MetricsOp>());
    for (MetricsOp metrics : blocks) {
      if (metrics.getOver() == MetricsDomain::Pairs) {
        metrics.emitWarning("metrics over pairs are not compiled yet; '")
            << metrics.getSymName() << "' is left out of the program";
        metrics.erase();
        continue;
      }
      auto forward = module.lookupSymbol<func::FuncOp>(
          entry::symbolName(metrics.getModel(), entry::kForward));
      if (!forward) {
        metrics.emitError("metrics block '")
            << metrics.getSymName() << "' needs @"
            << entry::symbolName(metrics.getModel(), entry::kForward)
            << " (run -sae-outline-entry-points first)";
        return signalPassFailure();
      }
      MetricsPlanner planner(metrics, forward);
      if (failed(planner.plan()) || failed(planner.build()))
        return signalPassFailure();
      metrics.erase();
    }
  }
};

} // namespace
