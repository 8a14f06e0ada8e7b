//===- SaekOps.cpp - saek op verifiers --------------------------*- C++ -*-===//
//
// Verifiers check ranks and every pair of dimensions that must agree where
// both are static; a dynamic dimension (the batch) matches anything.
//
//===----------------------------------------------------------------------===//

#include "prism/Dialect/Saek/IR/SaekOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace prism::saek;

static RankedTensorType tensorType(Value value) {
  return llvm::cast<RankedTensorType>(value.getType());
}

static std::string formatShape(RankedTensorType type) {
  std::string text = "[";
  for (auto [i, dim] : llvm::enumerate(type.getShape())) {
    if (i)
      text += ", ";
    text += ShapedType::isDynamic(dim) ? "?" : std::to_string(dim);
  }
  return text + "]";
}

/// Fails unless `value` has rank `rank`.
static LogicalResult checkRank(Operation *op, StringRef what, Value value,
                               int64_t rank) {
  RankedTensorType type = tensorType(value);
  if (type.getRank() == rank)
    return success();
  return op->emitOpError() << what << " must have rank " << rank << ", got "
                           << formatShape(type);
}

/// Fails when two static dimensions differ.
static LogicalResult checkDim(Operation *op, StringRef what, int64_t expected,
                              int64_t actual) {
  if (ShapedType::isDynamic(expected) || ShapedType::isDynamic(actual) ||
      expected == actual)
    return success();
  return op->emitOpError() << what << ": expected " << expected << ", got "
                           << actual;
}

/// Fails unless a sparse code's values and indices are both `[B, k]`.
static LogicalResult checkCode(Operation *op, Value values, Value indices) {
  if (failed(checkRank(op, "values", values, 2)) ||
      failed(checkRank(op, "indices", indices, 2)))
    return failure();
  if (tensorType(values).getShape() != tensorType(indices).getShape())
    return op->emitOpError()
           << "values " << formatShape(tensorType(values)) << " and indices "
           << formatShape(tensorType(indices)) << " must have one shape";
  return success();
}

LogicalResult GemmOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "a", getA(), 2)) ||
      failed(checkRank(op, "b", getB(), 2)) ||
      failed(checkRank(op, "result", getResult(), 2)))
    return failure();
  ArrayRef<int64_t> a = tensorType(getA()).getShape();
  ArrayRef<int64_t> b = tensorType(getB()).getShape();
  ArrayRef<int64_t> c = tensorType(getResult()).getShape();
  int64_t m = a[getTransposeA() ? 1 : 0], kA = a[getTransposeA() ? 0 : 1];
  int64_t kB = b[getTransposeB() ? 1 : 0], n = b[getTransposeB() ? 0 : 1];
  if (failed(checkDim(op, "inner dimensions", kA, kB)) ||
      failed(checkDim(op, "result rows", m, c[0])) ||
      failed(checkDim(op, "result columns", n, c[1])))
    return failure();
  bool wantsBias = getEpilogue() != Epilogue::None;
  if (wantsBias != static_cast<bool>(getBias()))
    return emitOpError() << "epilogue '" << stringifyEpilogue(getEpilogue())
                         << "' " << (wantsBias ? "needs" : "takes no")
                         << " bias operand";
  if (getBias()) {
    if (failed(checkRank(op, "bias", getBias(), 1)))
      return failure();
    return checkDim(op, "bias length", c[1],
                    tensorType(getBias()).getDimSize(0));
  }
  return success();
}

/// k of a per-row or per-batch selection from `input` ([B, n]).
static LogicalResult checkK(Operation *op, RankedTensorType input, int64_t k) {
  if (k < 1 || (!input.isDynamicDim(1) && k > input.getDimSize(1)))
    return op->emitOpError()
           << "k must be in 1.." << input.getDimSize(1) << ", got " << k;
  return success();
}

LogicalResult TopKOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "input", getInput(), 2)) ||
      failed(checkCode(op, getValues(), getIndices())))
    return failure();
  RankedTensorType input = tensorType(getInput());
  int64_t k = getK();
  if (failed(checkK(getOperation(), input, k)))
    return failure();
  RankedTensorType values = tensorType(getValues());
  if (failed(checkDim(op, "result rows", input.getDimSize(0),
                      values.getDimSize(0))))
    return failure();
  return checkDim(op, "result columns (k)", k, values.getDimSize(1));
}

LogicalResult GatherDecodeOp::verify() {
  Operation *op = getOperation();
  if (failed(checkCode(op, getValues(), getIndices())) ||
      failed(checkRank(op, "table", getTable(), 2)) ||
      failed(checkRank(op, "result", getResult(), 2)))
    return failure();
  int64_t d = tensorType(getTable()).getDimSize(1);
  RankedTensorType result = tensorType(getResult());
  if (failed(checkDim(op, "result rows", tensorType(getValues()).getDimSize(0),
                      result.getDimSize(0))) ||
      failed(checkDim(op, "result columns", d, result.getDimSize(1))))
    return failure();
  if (getBias()) {
    if (failed(checkRank(op, "bias", getBias(), 1)))
      return failure();
    return checkDim(op, "bias length", d, tensorType(getBias()).getDimSize(0));
  }
  return success();
}

LogicalResult GatherDotOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "rows", getRows(), 2)) ||
      failed(checkRank(op, "indices", getIndices(), 2)) ||
      failed(checkRank(op, "table", getTable(), 2)) ||
      failed(checkRank(op, "result", getResult(), 2)))
    return failure();
  RankedTensorType rows = tensorType(getRows());
  RankedTensorType indices = tensorType(getIndices());
  if (tensorType(getResult()).getShape() != indices.getShape())
    return emitOpError() << "result " << formatShape(tensorType(getResult()))
                         << " must have the shape of indices "
                         << formatShape(indices);
  if (failed(checkDim(op, "rows of indices", rows.getDimSize(0),
                      indices.getDimSize(0))))
    return failure();
  return checkDim(op, "row width", tensorType(getTable()).getDimSize(1),
                  rows.getDimSize(1));
}

LogicalResult ScatterRowsOp::verify() {
  Operation *op = getOperation();
  if (failed(checkCode(op, getValues(), getIndices())) ||
      failed(checkRank(op, "rows", getRows(), 2)) ||
      failed(checkRank(op, "result", getResult(), 2)))
    return failure();
  if (getN() < 1)
    return emitOpError() << "n must be positive, got " << getN();
  RankedTensorType rows = tensorType(getRows());
  if (failed(checkDim(op, "rows of the code",
                      tensorType(getValues()).getDimSize(0),
                      rows.getDimSize(0))))
    return failure();
  int64_t d = rows.getDimSize(1);
  ArrayRef<int64_t> result = tensorType(getResult()).getShape();
  int64_t nDim = getTransposed() ? 1 : 0;
  if (failed(checkDim(op, "result latent dimension", getN(), result[nDim])))
    return failure();
  return checkDim(op, "result row width", d, result[1 - nDim]);
}

LogicalResult ScatterDenseOp::verify() {
  Operation *op = getOperation();
  if (failed(checkCode(op, getValues(), getIndices())) ||
      failed(checkRank(op, "result", getResult(), 2)))
    return failure();
  RankedTensorType result = tensorType(getResult());
  if (failed(checkDim(op, "result rows", tensorType(getValues()).getDimSize(0),
                      result.getDimSize(0))))
    return failure();
  if (getN() < tensorType(getValues()).getDimSize(1))
    return emitOpError() << "n (" << getN()
                         << ") must be at least the code width k ("
                         << tensorType(getValues()).getDimSize(1) << ")";
  return checkDim(op, "result columns", getN(), result.getDimSize(1));
}

LogicalResult GatherOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "input", getInput(), 2)) ||
      failed(checkRank(op, "indices", getIndices(), 2)))
    return failure();
  RankedTensorType input = tensorType(getInput());
  RankedTensorType indices = tensorType(getIndices());
  if (failed(checkDim(op, "indices rows", input.getDimSize(0),
                      indices.getDimSize(0))))
    return failure();
  RankedTensorType result = tensorType(getResult());
  if (result.getShape() != indices.getShape())
    return emitOpError() << "result must have the shape of the indices, "
                         << indices << ", got " << result;
  return success();
}

LogicalResult ScatterSumOp::verify() {
  if (failed(checkCode(getOperation(), getValues(), getIndices())))
    return failure();
  RankedTensorType result = tensorType(getResult());
  bool vector = result.getRank() == 1 && result.getDimSize(0) == getN();
  bool row = result.getRank() == 2 && result.getDimSize(0) == 1 &&
             result.getDimSize(1) == getN();
  if (!vector && !row)
    return emitOpError() << "result must be [" << getN() << "] or [1, "
                         << getN() << "], got " << result;
  return success();
}

LogicalResult BatchTopKOp::verify() {
  if (failed(checkRank(getOperation(), "input", getInput(), 2)))
    return failure();
  return checkK(getOperation(), tensorType(getInput()), getK());
}

LogicalResult AdamOp::verify() {
  if (tensorType(getLr()).getRank() != 0)
    return emitOpError() << "lr, bc1 and bc2 must be rank-0 tensors, got "
                         << getLr().getType();
  auto inUnitInterval = [](double x) { return x >= 0.0 && x < 1.0; };
  if (!inUnitInterval(getBeta1().convertToDouble()) ||
      !inUnitInterval(getBeta2().convertToDouble()))
    return emitOpError() << "betas must be in [0, 1), got ("
                         << getBeta1().convertToDouble() << ", "
                         << getBeta2().convertToDouble() << ")";
  if (getEps().convertToDouble() <= 0.0)
    return emitOpError() << "eps must be positive, got "
                         << getEps().convertToDouble();
  return success();
}

/// Shared by the row/column ops: rank 2, axis 0 or 1.
static LogicalResult checkMatrixAxis(Operation *op, Value value, int64_t axis) {
  if (failed(checkRank(op, "operand", value, 2)))
    return failure();
  if (axis != 0 && axis != 1)
    return op->emitOpError() << "axis must be 0 or 1, got " << axis;
  return success();
}

LogicalResult UnitNormOp::verify() {
  return checkMatrixAxis(getOperation(), getInput(), getAxis());
}

LogicalResult ProjectTangentOp::verify() {
  return checkMatrixAxis(getOperation(), getGrad(), getAxis());
}

#define GET_OP_CLASSES
#include "prism/Dialect/Saek/IR/SaekOps.cpp.inc"
