//===- EntryPoints.cpp - building entry-point functions ---------*- C++ -*-===//

#include "prism/Dialect/Sae/Transforms/EntryPoints.h"

#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/CSE.h"

using namespace mlir;

namespace prism::sae::entry {

std::string symbolName(StringRef model, StringRef entry) {
  return (model + "." + entry).str();
}

std::string thresholdName(unsigned index) {
  std::string name = "batchtopk.theta";
  return index == 0 ? name : name + "." + std::to_string(index);
}

std::string minKeptName(StringRef threshold) {
  return (threshold + ".min_kept").str();
}

std::string adamMomentName(StringRef moment, StringRef param) {
  return ("adam." + moment + "." + param).str();
}

StringRef entryKind(func::FuncOp func) {
  if (auto kind = func->getAttrOfType<StringAttr>(kEntryAttr))
    return kind.getValue();
  return {};
}

StringRef argumentTag(func::FuncOp func, unsigned index, StringRef attr) {
  if (auto name = func.getArgAttrOfType<StringAttr>(index, attr))
    return name.getValue();
  return {};
}

StringRef resultTag(func::FuncOp func, unsigned index, StringRef attr) {
  if (auto name = func.getResultAttrOfType<StringAttr>(index, attr))
    return name.getValue();
  return {};
}

DictionaryAttr tag(MLIRContext *context, StringRef attr, StringRef name) {
  Builder builder(context);
  return builder.getDictionaryAttr(
      builder.getNamedAttr(attr, builder.getStringAttr(name)));
}

SmallVector<Argument> argumentsOf(func::FuncOp func) {
  SmallVector<Argument> arguments;
  for (BlockArgument arg : func.getArguments()) {
    DictionaryAttr attrs = func.getArgAttrDict(arg.getArgNumber());
    arguments.push_back({arg.getType(),
                         attrs ? attrs : DictionaryAttr::get(func.getContext()),
                         arg.getLoc()});
  }
  return arguments;
}

FailureOr<func::FuncOp> createEntry(Operation *after, StringRef model,
                                    StringRef entry,
                                    ArrayRef<Argument> arguments) {
  std::string name = symbolName(model, entry);
  Operation *symbolTable = SymbolTable::getNearestSymbolTable(after);
  if (Operation *existing = SymbolTable::lookupSymbolIn(symbolTable, name)) {
    InFlightDiagnostic diag = after->emitError("cannot create @")
                              << name << ": the symbol is already defined";
    diag.attachNote(existing->getLoc()) << "defined here";
    return diag;
  }

  SmallVector<Type> types;
  SmallVector<DictionaryAttr> attrs;
  SmallVector<Location> locs;
  for (const Argument &argument : arguments) {
    types.push_back(argument.type);
    attrs.push_back(argument.attrs);
    locs.push_back(argument.loc);
  }

  OpBuilder builder(after->getContext());
  builder.setInsertionPointAfter(after);
  auto func = func::FuncOp::create(builder, after->getLoc(), name,
                                   builder.getFunctionType(types, {}));
  func->setAttr(kModelAttr, builder.getStringAttr(model));
  func->setAttr(kEntryAttr, builder.getStringAttr(entry));
  func.setAllArgAttrs(attrs);
  Block *body = builder.createBlock(&func.getBody());
  body->addArguments(types, locs);
  return func;
}

SmallVector<Value> cloneBody(func::FuncOp source, func::FuncOp into) {
  Block &from = source.getBody().front();
  Block &to = into.getBody().front();
  IRMapping mapping;
  mapping.map(from.getArguments(),
              to.getArguments().take_front(from.getNumArguments()));

  OpBuilder builder = OpBuilder::atBlockEnd(&to);
  for (Operation &op : from.without_terminator())
    builder.clone(op, mapping);
  SmallVector<Value> returned;
  for (Value value : from.getTerminator()->getOperands())
    returned.push_back(mapping.lookupOrDefault(value));
  return returned;
}

void finishEntry(func::FuncOp func, ValueRange results,
                 ArrayRef<DictionaryAttr> attrs) {
  Block &body = func.getBody().front();
  OpBuilder builder = OpBuilder::atBlockEnd(&body);
  func::ReturnOp::create(builder, func.getLoc(), results);
  func.setType(
      builder.getFunctionType(body.getArgumentTypes(), results.getTypes()));
  func.setAllResultAttrs(attrs);
}

void cleanUp(func::FuncOp func) {
  IRRewriter rewriter(func.getContext());
  DominanceInfo dominance(func);
  eliminateCommonSubExpressions(rewriter, dominance, func);

  Block &body = func.getBody().front();
  SmallVector<Operation *> ops;
  for (Operation &op : body)
    ops.push_back(&op);
  for (Operation *op : llvm::reverse(ops))
    if (isOpTriviallyDead(op))
      op->erase();
}

} // namespace prism::sae::entry
