//===- KernelBuilders.cpp - linalg.generic builders for lowering ----------===//

#include "KernelBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace prism::conversion;

Value prism::conversion::batchSize(OpBuilder &builder, Operation *op) {
  auto func = op->getParentOfType<func::FuncOp>();
  for (BlockArgument arg : func.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || type.getRank() == 0 || !type.isDynamicDim(0))
      continue;
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(&func.getBody().front());
    return tensor::DimOp::create(builder, arg.getLoc(), arg, 0);
  }
  return {};
}

Value prism::conversion::emptyTensor(OpBuilder &builder, Location loc,
                                     RankedTensorType type, Value batch) {
  SmallVector<Value> dynamic(type.getNumDynamicDims(), batch);
  return tensor::EmptyOp::create(builder, loc, type.getShape(),
                                 type.getElementType(), dynamic);
}

Value prism::conversion::floatConstant(OpBuilder &builder, Location loc,
                                       Type type, double value) {
  return arith::ConstantOp::create(builder, loc,
                                   builder.getFloatAttr(type, value));
}

Value prism::conversion::scalarTensor(OpBuilder &builder, Location loc,
                                      Type element, double value) {
  return arith::ConstantOp::create(
      builder, loc,
      DenseElementsAttr::get(RankedTensorType::get({}, element),
                             builder.getFloatAttr(element, value)));
}

Value prism::conversion::filledTensor(OpBuilder &builder, Location loc,
                                      RankedTensorType type, Value batch,
                                      double value) {
  Value scalar = floatConstant(builder, loc, type.getElementType(), value);
  Value empty = emptyTensor(builder, loc, type, batch);
  return linalg::FillOp::create(builder, loc, scalar, empty).getResult(0);
}

Value prism::conversion::boolToFloat(OpBuilder &builder, Location loc,
                                     Value condition, Type type) {
  return arith::SelectOp::create(builder, loc, condition,
                                 floatConstant(builder, loc, type, 1.0),
                                 floatConstant(builder, loc, type, 0.0));
}

AffineMap prism::conversion::broadcastMap(MLIRContext *context,
                                          ArrayRef<int64_t> operandShape,
                                          ArrayRef<int64_t> resultShape) {
  unsigned rank = resultShape.size();
  unsigned offset = rank - operandShape.size();
  SmallVector<AffineExpr> results;
  for (auto [i, size] : llvm::enumerate(operandShape)) {
    unsigned axis = offset + i;
    if (size == 1 && resultShape[axis] != 1)
      results.push_back(getAffineConstantExpr(0, context));
    else
      results.push_back(getAffineDimExpr(axis, context));
  }
  return AffineMap::get(rank, 0, results, context);
}

/// Builds the generic op's region: block arguments of the operands' (and
/// the inits') element types, then `body`'s value yielded.
static void fillBody(OpBuilder &builder, Location loc, ValueRange args,
                     ScalarBody body) {
  Value result = body(builder, loc, args);
  linalg::YieldOp::create(builder, loc, result);
}

Value prism::conversion::buildMapped(OpBuilder &builder, Location loc,
                                     RankedTensorType resultType,
                                     ValueRange operands,
                                     ArrayRef<AffineMap> maps, Value batch,
                                     ScalarBody body) {
  MLIRContext *context = builder.getContext();
  SmallVector<AffineMap> indexing(maps);
  indexing.push_back(
      AffineMap::getMultiDimIdentityMap(resultType.getRank(), context));
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  Value init = emptyTensor(builder, loc, resultType, batch);
  auto generic = linalg::GenericOp::create(
      builder, loc, TypeRange{resultType}, operands, ValueRange{init}, indexing,
      iterators, [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        fillBody(nested, nestedLoc, args.drop_back(), body);
      });
  return generic.getResult(0);
}

Value prism::conversion::buildElementwise(OpBuilder &builder, Location loc,
                                          RankedTensorType resultType,
                                          ValueRange operands, Value batch,
                                          ScalarBody body) {
  SmallVector<AffineMap> maps;
  for (Value operand : operands)
    maps.push_back(
        broadcastMap(builder.getContext(),
                     cast<RankedTensorType>(operand.getType()).getShape(),
                     resultType.getShape()));
  return buildMapped(builder, loc, resultType, operands, maps, batch, body);
}

Value prism::conversion::buildReduction(OpBuilder &builder, Location loc,
                                        ValueRange operands,
                                        RankedTensorType resultType,
                                        AffineMap resultMap, Value batch,
                                        double init, ScalarBody body) {
  MLIRContext *context = builder.getContext();
  unsigned loops = resultMap.getNumDims();
  SmallVector<AffineMap> indexing(
      operands.size(), AffineMap::getMultiDimIdentityMap(loops, context));
  indexing.push_back(resultMap);
  SmallVector<utils::IteratorType> iterators(loops,
                                             utils::IteratorType::reduction);
  for (AffineExpr expr : resultMap.getResults())
    if (auto dim = dyn_cast<AffineDimExpr>(expr))
      iterators[dim.getPosition()] = utils::IteratorType::parallel;
  Value acc = filledTensor(builder, loc, resultType, batch, init);
  auto generic = linalg::GenericOp::create(
      builder, loc, TypeRange{resultType}, operands, ValueRange{acc}, indexing,
      iterators, [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        fillBody(nested, nestedLoc, args, body);
      });
  return generic.getResult(0);
}

prism::saek::TopKOp prism::conversion::buildTopK(OpBuilder &builder,
                                                 Location loc, Value input,
                                                 int64_t k, bool byAbs) {
  auto type = cast<RankedTensorType>(input.getType());
  auto values =
      RankedTensorType::get({type.getDimSize(0), k}, type.getElementType());
  auto indices =
      RankedTensorType::get({type.getDimSize(0), k}, builder.getI32Type());
  auto topk =
      prism::saek::TopKOp::create(builder, loc, values, indices, input, k);
  if (byAbs)
    topk.setAbs(true);
  return topk;
}

Value prism::conversion::sizeOf(OpBuilder &builder, Location loc, Value value,
                                std::optional<int64_t> axis, Value batch) {
  auto type = cast<RankedTensorType>(value.getType());
  Type element = type.getElementType();
  auto scalarType = RankedTensorType::get({}, element);
  double staticCount = 1.0;
  int64_t dynamicAxis = -1;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (axis && *axis != i)
      continue;
    if (type.isDynamicDim(i))
      dynamicAxis = i;
    else
      staticCount *= static_cast<double>(type.getDimSize(i));
  }
  if (dynamicAxis < 0)
    return scalarTensor(builder, loc, element, staticCount);
  // Counts the rows at run time: one loop over the dynamic axis that adds
  // the static part of the count per row and reads nothing.
  MLIRContext *context = builder.getContext();
  SmallVector<AffineExpr> reads(type.getRank(),
                                getAffineConstantExpr(0, context));
  reads[dynamicAxis] = getAffineDimExpr(0, context);
  AffineMap readMap = AffineMap::get(1, 0, reads, context);
  AffineMap resultMap = AffineMap::get(1, 0, {}, context);
  Value acc = filledTensor(builder, loc, scalarType, batch, 0.0);
  auto generic = linalg::GenericOp::create(
      builder, loc, TypeRange{scalarType}, ValueRange{value}, ValueRange{acc},
      ArrayRef<AffineMap>{readMap, resultMap},
      ArrayRef<utils::IteratorType>{utils::IteratorType::reduction},
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value step = floatConstant(nested, nestedLoc, element, staticCount);
        linalg::YieldOp::create(
            nested, nestedLoc,
            ValueRange{arith::AddFOp::create(nested, nestedLoc, args[1], step)
                           .getResult()});
      });
  return generic.getResult(0);
}
