//===- DeclLowering.cpp - models, metrics and train blocks ----------------===//

#include "Lowering.h"

#include "prism/Lang/MLIRGen.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;
using namespace prism;
using namespace prism::lang;
using namespace prism::lang::gen;

Lowering::Lowering(const llvm::SourceMgr &sourceMgr, MLIRContext *context)
    : sourceMgr(sourceMgr), context(context), reporter(sourceMgr, context),
      builder(context) {
  context->loadDialect<sae::SaeDialect, arith::ArithDialect>();
}

//===----------------------------------------------------------------------===//
// Scopes
//===----------------------------------------------------------------------===//

const Symbol *Lowering::lookup(StringRef name) const {
  for (auto scope = scopes.rbegin(); scope != scopes.rend(); ++scope) {
    auto it = scope->find(name);
    if (it != scope->end())
      return &it->second;
  }
  return nullptr;
}

LogicalResult Lowering::declare(const ast::Identifier &name, Symbol symbol) {
  if (const Symbol *previous = lookup(name.name)) {
    if (previous->poisoned)
      return failure();
    InFlightDiagnostic diag =
        error(name.getLoc(), "'" + name.name + "' is already defined");
    diag.attachNote(loc(previous->declLoc))
        << "previous definition of '" << name.name << "' (" << previous->what
        << ")";
    return failure();
  }
  scopes.back()[name.name] = std::move(symbol);
  return success();
}

/// Declares `name` as failed so later uses do not report again.
static void poison(Lowering &lowering, const ast::Identifier &name) {
  if (!lowering.lookup(name.name)) {
    Symbol symbol;
    symbol.poisoned = true;
    symbol.declLoc = name.getLoc();
    lowering.scopes.back()[name.name] = symbol;
  }
}

//===----------------------------------------------------------------------===//
// Models
//===----------------------------------------------------------------------===//

std::optional<SmallVector<int64_t>>
Lowering::lowerShape(ArrayRef<ast::Dim> dims, const ast::Identifier &owner,
                     bool isInput) {
  SmallVector<int64_t> shape;
  for (auto [i, dim] : llvm::enumerate(dims)) {
    if (dim.isBatch()) {
      if (!isInput) {
        error(dim.getLoc(), "parameter '" + owner.name +
                                "' has a fixed shape: 'batch' is only for "
                                "inputs");
        return std::nullopt;
      }
      if (i != 0) {
        error(dim.getLoc(), "'batch' can only be the first dimension of "
                            "input '" +
                                owner.name + "'");
        return std::nullopt;
      }
      shape.push_back(ShapedType::kDynamic);
      continue;
    }
    if (isInput && i == 0) {
      error(dim.getLoc(), "input '" + owner.name +
                              "' must have 'batch' as its first dimension");
      return std::nullopt;
    }
    std::optional<int64_t> size =
        lowerInteger(*dim.getSize(), "a dimension of '" + owner.name + "'", 1);
    if (!size)
      return std::nullopt;
    shape.push_back(*size);
  }
  if (isInput && shape.size() < 2) {
    error(owner.getLoc(), "input '" + owner.name +
                              "' needs a batch and a feature dimension, e.g. "
                              "[batch, d]");
    return std::nullopt;
  }
  return shape;
}

LogicalResult Lowering::lowerInput(const ast::InputStmt &stmt,
                                   ModelInfo &info) {
  std::optional<SmallVector<int64_t>> shape =
      lowerShape(stmt.getShape(), stmt.getName(), /*isInput=*/true);
  if (!shape) {
    poison(*this, stmt.getName());
    return failure();
  }
  auto type = tensorType(*shape);
  Value value = sae::InputOp::create(builder, loc(stmt.getLoc()), type,
                                     stmt.getName().name, nullptr);
  if (failed(
          declare(stmt.getName(), Symbol{Operand::tensor(value),
                                         stmt.getName().getLoc(), "an input"})))
    return failure();
  info.inputs[stmt.getName().name] = type;
  info.inputOrder.push_back(stmt.getName().name);
  return success();
}

namespace {

/// What a `param` initialiser lowers to.
struct Initialiser {
  sae::InitKind kind = sae::InitKind::Zeros;
  std::optional<double> value;
  std::optional<int64_t> seed;
  std::string source;
};

} // namespace

/// The expected shape of an initialiser that derives from another tensor, or
/// failure with the mismatch reported.
static LogicalResult checkDerivedShape(Lowering &lowering,
                                       const ast::CallExpr &call,
                                       const ast::ParamStmt &stmt,
                                       ArrayRef<int64_t> derived,
                                       ArrayRef<int64_t> declared) {
  if (derived == declared)
    return success();
  lowering.error(call.getLoc(), call.getCallee().name + "(...) has shape " +
                                    formatShape(lowering.tensorType(derived)) +
                                    ", but '" + stmt.getName().name +
                                    "' is declared " +
                                    formatShape(lowering.tensorType(declared)));
  return failure();
}

static std::optional<Initialiser> lowerInitialiser(Lowering &lowering,
                                                   const ast::ParamStmt &stmt,
                                                   ArrayRef<int64_t> shape) {
  const auto *call = llvm::dyn_cast<ast::CallExpr>(&stmt.getInit());
  Initialiser init;
  if (!call) {
    std::optional<double> value = lowering.lowerNumber(
        stmt.getInit(), "the initial value of '" + stmt.getName().name + "'");
    if (!value)
      return std::nullopt;
    init.kind = sae::InitKind::Constant;
    init.value = *value;
    return init;
  }
  StringRef name = call->getCallee().name;
  if (call->getComprehension()) {
    lowering.error(call->getComprehension()->getLoc(),
                   "an initialiser takes no comprehension");
    return std::nullopt;
  }
  if (name == "zeros" || name == "kaiming" || name == "xavier") {
    if (!bindArguments(lowering, *call, {}))
      return std::nullopt;
    init.kind = name == "zeros"     ? sae::InitKind::Zeros
                : name == "kaiming" ? sae::InitKind::Kaiming
                                    : sae::InitKind::Xavier;
    return init;
  }
  if (name == "normal") {
    std::optional<Arguments> args =
        bindArguments(lowering, *call, {{"std", false}, {"seed", false}});
    if (!args)
      return std::nullopt;
    init.kind = sae::InitKind::Normal;
    if ((*args)[0]) {
      init.value = lowering.lowerNumber(*(*args)[0], "normal: std");
      if (!init.value)
        return std::nullopt;
      if (!(*init.value > 0)) {
        lowering.error((*args)[0]->getLoc(),
                       "normal: std must be positive, got " +
                           formatNumber(*init.value));
        return std::nullopt;
      }
    }
    if ((*args)[1]) {
      init.seed = lowering.lowerInteger(*(*args)[1], "normal: seed", 0);
      if (!init.seed)
        return std::nullopt;
    }
    return init;
  }
  bool fromData = name == "mean" || name == "median";
  bool fromParam = name == "transpose" || name == "copy";
  if (!fromData && !fromParam) {
    lowering.error(call->getCallee().getLoc(),
                   "unknown initialiser '" + name + "' for '" +
                       stmt.getName().name +
                       "' (expected a number, zeros(), kaiming(), xavier(), "
                       "normal(), mean(x), median(x), transpose(P) or "
                       "copy(P))");
    return std::nullopt;
  }
  std::optional<Arguments> args =
      bindArguments(lowering, *call, {{fromData ? "x" : "P", true}});
  if (!args)
    return std::nullopt;
  const auto *source = llvm::dyn_cast<ast::NameExpr>((*args)[0]);
  const Symbol *symbol = source ? lowering.lookup(source->getName()) : nullptr;
  const char *wanted = fromData ? "an input" : "a parameter";
  if (!symbol || symbol->poisoned || StringRef(symbol->what) != wanted) {
    if (!symbol || !symbol->poisoned)
      lowering.error((*args)[0]->getLoc(),
                     name + "(...) takes the name of " +
                         (fromData ? "an input"
                                   : "a parameter declared "
                                     "before '" +
                                         stmt.getName().name + "'"));
    return std::nullopt;
  }
  ArrayRef<int64_t> sourceShape = shapeOf(symbol->value.tensorValue);
  SmallVector<int64_t> derived;
  if (fromData)
    derived.assign(sourceShape.begin() + 1, sourceShape.end());
  else if (name == "transpose" && sourceShape.size() == 2)
    derived = {sourceShape[1], sourceShape[0]};
  else
    derived.assign(sourceShape.begin(), sourceShape.end());
  if (name == "transpose" && sourceShape.size() != 2) {
    lowering.error((*args)[0]->getLoc(),
                   "transpose(...) needs a matrix, '" + source->getName() +
                       "' has shape " + formatShape(symbol->value.tensorValue));
    return std::nullopt;
  }
  if (failed(checkDerivedShape(lowering, *call, stmt, derived, shape)))
    return std::nullopt;
  init.kind = name == "mean"        ? sae::InitKind::Mean
              : name == "median"    ? sae::InitKind::Median
              : name == "transpose" ? sae::InitKind::Transpose
                                    : sae::InitKind::Copy;
  init.source = source->getName().str();
  return init;
}

LogicalResult Lowering::lowerParam(const ast::ParamStmt &stmt,
                                   ModelInfo &info) {
  const ast::Identifier &name = stmt.getName();
  std::optional<SmallVector<int64_t>> shape =
      lowerShape(stmt.getShape(), name, /*isInput=*/false);
  std::optional<Initialiser> init =
      shape ? lowerInitialiser(*this, stmt, *shape) : std::nullopt;
  if (!init) {
    poison(*this, name);
    return failure();
  }
  sae::ConstraintAttr constraint;
  if (stmt.getConstraint() != ast::Constraint::None) {
    if (shape->size() != 2) {
      error(stmt.getConstraintRange().Start,
            ast::getSpelling(stmt.getConstraint()) + " needs a matrix, but '" +
                name.name + "' has shape " + formatShape(tensorType(*shape)));
      poison(*this, name);
      return failure();
    }
    constraint = sae::ConstraintAttr::get(
        context, stmt.getConstraint() == ast::Constraint::UnitRows
                     ? sae::Constraint::UnitRows
                     : sae::Constraint::UnitCols);
  }
  auto type = tensorType(*shape);
  FloatAttr value =
      init->value ? builder.getF64FloatAttr(*init->value) : FloatAttr();
  IntegerAttr seed =
      init->seed ? builder.getI64IntegerAttr(*init->seed) : IntegerAttr();
  StringAttr source =
      init->source.empty() ? StringAttr() : builder.getStringAttr(init->source);
  Value param =
      sae::ParamOp::create(builder, loc(stmt.getLoc()), type, name.name,
                           init->kind, value, seed, source, constraint);
  if (failed(declare(
          name, Symbol{Operand::tensor(param), name.getLoc(), "a parameter"})))
    return failure();
  info.members[name.name] = type;
  info.memberLocs[name.name] = name.getLoc();
  return success();
}

/// `NAME = expr` in a model: a named output, or a compile-time constant.
static LogicalResult lowerLet(Lowering &lowering, const ast::LetStmt &stmt,
                              ModelInfo &info) {
  const ast::Identifier &name = stmt.getName();
  std::optional<Operand> value = lowering.lowerExpr(stmt.getValue());
  if (!value) {
    poison(lowering, name);
    return failure();
  }
  if (value->isList()) {
    lowering.error(stmt.getValue().getLoc(),
                   "'" + name.name + "' cannot be a list");
    poison(lowering, name);
    return failure();
  }
  if (name.name == "loss") {
    if (value->isNumber()) {
      lowering.error(stmt.getValue().getLoc(),
                     "'loss' is the constant " + formatNumber(value->value) +
                         ": it must be computed from the model's inputs and "
                         "parameters");
      return failure();
    }
    if (!shapeOf(value->tensorValue).empty()) {
      lowering.error(stmt.getValue().getLoc(),
                     "'loss' must be a scalar, got shape " +
                         formatShape(value->tensorValue));
      return failure();
    }
  }
  if (failed(lowering.declare(name, Symbol{*value, name.getLoc(), "a value"})))
    return failure();
  if (!value->isTensor())
    return success(); // a constant: folded where it is used
  sae::OutputOp::create(lowering.builder, lowering.loc(stmt.getLoc()),
                        name.name, value->tensorValue);
  info.members[name.name] = value->tensorValue.getType();
  info.memberLocs[name.name] = name.getLoc();
  return success();
}

LogicalResult Lowering::lowerModel(const ast::ModelDecl &decl) {
  const ast::Identifier &name = decl.getName();
  if (auto it = models.find(name.name); it != models.end()) {
    InFlightDiagnostic diag =
        error(name.getLoc(), "model '" + name.name + "' is already defined");
    diag.attachNote(loc(it->second.declLoc)) << "previous definition here";
    return failure();
  }
  scopes.assign(1, {});
  block = BlockContext();
  block.inModel = true;

  // Hyperparameters are constants that later ones and the body may use.
  bool ok = true;
  SmallVector<NamedAttribute> hyper;
  for (const ast::Binding &binding : decl.getHyperparameters()) {
    std::optional<Operand> value = lowerExpr(binding.getValue());
    if (value && !value->isNumber()) {
      error(binding.getValue().getLoc(), "hyperparameter '" +
                                             binding.getName().name +
                                             "' must be a constant number");
      value.reset();
    }
    if (!value) {
      poison(*this, binding.getName());
      ok = false;
      continue;
    }
    if (failed(declare(binding.getName(),
                       Symbol{*value, binding.getLoc(), "a hyperparameter"}))) {
      ok = false;
      continue;
    }
    Attribute attr = value->integer
                         ? Attribute(builder.getI64IntegerAttr(
                               static_cast<int64_t>(value->value)))
                         : Attribute(builder.getF64FloatAttr(value->value));
    hyper.push_back(builder.getNamedAttr(binding.getName().name, attr));
  }

  builder.setInsertionPointToEnd(module.getBody());
  auto model = sae::ModelOp::create(builder, loc(decl.getLoc()), name.name,
                                    builder.getDictionaryAttr(hyper));
  Block &body = model.getBodyRegion().emplaceBlock();
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(&body);

  ModelInfo info;
  info.op = model;
  info.name = name.name;
  info.declLoc = name.getLoc();
  bool sawLoss = false;
  for (const std::unique_ptr<ast::Stmt> &stmt : decl.getBody()) {
    LogicalResult result = success();
    if (const auto *input = llvm::dyn_cast<ast::InputStmt>(stmt.get()))
      result = lowerInput(*input, info);
    else if (const auto *param = llvm::dyn_cast<ast::ParamStmt>(stmt.get()))
      result = lowerParam(*param, info);
    else if (const auto *let = llvm::dyn_cast<ast::LetStmt>(stmt.get())) {
      sawLoss |= let->getName().name == "loss";
      result = lowerLet(*this, *let, info);
    }
    ok &= succeeded(result);
  }
  if (!sawLoss) {
    error(name.getLoc(), "model '" + name.name +
                             "' defines no 'loss': add `loss = ...`, the "
                             "scalar that training minimises");
    ok = false;
  }
  models[name.name] = std::move(info);
  return success(ok);
}

//===----------------------------------------------------------------------===//
// Metrics
//===----------------------------------------------------------------------===//

/// Looks up the model a metrics or train block names.
static const ModelInfo *findModel(Lowering &lowering,
                                  const ast::Identifier &name, StringRef what) {
  auto it = lowering.models.find(name.name);
  if (it != lowering.models.end())
    return &it->second;
  lowering.error(name.getLoc(), "unknown model '" + name.name + "' in " + what +
                                    " (define it in this file or import the "
                                    "file that does)");
  return nullptr;
}

LogicalResult Lowering::lowerMetrics(const ast::MetricsDecl &decl) {
  const ModelInfo *info = findModel(*this, decl.getModel(), "metrics block");
  if (!info)
    return failure();
  bool overPairs = decl.getDomain() == ast::MetricsDomain::Pairs;
  builder.setInsertionPointToEnd(module.getBody());
  auto metrics = sae::MetricsOp::create(
      builder, loc(decl.getLoc()), decl.getName().name, info->op,
      overPairs ? sae::MetricsDomain::Pairs : sae::MetricsDomain::Rows);
  Block &body = metrics.getBodyRegion().emplaceBlock();
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(&body);

  scopes.assign(1, {});
  block = BlockContext();
  block.modelBinding = decl.getBinding().name;
  block.model = info;
  block.overPairs = overPairs;
  // The model's inputs, by name: the dataset streamed through the model.
  for (const std::string &input : info->inputOrder) {
    Value value =
        sae::InputOp::create(builder, loc(decl.getLoc()),
                             info->inputs.lookup(input), input, nullptr);
    scopes.back()[input] =
        Symbol{Operand::tensor(value), decl.getBinding().getLoc(), "an input"};
  }

  bool ok = true;
  for (const std::unique_ptr<ast::LetStmt> &metric : decl.getMetrics()) {
    const ast::Identifier &name = metric->getName();
    Value value = lowerTensor(metric->getValue());
    if (!value) {
      poison(*this, name);
      ok = false;
      continue;
    }
    ArrayRef<int64_t> shape = shapeOf(value);
    if (llvm::any_of(shape, ShapedType::isDynamic)) {
      error(metric->getValue().getLoc(),
            "metric '" + name.name + "' has shape " + formatShape(value) +
                ", one value per row: reduce it over the rows (axis 0) to "
                "get a value for the whole dataset");
      poison(*this, name);
      ok = false;
      continue;
    }
    if (shape.size() > 2) {
      error(metric->getValue().getLoc(),
            "metric '" + name.name +
                "' must be a scalar, a vector or a matrix, got shape " +
                formatShape(value));
      poison(*this, name);
      ok = false;
      continue;
    }
    if (failed(declare(
            name, Symbol{Operand::tensor(value), name.getLoc(), "a metric"}))) {
      ok = false;
      continue;
    }
    sae::MetricOp::create(builder, loc(metric->getLoc()), name.name, value);
  }
  return success(ok);
}

//===----------------------------------------------------------------------===//
// Training
//===----------------------------------------------------------------------===//

namespace {

/// Collects a train block's settings into attributes, checking each.
class TrainLowering {
public:
  TrainLowering(Lowering &lowering) : lowering(lowering) {}

  LogicalResult lower(const ast::TrainDecl &decl);

private:
  LogicalResult lowerOptimizer(const ast::Expr &expr);
  LogicalResult lowerSchedule(const ast::Expr &expr);
  LogicalResult lowerMatmul(const ast::Expr &expr);
  LogicalResult setInteger(StringRef key, const ast::Expr &expr, int64_t min) {
    std::optional<int64_t> value =
        lowering.lowerInteger(expr, "training setting '" + key + "'", min);
    if (!value)
      return failure();
    add(key, lowering.builder.getI64IntegerAttr(*value));
    return success();
  }
  LogicalResult setNumber(StringRef key, const ast::Expr &expr, double min,
                          bool inclusive) {
    std::optional<double> value = lowering.lowerNumber(expr, key);
    if (!value)
      return failure();
    if (inclusive ? *value < min : *value <= min) {
      lowering.error(expr.getLoc(),
                     key + " must be " + (inclusive ? "at least " : "above ") +
                         formatNumber(min) + ", got " + formatNumber(*value));
      return failure();
    }
    add(key, lowering.builder.getF64FloatAttr(*value));
    return success();
  }
  void add(StringRef key, Attribute value) {
    config.push_back(lowering.builder.getNamedAttr(key, value));
  }

  Lowering &lowering;
  SmallVector<NamedAttribute> config;
};

} // namespace

LogicalResult TrainLowering::lowerOptimizer(const ast::Expr &expr) {
  const auto *call = llvm::dyn_cast<ast::CallExpr>(&expr);
  if (!call || call->getCallee().name != "adam") {
    lowering.error(expr.getLoc(), "optimizer must be adam(lr = ..., betas = "
                                  "(b1, b2), eps = ..., weight_decay = ...)");
    return failure();
  }
  std::optional<Arguments> args = bindArguments(lowering, *call,
                                                {{"lr", true},
                                                 {"betas", false},
                                                 {"eps", false},
                                                 {"weight_decay", false}});
  if (!args)
    return failure();
  add("optimizer", lowering.builder.getStringAttr("adam"));
  if (failed(setNumber("lr", *(*args)[0], 0, /*inclusive=*/false)))
    return failure();
  double beta1 = 0.9, beta2 = 0.999;
  if (const ast::Expr *betas = (*args)[1]) {
    std::optional<Operand> value = lowering.lowerExpr(*betas);
    if (!value)
      return failure();
    if (!value->isList() || value->elements.size() != 2) {
      lowering.error(betas->getLoc(), "betas must be a pair (b1, b2)");
      return failure();
    }
    beta1 = value->elements[0].value;
    beta2 = value->elements[1].value;
    for (double beta : {beta1, beta2})
      if (!(beta >= 0 && beta < 1)) {
        lowering.error(betas->getLoc(),
                       "betas must lie in [0, 1), got " + formatNumber(beta));
        return failure();
      }
  }
  add("betas",
      lowering.builder.getArrayAttr({lowering.builder.getF64FloatAttr(beta1),
                                     lowering.builder.getF64FloatAttr(beta2)}));
  if ((*args)[2]) {
    if (failed(setNumber("eps", *(*args)[2], 0, /*inclusive=*/false)))
      return failure();
  } else {
    add("eps", lowering.builder.getF64FloatAttr(1e-8));
  }
  if ((*args)[3])
    return setNumber("weight_decay", *(*args)[3], 0, /*inclusive=*/true);
  add("weight_decay", lowering.builder.getF64FloatAttr(0));
  return success();
}

LogicalResult TrainLowering::lowerMatmul(const ast::Expr &expr) {
  const auto *name = llvm::dyn_cast<ast::NameExpr>(&expr);
  StringRef precision = name ? name->getName() : "";
  if (precision != "tf32" && precision != "bf16" && precision != "fp32") {
    lowering.error(expr.getLoc(), "matmul must be tf32, bf16 or fp32 (the "
                                  "precision of GEMMs on a GPU)");
    return failure();
  }
  add("matmul", lowering.builder.getStringAttr(precision));
  return success();
}

LogicalResult TrainLowering::lowerSchedule(const ast::Expr &expr) {
  const auto *call = llvm::dyn_cast<ast::CallExpr>(&expr);
  StringRef name = call ? StringRef(call->getCallee().name) : "";
  if (name != "constant" && name != "linear" && name != "cosine") {
    lowering.error(expr.getLoc(), "schedule must be constant(), linear(...) "
                                  "or cosine(...)");
    return failure();
  }
  std::optional<Arguments> args = bindArguments(
      lowering, *call,
      {{"warmup", false}, {"warmup_epochs", false}, {"min_lr", false}});
  if (!args)
    return failure();
  add("schedule", lowering.builder.getStringAttr(name));
  if ((*args)[0] && (*args)[1]) {
    lowering.error((*args)[1]->getLoc(),
                   "set either warmup (steps) or warmup_epochs, not both");
    return failure();
  }
  if ((*args)[0] && failed(setInteger("warmup", *(*args)[0], 0)))
    return failure();
  if ((*args)[1] &&
      failed(setNumber("warmup_epochs", *(*args)[1], 0, /*inclusive=*/true)))
    return failure();
  if ((*args)[2]) {
    if (name != "cosine") {
      lowering.error((*args)[2]->getLoc(), "min_lr only applies to cosine()");
      return failure();
    }
    return setNumber("min_lr", *(*args)[2], 0, /*inclusive=*/true);
  }
  return success();
}

LogicalResult TrainLowering::lower(const ast::TrainDecl &decl) {
  bool ok = true;
  llvm::StringMap<llvm::SMLoc> seen;
  for (const ast::Binding &setting : decl.getSettings()) {
    StringRef key = setting.getName().name;
    auto [it, inserted] = seen.try_emplace(key, setting.getLoc());
    if (!inserted) {
      InFlightDiagnostic diag = lowering.error(
          setting.getLoc(), "training setting '" + key + "' is set twice");
      diag.attachNote(lowering.loc(it->second)) << "first set here";
      ok = false;
      continue;
    }
    const ast::Expr &value = setting.getValue();
    LogicalResult result = success();
    if (key == "optimizer")
      result = lowerOptimizer(value);
    else if (key == "schedule")
      result = lowerSchedule(value);
    else if (key == "batch" || key == "steps" || key == "epochs" ||
             key == "dead_window")
      result = setInteger(key, value, 1);
    else if (key == "seed")
      result = setInteger(key, value, 0);
    else if (key == "matmul")
      result = lowerMatmul(value);
    else {
      lowering.error(setting.getLoc(),
                     "unknown training setting '" + key +
                         "' (expected optimizer, schedule, batch, steps, "
                         "epochs, seed, dead_window or matmul)");
      result = failure();
    }
    ok &= succeeded(result);
  }
  if (seen.count("steps") && seen.count("epochs")) {
    InFlightDiagnostic diag =
        lowering.error(seen["epochs"], "set either steps or epochs, not both");
    diag.attachNote(lowering.loc(seen["steps"])) << "steps set here";
    ok = false;
  }
  if (!ok)
    return failure();
  lowering.builder.setInsertionPointToEnd(lowering.module.getBody());
  sae::TrainOp::create(lowering.builder, lowering.loc(decl.getLoc()),
                       decl.getModel().name,
                       lowering.builder.getDictionaryAttr(config));
  return success();
}

LogicalResult Lowering::lowerTrain(const ast::TrainDecl &decl) {
  if (!findModel(*this, decl.getModel(), "train block"))
    return failure();
  scopes.assign(1, {});
  block = BlockContext();
  return TrainLowering(*this).lower(decl);
}

//===----------------------------------------------------------------------===//
// Files
//===----------------------------------------------------------------------===//

OwningOpRef<ModuleOp> Lowering::lowerFiles(ArrayRef<const ast::File *> files) {
  Location moduleLoc = UnknownLoc::get(context);
  if (!files.empty() && !files.back()->getDecls().empty())
    moduleLoc = loc(files.back()->getDecls().front()->getLoc());
  OwningOpRef<ModuleOp> owned = ModuleOp::create(moduleLoc);
  module = *owned;

  // Models first, so a metrics or train block may name a model written
  // after it.
  bool ok = true;
  for (const ast::File *file : files)
    for (const std::unique_ptr<ast::Decl> &decl : file->getDecls())
      if (const auto *model = llvm::dyn_cast<ast::ModelDecl>(decl.get()))
        ok &= succeeded(lowerModel(*model));
  llvm::StringMap<llvm::SMLoc> trained;
  for (const ast::File *file : files)
    for (const std::unique_ptr<ast::Decl> &decl : file->getDecls()) {
      if (const auto *metrics = llvm::dyn_cast<ast::MetricsDecl>(decl.get()))
        ok &= succeeded(lowerMetrics(*metrics));
      if (const auto *train = llvm::dyn_cast<ast::TrainDecl>(decl.get())) {
        auto [it, inserted] =
            trained.try_emplace(train->getModel().name, train->getLoc());
        if (!inserted) {
          InFlightDiagnostic diag =
              error(train->getLoc(), "model '" + train->getModel().name +
                                         "' already has a train block");
          diag.attachNote(loc(it->second)) << "first train block here";
          ok = false;
          continue;
        }
        ok &= succeeded(lowerTrain(*train));
      }
    }
  if (!ok || reporter.getNumErrors() > 0)
    return nullptr;
  if (failed(verify(module)))
    return nullptr;
  return owned;
}

OwningOpRef<ModuleOp> lang::generateModule(const llvm::SourceMgr &sourceMgr,
                                           ArrayRef<const ast::File *> files,
                                           MLIRContext *context) {
  return Lowering(sourceMgr, context).lowerFiles(files);
}
