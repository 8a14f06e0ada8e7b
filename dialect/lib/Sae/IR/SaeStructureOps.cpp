//===- SaeStructureOps.cpp - sae structure op verifiers ---------*- C++ -*-===//
//
// Rules of the ops that structure a program: models and their inputs,
// parameters and outputs; metrics blocks and what they read from their
// model; training configurations. Checks that need another op (a source
// parameter, the model a metrics block is bound to) live here too.
//
//===----------------------------------------------------------------------===//

#include "prism/Dialect/Sae/IR/SaeOps.h"
#include "prism/Dialect/Sae/IR/SaeShapes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSwitch.h"

#include <optional>

using namespace mlir;
using namespace prism::sae;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// The first op of type `OpT` named `name` in the single block of `region`,
/// or null (also when the region has no block yet).
template <typename OpT> static OpT findNamed(Region &region, StringRef name) {
  if (region.empty())
    return nullptr;
  for (auto op : region.front().getOps<OpT>())
    if (op.getName() == name)
      return op;
  return nullptr;
}

/// The op of type `OpT` named `name` that precedes `op` in its block, or
/// null.
template <typename OpT>
static OpT findNamedBefore(Operation *op, StringRef name) {
  for (Operation *it = op->getPrevNode(); it; it = it->getPrevNode())
    if (auto named = dyn_cast<OpT>(it); named && named.getName() == name)
      return named;
  return nullptr;
}

/// Resolves `ref`, which `op` uses to name a model, reporting on `op` when
/// it names none.
static FailureOr<ModelOp> resolveModel(Operation *op, FlatSymbolRefAttr ref,
                                       SymbolTableCollection &symbolTable) {
  Operation *symbol = symbolTable.lookupNearestSymbolFrom(op, ref);
  if (!symbol) {
    op->emitOpError("model ") << ref << " is not defined";
    return failure();
  }
  auto model = dyn_cast<ModelOp>(symbol);
  if (!model) {
    op->emitOpError() << ref << " is not a sae.model but a '"
                      << symbol->getName() << "'";
    return failure();
  }
  return model;
}

/// The model the metrics block around `op` is bound to, or null when `op`
/// is not in a metrics block or the block's model does not resolve (the
/// metrics op reports that).
static ModelOp boundModel(Operation *op, SymbolTableCollection &symbolTable) {
  auto metrics = dyn_cast_or_null<MetricsOp>(op->getParentOp());
  return metrics ? metrics.lookupModel(symbolTable) : nullptr;
}

/// Requires a selected side (`[image]`) to be inside a metrics block over
/// pairs.
static LogicalResult verifySide(Operation *op, std::optional<Modality> side) {
  if (!side)
    return success();
  auto metrics = dyn_cast_or_null<MetricsOp>(op->getParentOp());
  if (metrics && metrics.getOver() == MetricsDomain::Pairs)
    return success();
  return op->emitOpError("side [")
         << stringifyModality(*side)
         << "] is only allowed in a metrics block over pairs";
}

/// Requires `actual` to be the type of what `name` declares in `model`;
/// `what` says what that is.
static LogicalResult verifyModelType(Operation *op, Type actual, Type expected,
                                     StringRef what, StringRef name,
                                     ModelOp model) {
  if (actual == expected)
    return success();
  return op->emitOpError("type ")
         << actual << " does not match " << what << " '" << name
         << "' of model @" << model.getSymName() << ", which is " << expected;
}

//===----------------------------------------------------------------------===//
// ModelOp
//===----------------------------------------------------------------------===//

void ModelOp::build(OpBuilder &builder, OperationState &state, StringRef name,
                    DictionaryAttr hyper) {
  build(builder, state, builder.getStringAttr(name), hyper);
}

InputOp ModelOp::lookupInput(StringRef name) {
  return findNamed<InputOp>(getBodyRegion(), name);
}

ParamOp ModelOp::lookupParam(StringRef name) {
  return findNamed<ParamOp>(getBodyRegion(), name);
}

OutputOp ModelOp::lookupOutput(StringRef name) {
  return findNamed<OutputOp>(getBodyRegion(), name);
}

OutputOp ModelOp::getLoss() { return lookupOutput("loss"); }

LogicalResult ModelOp::verify() {
  if (DictionaryAttr hyper = getHyperAttr())
    for (NamedAttribute entry : hyper)
      if (!isa<FloatAttr>(entry.getValue()) &&
          (!isa<IntegerAttr>(entry.getValue()) ||
           isa<BoolAttr>(entry.getValue())))
        return emitOpError("hyperparameter '")
               << entry.getName().getValue()
               << "' must be an integer or a float, got " << entry.getValue();
  return success();
}

LogicalResult ModelOp::verifyRegions() {
  // Inputs, parameters and outputs share one namespace.
  llvm::StringMap<Operation *> declared;
  auto declare = [&](Operation *op, StringRef name) -> LogicalResult {
    auto [it, inserted] = declared.try_emplace(name, op);
    if (inserted)
      return success();
    InFlightDiagnostic diag = op->emitOpError("'")
                              << name << "' is already declared in model @"
                              << getSymName();
    diag.attachNote(it->second->getLoc()) << "first declared here";
    return diag;
  };

  for (Operation &op : *getBody()) {
    LogicalResult declaredOk = success();
    if (auto input = dyn_cast<InputOp>(op))
      declaredOk = declare(input, input.getName());
    else if (auto param = dyn_cast<ParamOp>(op))
      declaredOk = declare(param, param.getName());
    else if (auto output = dyn_cast<OutputOp>(op))
      declaredOk = declare(output, output.getName());
    if (failed(declaredOk))
      return failure();
  }

  if (!getLoss())
    return emitOpError("has no sae.output \"loss\": every model needs a loss");
  return success();
}

//===----------------------------------------------------------------------===//
// InputOp
//===----------------------------------------------------------------------===//

/// The attribute of an optional side.
static ModalityAttr sideAttr(OpBuilder &builder, std::optional<Modality> side) {
  return side ? ModalityAttr::get(builder.getContext(), *side) : ModalityAttr();
}

void InputOp::build(OpBuilder &builder, OperationState &state, Type type,
                    StringRef name, std::optional<Modality> side) {
  build(builder, state, type, builder.getStringAttr(name),
        sideAttr(builder, side));
}

LogicalResult InputOp::verify() {
  if (getName().empty())
    return emitOpError("name must not be empty");

  ArrayRef<int64_t> shape = getResult().getType().getShape();
  bool perRow = !shape.empty() && ShapedType::isDynamic(shape.front()) &&
                llvm::none_of(shape.drop_front(), ShapedType::isDynamic);
  if (!perRow)
    return emitOpError("result must be a batch: a dynamic axis 0 and static "
                       "other axes, like [?, 512]; got ")
           << formatShape(shape);
  return verifySide(*this, getSide());
}

LogicalResult InputOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  // In a model, an input declares data; in a metrics block, it reads the
  // bound model's input of the same name.
  ModelOp model = boundModel(*this, symbolTable);
  if (!model)
    return success();
  InputOp declared = model.lookupInput(getName());
  if (!declared)
    return emitOpError("model @")
           << model.getSymName() << " has no input '" << getName() << "'";
  return verifyModelType(*this, getType(), declared.getType(), "input",
                         getName(), model);
}

//===----------------------------------------------------------------------===//
// ParamOp
//===----------------------------------------------------------------------===//

/// Whether `init` takes its value from a `source`: an input for the
/// data-dependent initialisers, a parameter for the derived ones.
static bool takesSource(InitKind init) {
  return init == InitKind::Mean || init == InitKind::Median ||
         init == InitKind::Transpose || init == InitKind::Copy;
}

/// Checks `source` of a `mean`/`median` parameter: an input declared
/// before it whose rows have the parameter's shape.
static LogicalResult verifyDataSource(ParamOp param, StringRef source) {
  InputOp input = findNamedBefore<InputOp>(param, source);
  if (!input)
    return param.emitOpError("source '")
           << source << "' is not an input declared before '" << param.getName()
           << "'";
  ArrayRef<int64_t> shape = input.getType().getShape();
  return verifyResultShape(param, shape.drop_front(),
                           "a row of input '" + source.str() + "' " +
                               formatShape(shape));
}

/// Checks `source` of a `transpose`/`copy` parameter: a parameter declared
/// before it, of the transposed or the same shape.
static LogicalResult verifyParamSource(ParamOp param, StringRef source) {
  ParamOp from = findNamedBefore<ParamOp>(param, source);
  if (!from)
    return param.emitOpError("source '")
           << source << "' is not a parameter declared before '"
           << param.getName() << "'";
  ArrayRef<int64_t> shape = from.getType().getShape();
  std::string described = "'" + source.str() + "' " + formatShape(shape);
  if (param.getInit() == InitKind::Copy)
    return verifyResultShape(param, shape, "the shape of " + described);

  if (shape.size() != 2)
    return param.emitOpError("the transpose initialiser needs a matrix "
                             "source, got ")
           << described;
  return verifyResultShape(param, {shape[1], shape[0]},
                           "the transpose of " + described);
}

void ParamOp::build(OpBuilder &builder, OperationState &state, Type type,
                    StringRef name, InitKind init, std::optional<double> value,
                    StringRef source, std::optional<Constraint> constraint) {
  build(builder, state, type, builder.getStringAttr(name),
        InitKindAttr::get(builder.getContext(), init),
        value ? builder.getF64FloatAttr(*value) : FloatAttr(),
        /*seed=*/IntegerAttr(),
        source.empty() ? StringAttr() : builder.getStringAttr(source),
        constraint ? ConstraintAttr::get(builder.getContext(), *constraint)
                   : ConstraintAttr());
}

LogicalResult ParamOp::verify() {
  if (getName().empty())
    return emitOpError("name must not be empty");
  if (isa_and_nonnull<MetricsOp>((*this)->getParentOp()))
    return emitOpError("a parameter belongs to a model, not to a metrics "
                       "block; read it with sae.model_value");

  RankedTensorType type = getResult().getType();
  if (!type.hasStaticShape())
    return emitOpError("result must have a static shape, got ")
           << formatShape(type.getShape());
  if (!isa<Float16Type, BFloat16Type, Float32Type, Float64Type>(
          type.getElementType()))
    return emitOpError("result element type must be f16, bf16, f32 or f64, "
                       "got ")
           << type.getElementType();

  // `value` is the fill of `constant` and the std of `normal`; the other
  // initialisers derive everything from the shape, the data or another
  // parameter.
  InitKind init = getInit();
  FloatAttr value = getValueAttr();
  if (init == InitKind::Constant && !value)
    return emitOpError("the constant initialiser requires a value");
  if (value && init != InitKind::Constant && init != InitKind::Normal)
    return emitOpError("the ")
           << stringifyInitKind(init)
           << " initialiser takes no value; only constant and normal do";
  if (init == InitKind::Normal && value && !(value.getValueAsDouble() > 0))
    return emitOpError("the standard deviation of the normal initialiser "
                       "must be positive, got ")
           << value.getValueAsDouble();
  if (getSeed() && init != InitKind::Normal)
    return emitOpError("the ")
           << stringifyInitKind(init)
           << " initialiser takes no seed; only normal does";

  // The random initialisers scale by the fan-in, the first dimension.
  if ((init == InitKind::Kaiming || init == InitKind::Xavier) &&
      type.getRank() == 0)
    return emitOpError("the ")
           << stringifyInitKind(init)
           << " initialiser needs a fan-in: the result must have rank >= 1, "
              "got []";

  if (std::optional<Constraint> constraint = getConstraint())
    if (type.getRank() != 2)
      return emitOpError("the ") << stringifyConstraint(*constraint)
                                 << " constraint needs a matrix, got "
                                 << formatShape(type.getShape());

  std::optional<StringRef> source = getSource();
  if (!takesSource(init)) {
    if (source)
      return emitOpError("the ")
             << stringifyInitKind(init)
             << " initialiser takes no source; only mean, median, transpose "
                "and copy do";
    return success();
  }
  if (!source)
    return emitOpError("the ")
           << stringifyInitKind(init) << " initialiser requires a source";
  if (init == InitKind::Mean || init == InitKind::Median)
    return verifyDataSource(*this, *source);
  return verifyParamSource(*this, *source);
}

//===----------------------------------------------------------------------===//
// OutputOp
//===----------------------------------------------------------------------===//

LogicalResult OutputOp::verify() {
  if (getName().empty())
    return emitOpError("name must not be empty");
  if (getName() == "loss" && getValue().getType().getRank() != 0)
    return emitOpError("the loss must be a rank-0 tensor, got ")
           << formatShape(getValue());
  return success();
}

//===----------------------------------------------------------------------===//
// MetricsOp
//===----------------------------------------------------------------------===//

void MetricsOp::build(OpBuilder &builder, OperationState &state, StringRef name,
                      ModelOp model, MetricsDomain over) {
  build(builder, state, builder.getStringAttr(name),
        FlatSymbolRefAttr::get(model.getSymNameAttr()),
        MetricsDomainAttr::get(builder.getContext(), over));
}

ModelOp MetricsOp::lookupModel(SymbolTableCollection &symbolTable) {
  return dyn_cast_or_null<ModelOp>(
      symbolTable.lookupNearestSymbolFrom(*this, getModelAttr()));
}

ModelOp MetricsOp::lookupModel() {
  return SymbolTable::lookupNearestSymbolFrom<ModelOp>(*this, getModelAttr());
}

LogicalResult MetricsOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return resolveModel(*this, getModelAttr(), symbolTable);
}

LogicalResult MetricsOp::verifyRegions() {
  llvm::StringMap<MetricOp> declared;
  for (MetricOp metric : getBody()->getOps<MetricOp>()) {
    auto [it, inserted] = declared.try_emplace(metric.getName(), metric);
    if (inserted)
      continue;
    InFlightDiagnostic diag = metric.emitOpError("'")
                              << metric.getName()
                              << "' is already declared in metrics @"
                              << getSymName();
    diag.attachNote(it->second.getLoc()) << "first declared here";
    return diag;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// ModelValueOp
//===----------------------------------------------------------------------===//

void ModelValueOp::build(OpBuilder &builder, OperationState &state, Type type,
                         StringRef name, std::optional<Modality> side) {
  build(builder, state, type, builder.getStringAttr(name),
        sideAttr(builder, side));
}

void ModelValueOp::build(OpBuilder &builder, OperationState &state,
                         ModelOp model, StringRef name,
                         std::optional<Modality> side) {
  Type type;
  if (OutputOp output = model.lookupOutput(name))
    type = output.getValue().getType();
  else if (ParamOp param = model.lookupParam(name))
    type = param.getType();
  assert(type && "the model declares no output or parameter of that name");
  // Without an assertion, the verifier rejects the placeholder type.
  build(builder, state, type ? type : builder.getNoneType(), name, side);
}

LogicalResult ModelValueOp::verify() {
  if (getName().empty())
    return emitOpError("name must not be empty");
  return verifySide(*this, getSide());
}

LogicalResult
ModelValueOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  ModelOp model = boundModel(*this, symbolTable);
  if (!model)
    return success();
  if (OutputOp output = model.lookupOutput(getName()))
    return verifyModelType(*this, getType(), output.getValue().getType(),
                           "output", getName(), model);
  if (ParamOp param = model.lookupParam(getName()))
    return verifyModelType(*this, getType(), param.getType(), "parameter",
                           getName(), model);
  return emitOpError("model @")
         << model.getSymName() << " has no output or parameter named '"
         << getName() << "'";
}

//===----------------------------------------------------------------------===//
// MetricOp
//===----------------------------------------------------------------------===//

LogicalResult MetricOp::verify() {
  if (getName().empty())
    return emitOpError("name must not be empty");
  RankedTensorType type = getValue().getType();
  if (type.getRank() > 2)
    return emitOpError("a metric must have rank 0, 1 or 2, got ")
           << formatShape(type);
  if (!type.hasStaticShape())
    return emitOpError("a metric must have a static shape (a dataset-level "
                       "reduction of the batch axis), got ")
           << formatShape(type);
  return success();
}

//===----------------------------------------------------------------------===//
// TrainOp
//===----------------------------------------------------------------------===//

/// `attr` as a number, if it is an integer or a float attribute.
static std::optional<double> asNumber(Attribute attr) {
  if (auto real = dyn_cast_or_null<FloatAttr>(attr))
    return real.getValueAsDouble();
  if (auto integer = dyn_cast_or_null<IntegerAttr>(attr);
      integer && !isa<BoolAttr>(attr))
    return static_cast<double>(integer.getValue().getSExtValue());
  return std::nullopt;
}

/// `attr` as an integer, if it is an integer attribute.
static std::optional<int64_t> asInteger(Attribute attr) {
  if (auto integer = dyn_cast_or_null<IntegerAttr>(attr);
      integer && !isa<BoolAttr>(attr))
    return integer.getValue().getSExtValue();
  return std::nullopt;
}

std::optional<double> TrainOp::getNumberOption(StringRef name) {
  return asNumber(getConfig().get(name));
}

std::optional<int64_t> TrainOp::getIntegerOption(StringRef name) {
  return asInteger(getConfig().get(name));
}

std::optional<StringRef> TrainOp::getStringOption(StringRef name) {
  if (auto string = dyn_cast_or_null<StringAttr>(getConfig().get(name)))
    return string.getValue();
  return std::nullopt;
}

namespace {
/// What a training option holds.
enum class OptionKind {
  Unknown,
  Optimizer,       // "adam"
  Schedule,        // "constant" | "linear" | "cosine"
  PositiveNumber,  // > 0
  NumberAtLeast0,  // >= 0
  PositiveInteger, // > 0
  IntegerAtLeast0, // >= 0
  Betas,           // two numbers in [0, 1)
  Matmul,          // "tf32" | "bf16" | "fp32"
};
} // namespace

static OptionKind classifyOption(StringRef name) {
  return llvm::StringSwitch<OptionKind>(name)
      .Case("optimizer", OptionKind::Optimizer)
      .Case("schedule", OptionKind::Schedule)
      .Cases({"lr", "eps"}, OptionKind::PositiveNumber)
      .Cases({"weight_decay", "min_lr", "warmup_epochs"},
             OptionKind::NumberAtLeast0)
      .Cases({"batch", "steps", "epochs", "dead_window"},
             OptionKind::PositiveInteger)
      .Cases({"warmup", "seed"}, OptionKind::IntegerAtLeast0)
      .Case("betas", OptionKind::Betas)
      .Case("matmul", OptionKind::Matmul)
      .Default(OptionKind::Unknown);
}

/// Checks one training option against what its name says it holds.
static LogicalResult verifyOption(TrainOp op, NamedAttribute option) {
  StringRef name = option.getName().getValue();
  Attribute value = option.getValue();
  auto error = [&]() { return op.emitOpError("option '") << name << "' "; };

  switch (classifyOption(name)) {
  case OptionKind::Unknown:
    return op.emitOpError("unknown training option '") << name << "'";
  case OptionKind::Optimizer: {
    auto string = dyn_cast<StringAttr>(value);
    if (!string || string.getValue() != "adam")
      return error() << "must be \"adam\", got " << value;
    return success();
  }
  case OptionKind::Matmul: {
    auto string = dyn_cast<StringAttr>(value);
    if (!string ||
        !llvm::is_contained({"tf32", "bf16", "fp32"}, string.getValue()))
      return error() << "must be \"tf32\", \"bf16\" or \"fp32\", got " << value;
    return success();
  }
  case OptionKind::Schedule: {
    auto string = dyn_cast<StringAttr>(value);
    if (!string || !llvm::is_contained({"constant", "linear", "cosine"},
                                       string.getValue()))
      return error() << "must be \"constant\", \"linear\" or \"cosine\", got "
                     << value;
    return success();
  }
  case OptionKind::PositiveNumber:
  case OptionKind::NumberAtLeast0: {
    bool positive = classifyOption(name) == OptionKind::PositiveNumber;
    std::optional<double> number = asNumber(value);
    if (!number)
      return error() << "must be a number, got " << value;
    if (positive ? !(*number > 0) : !(*number >= 0))
      return error() << "must be " << (positive ? "> 0" : ">= 0") << ", got "
                     << *number;
    return success();
  }
  case OptionKind::PositiveInteger:
  case OptionKind::IntegerAtLeast0: {
    bool positive = classifyOption(name) == OptionKind::PositiveInteger;
    std::optional<int64_t> integer = asInteger(value);
    if (!integer)
      return error() << "must be an integer, got " << value;
    if (positive ? *integer <= 0 : *integer < 0)
      return error() << "must be " << (positive ? "> 0" : ">= 0") << ", got "
                     << *integer;
    return success();
  }
  case OptionKind::Betas: {
    auto array = dyn_cast<ArrayAttr>(value);
    bool valid =
        array && array.size() == 2 && llvm::all_of(array, [](Attribute beta) {
          std::optional<double> number = asNumber(beta);
          return number && *number >= 0 && *number < 1;
        });
    if (!valid)
      return error() << "must be two numbers in [0, 1), got " << value;
    return success();
  }
  }
  llvm_unreachable("unhandled option kind");
}

LogicalResult TrainOp::verify() {
  DictionaryAttr config = getConfig();
  for (NamedAttribute option : config)
    if (failed(verifyOption(*this, option)))
      return failure();

  // Pairs of options that say the same thing two ways.
  for (auto [first, second] :
       {std::pair<StringRef, StringRef>{"steps", "epochs"},
        std::pair<StringRef, StringRef>{"warmup", "warmup_epochs"}})
    if (config.contains(first) && config.contains(second))
      return emitOpError("options '")
             << first << "' and '" << second << "' exclude each other";

  if (config.contains("min_lr") && getStringOption("schedule") != "cosine")
    return emitOpError("option 'min_lr' needs schedule = \"cosine\"");
  return success();
}

LogicalResult TrainOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  if (failed(resolveModel(*this, getModelAttr(), symbolTable)))
    return failure();
  // One training configuration per model.
  for (Operation *it = (*this)->getPrevNode(); it; it = it->getPrevNode()) {
    auto other = dyn_cast<TrainOp>(it);
    if (!other || other.getModel() != getModel())
      continue;
    InFlightDiagnostic diag = emitOpError("model @")
                              << getModel()
                              << " already has a training configuration";
    diag.attachNote(other.getLoc()) << "first configured here";
    return diag;
  }
  return success();
}
