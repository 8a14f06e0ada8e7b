//===- ReverseMode.cpp - reverse-mode differentiation of a block -*- C++
//-*-===//
//
// Classic reverse-mode AD over one block in SSA form: a forward sweep marks
// the values that vary with the parameters, a backward sweep marks those the
// loss needs, and the ops in both sets, visited in reverse, turn the
// cotangents of their results into cotangents of their operands. A value
// used several times sums the cotangents of its uses.
//
//===----------------------------------------------------------------------===//

#include "ReverseMode.h"

#include "prism/Dialect/Sae/IR/SaeInterfaces.h"
#include "prism/Dialect/Sae/IR/SaeOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;

namespace prism::sae {

namespace {

/// The cotangents of the values of one block, summed over their uses.
class Cotangents {
public:
  explicit Cotangents(OpBuilder &builder) : builder(builder) {}

  Value lookup(Value value) const { return sums.lookup(value); }

  void accumulate(Location loc, Value value, Value cotangent) {
    Value &sum = sums[value];
    sum = sum ? AddOp::create(builder, loc, sum, cotangent).getResult()
              : cotangent;
  }

private:
  OpBuilder &builder;
  DenseMap<Value, Value> sums;
};

/// The 1.0 of `loss`'s type that seeds the backward sweep.
Value seed(OpBuilder &builder, Value loss) {
  auto type = cast<RankedTensorType>(loss.getType());
  auto one = DenseElementsAttr::get(
      type, builder.getFloatAttr(type.getElementType(), 1.0));
  return arith::ConstantOp::create(builder, loss.getLoc(), type, one);
}

} // namespace

FailureOr<SmallVector<Value>> buildGradients(Block &block, Value loss,
                                             ArrayRef<Value> wrt) {
  // Taken before the backward pass appends to the block.
  SmallVector<Operation *> forward;
  Operation *terminator = nullptr;
  for (Operation &op : block) {
    if (op.hasTrait<OpTrait::IsTerminator>())
      terminator = &op;
    else
      forward.push_back(&op);
  }

  DenseSet<Value> varied(wrt.begin(), wrt.end());
  for (Operation *op : forward)
    if (llvm::any_of(op->getOperands(),
                     [&](Value operand) { return varied.contains(operand); }))
      varied.insert(op->result_begin(), op->result_end());

  DenseSet<Value> needed{loss};
  for (Operation *op : llvm::reverse(forward))
    if (llvm::any_of(op->getResults(),
                     [&](Value result) { return needed.contains(result); }))
      needed.insert(op->operand_begin(), op->operand_end());

  OpBuilder builder(block.getParentOp()->getContext());
  if (terminator)
    builder.setInsertionPoint(terminator);
  else
    builder.setInsertionPointToEnd(&block);

  Cotangents cotangents(builder);
  if (varied.contains(loss))
    cotangents.accumulate(loss.getLoc(), loss, seed(builder, loss));

  for (Operation *op : llvm::reverse(forward)) {
    SmallVector<Value> resultCotangents;
    for (Value result : op->getResults())
      resultCotangents.push_back(cotangents.lookup(result));
    // Nothing flows back here: off the path, or cut by a zero derivative.
    if (llvm::all_of(resultCotangents, [](Value v) { return !v; }))
      continue;

    auto rule = dyn_cast<SaeDifferentiableOpInterface>(op);
    if (!rule || !rule.isDifferentiable())
      return op->emitOpError("has no gradient rule, but the loss depends on a "
                             "parameter through it");
    // Results the loss does not read get no cotangent; multi-result rules
    // would need zeros for them, and no differentiable op has two results.
    if (llvm::any_of(resultCotangents, [](Value v) { return !v; }))
      return op->emitOpError("differentiating an op with several results is "
                             "not supported");

    SmallVector<Value> operandCotangents =
        rule.buildVjp(builder, resultCotangents);
    for (auto [index, operand, cotangent] :
         llvm::enumerate(op->getOperands(), operandCotangents)) {
      if (!cotangent || !varied.contains(operand))
        continue;
      if (cotangent.getType() != operand.getType())
        return op->emitOpError("gradient rule gave operand #")
               << index << " of type " << operand.getType()
               << " a cotangent of type " << cotangent.getType();
      cotangents.accumulate(op->getLoc(), operand, cotangent);
    }
  }

  SmallVector<Value> gradients;
  for (Value value : wrt)
    gradients.push_back(needed.contains(value) ? cotangents.lookup(value)
                                               : Value());
  return gradients;
}

} // namespace prism::sae
