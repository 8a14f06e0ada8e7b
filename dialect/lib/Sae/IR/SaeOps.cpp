//===- SaeOps.cpp - sae compute op verifiers and builders -------*- C++ -*-===//
//
// Shape and attribute rules of the sae compute ops, and the builders that
// give the shape-changing ones their result type. Messages spell shapes as
// the model author writes them (`[?, 512]`) so that they still read well when
// the front end maps them back to a .sae source location.
//
// A builder whose operands break the op's shape rules still builds the op
// (with a placeholder result type); the verifier then reports the problem.
//
//===----------------------------------------------------------------------===//

#include "prism/Dialect/Sae/IR/SaeOps.h"
#include "prism/Dialect/Sae/IR/SaeShapes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"

#include <optional>
#include <string>

using namespace mlir;
using namespace prism::sae;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static ArrayRef<int64_t> shapeOf(Value value) {
  return cast<ShapedType>(value.getType()).getShape();
}

/// Whether two sizes are both static and different. A dynamic size is left
/// to the runtime.
static bool sizesConflict(int64_t lhs, int64_t rhs) {
  return !ShapedType::isDynamic(lhs) && !ShapedType::isDynamic(rhs) &&
         lhs != rhs;
}

/// A tensor of `shape` with the element type of `like`.
static RankedTensorType tensorLike(Value like, ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, getElementTypeOrSelf(like.getType()));
}

/// The rank-0 tensor of `value`'s element type, the type of every loss.
static RankedTensorType scalarLike(Value value) {
  return tensorLike(value, {});
}

/// The rules shared by the broadcasting elementwise ops.
static LogicalResult verifyBroadcastOp(Operation *op, Value lhs, Value rhs) {
  Value result = op->getResult(0);
  if (failed(verifySameElementType(op, rhs, "rhs", lhs, "lhs")) ||
      failed(verifySameElementType(op, result, "result", lhs, "lhs")))
    return failure();

  Broadcast broadcast = broadcastShapes(shapeOf(lhs), shapeOf(rhs));
  if (broadcast.conflict)
    return op->emitOpError("operand shapes ")
           << formatShape(lhs) << " and " << formatShape(rhs)
           << " do not broadcast: dimensions " << broadcast.conflict->first
           << " and " << broadcast.conflict->second << " differ";
  return verifyResultShape(op, broadcast.shape,
                           "the broadcast of " + formatShape(lhs) + " and " +
                               formatShape(rhs));
}

/// Requires `value` to have rank `rank`; `name` says which operand it is.
static LogicalResult verifyRank(Operation *op, Value value, StringRef name,
                                int64_t rank) {
  if (static_cast<int64_t>(shapeOf(value).size()) == rank)
    return success();
  return op->emitOpError() << name << " must have rank " << rank << ", got "
                           << formatShape(value);
}

/// Requires `axis` to name an axis of `shape`.
static LogicalResult verifyAxis(Operation *op, int64_t axis,
                                ArrayRef<int64_t> shape) {
  int64_t rank = shape.size();
  if (axis >= 0 && axis < rank)
    return success();
  return op->emitOpError("axis ") << axis << " is out of range for input "
                                  << formatShape(shape) << " of rank " << rank;
}

/// Requires `0 < k <= n`, where `n` is the last dimension of `shape` (the
/// number of latents) when it is static.
static LogicalResult verifyK(Operation *op, int64_t k,
                             ArrayRef<int64_t> shape) {
  if (k <= 0)
    return op->emitOpError("k must be positive, got ") << k;
  // A dynamic row length is checked by the runtime.
  if (!shape.empty() && !ShapedType::isDynamic(shape.back()) &&
      k > shape.back())
    return op->emitOpError("k must be at most ")
           << shape.back() << " (the last dimension of " << formatShape(shape)
           << "), got " << k;
  return success();
}

/// Requires the result of a loss to be a rank-0 tensor of the element type
/// of `reference`.
static LogicalResult verifyScalarResult(Operation *op, Value reference,
                                        StringRef referenceName) {
  Value result = op->getResult(0);
  if (failed(verifySameElementType(op, result, "result", reference,
                                   referenceName)))
    return failure();
  if (cast<ShapedType>(result.getType()).getRank() != 0)
    return op->emitOpError("result must be a rank-0 tensor, got ")
           << formatShape(result);
  return success();
}

/// Requires a per-row value: rank >= 1 with a dynamic batch axis 0.
static LogicalResult verifyPerRow(Operation *op, Value value, StringRef name) {
  ArrayRef<int64_t> shape = shapeOf(value);
  if (!shape.empty() && ShapedType::isDynamic(shape.front()))
    return success();
  return op->emitOpError()
         << name << " must be per row, with the dynamic batch as axis 0, got "
         << formatShape(shape);
}

/// Requires `vector` to have the shape `[n]` of the last axis of `input`.
static LogicalResult verifyPerLatent(Operation *op, Value vector,
                                     StringRef name, Value input) {
  ArrayRef<int64_t> shape = shapeOf(input);
  ArrayRef<int64_t> vectorShape = shapeOf(vector);
  if (vectorShape.size() != 1 || sizesConflict(vectorShape[0], shape.back()))
    return op->emitOpError()
           << name << " must have shape " << formatShape(ArrayRef(shape.back()))
           << " (the last dimension of " << formatShape(shape) << "), got "
           << formatShape(vectorShape);
  return verifySameElementType(op, vector, name, input, "input");
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

void MatmulOp::build(OpBuilder &builder, OperationState &state, Value lhs,
                     Value rhs) {
  Type result = lhs.getType();
  ArrayRef<int64_t> l = shapeOf(lhs), r = shapeOf(rhs);
  if (l.size() == 2 && r.size() == 2)
    result = tensorLike(lhs, {l[0], r[1]});
  build(builder, state, result, lhs, rhs);
}

LogicalResult MatmulOp::verify() {
  if (failed(verifyRank(*this, getLhs(), "lhs", 2)) ||
      failed(verifyRank(*this, getRhs(), "rhs", 2)))
    return failure();
  ArrayRef<int64_t> lhs = shapeOf(getLhs()), rhs = shapeOf(getRhs());

  std::string product = formatShape(lhs) + " @ " + formatShape(rhs);
  if (sizesConflict(lhs[1], rhs[0]))
    return emitOpError() << product << ": inner dimensions " << lhs[1]
                         << " and " << rhs[0] << " differ";

  if (failed(verifySameElementType(*this, getRhs(), "rhs", getLhs(), "lhs")) ||
      failed(
          verifySameElementType(*this, getResult(), "result", getLhs(), "lhs")))
    return failure();
  return verifyResultShape(*this, {lhs[0], rhs[1]}, "from " + product);
}

//===----------------------------------------------------------------------===//
// TransposeOp
//===----------------------------------------------------------------------===//

void TransposeOp::build(OpBuilder &builder, OperationState &state,
                        Value input) {
  Type result = input.getType();
  ArrayRef<int64_t> shape = shapeOf(input);
  if (shape.size() == 2)
    result = tensorLike(input, {shape[1], shape[0]});
  build(builder, state, result, input);
}

LogicalResult TransposeOp::verify() {
  if (failed(verifyRank(*this, getInput(), "input", 2)) ||
      failed(verifySameElementType(*this, getResult(), "result", getInput(),
                                   "input")))
    return failure();
  ArrayRef<int64_t> shape = shapeOf(getInput());
  return verifyResultShape(*this, {shape[1], shape[0]},
                           formatShape(shape) + " transposed");
}

//===----------------------------------------------------------------------===//
// Broadcasting elementwise ops
//===----------------------------------------------------------------------===//

void CmpOp::build(OpBuilder &builder, OperationState &state,
                  CmpPredicate predicate, Value lhs, Value rhs) {
  build(builder, state, broadcastType(lhs, rhs), predicate, lhs, rhs);
}

LogicalResult AddOp::verify() {
  return verifyBroadcastOp(*this, getLhs(), getRhs());
}
LogicalResult SubOp::verify() {
  return verifyBroadcastOp(*this, getLhs(), getRhs());
}
LogicalResult MulOp::verify() {
  return verifyBroadcastOp(*this, getLhs(), getRhs());
}
LogicalResult DivOp::verify() {
  return verifyBroadcastOp(*this, getLhs(), getRhs());
}
LogicalResult PowOp::verify() {
  return verifyBroadcastOp(*this, getLhs(), getRhs());
}
LogicalResult MaximumOp::verify() {
  return verifyBroadcastOp(*this, getLhs(), getRhs());
}
LogicalResult CmpOp::verify() {
  return verifyBroadcastOp(*this, getLhs(), getRhs());
}

//===----------------------------------------------------------------------===//
// Sparse selections: TopKOp, TopKAbsOp, BatchTopKOp
//===----------------------------------------------------------------------===//

/// The rules shared by the ops that keep `k` entries of a `[batch, n]` code.
static LogicalResult verifySelection(Operation *op, Value input, int64_t k) {
  if (failed(verifyRank(op, input, "input", 2)))
    return failure();
  return verifyK(op, k, shapeOf(input));
}

LogicalResult TopKOp::verify() {
  return verifySelection(*this, getInput(), getK());
}
LogicalResult TopKAbsOp::verify() {
  return verifySelection(*this, getInput(), getK());
}
LogicalResult BatchTopKOp::verify() {
  return verifySelection(*this, getInput(), getK());
}

//===----------------------------------------------------------------------===//
// Thresholded activations: JumpReluOp, StepOp
//===----------------------------------------------------------------------===//

/// The rules shared by the ops that compare a `[batch, n]` pre-activation
/// with a learned `[n]` threshold.
static LogicalResult verifyThreshold(Operation *op, Value input,
                                     Value threshold, double bandwidth) {
  if (failed(verifyRank(op, input, "input", 2)) ||
      failed(verifyPerLatent(op, threshold, "threshold", input)))
    return failure();
  if (!(bandwidth > 0))
    return op->emitOpError("bandwidth must be positive, got ") << bandwidth;
  return success();
}

void JumpReluOp::build(OpBuilder &builder, OperationState &state, Value input,
                       Value threshold, double bandwidth) {
  build(builder, state, input, threshold, builder.getF64FloatAttr(bandwidth));
}

void StepOp::build(OpBuilder &builder, OperationState &state, Value input,
                   Value threshold, double bandwidth) {
  build(builder, state, input, threshold, builder.getF64FloatAttr(bandwidth));
}

LogicalResult JumpReluOp::verify() {
  return verifyThreshold(*this, getInput(), getThreshold(),
                         getBandwidth().convertToDouble());
}

LogicalResult StepOp::verify() {
  return verifyThreshold(*this, getInput(), getThreshold(),
                         getBandwidth().convertToDouble());
}

//===----------------------------------------------------------------------===//
// ReduceOp, NormalizeOp
//===----------------------------------------------------------------------===//

void ReduceOp::build(OpBuilder &builder, OperationState &state, ReduceKind kind,
                     Value input, std::optional<int64_t> axis) {
  SmallVector<int64_t> shape;
  IntegerAttr axisAttr;
  if (axis) {
    shape.assign(shapeOf(input).begin(), shapeOf(input).end());
    if (*axis >= 0 && *axis < static_cast<int64_t>(shape.size()))
      shape.erase(shape.begin() + *axis);
    axisAttr = builder.getI64IntegerAttr(*axis);
  }
  build(builder, state, tensorLike(input, shape),
        ReduceKindAttr::get(builder.getContext(), kind), input, axisAttr);
}

LogicalResult ReduceOp::verify() {
  ArrayRef<int64_t> shape = shapeOf(getInput());
  std::optional<uint64_t> axisAttr = getAxis();
  if (axisAttr && failed(verifyAxis(*this, *axisAttr, shape)))
    return failure();

  if (failed(verifySameElementType(*this, getResult(), "result", getInput(),
                                   "input")))
    return failure();

  if (!axisAttr)
    return verifyResultShape(
        *this, {}, "every axis of " + formatShape(shape) + " reduced");
  int64_t axis = *axisAttr;
  SmallVector<int64_t> expected(shape);
  expected.erase(expected.begin() + axis);
  return verifyResultShape(*this, expected,
                           formatShape(shape) + " without axis " +
                               std::to_string(axis));
}

void NormalizeOp::build(OpBuilder &builder, OperationState &state, Value input,
                        std::optional<int64_t> axis) {
  build(builder, state, input,
        axis ? builder.getI64IntegerAttr(*axis) : IntegerAttr());
}

LogicalResult NormalizeOp::verify() {
  if (std::optional<uint64_t> axis = getAxis())
    return verifyAxis(*this, *axis, shapeOf(getInput()));
  return success();
}

//===----------------------------------------------------------------------===//
// Geometry: CosOp, DistOp, OuterOp
//===----------------------------------------------------------------------===//

/// The result type of a `[m, d], [n, d] -> [m, n]` op.
static Type pairwiseType(Value lhs, Value rhs) {
  ArrayRef<int64_t> l = shapeOf(lhs), r = shapeOf(rhs);
  if (l.size() != 2 || r.size() != 2)
    return lhs.getType();
  return tensorLike(lhs, {l[0], r[0]});
}

/// The rules shared by the row-by-row comparisons.
static LogicalResult verifyPairwise(Operation *op, Value lhs, Value rhs) {
  if (failed(verifyRank(op, lhs, "lhs", 2)) ||
      failed(verifyRank(op, rhs, "rhs", 2)))
    return failure();
  ArrayRef<int64_t> l = shapeOf(lhs), r = shapeOf(rhs);
  if (sizesConflict(l[1], r[1]))
    return op->emitOpError()
           << formatShape(l) << " and " << formatShape(r) << ": row lengths "
           << l[1] << " and " << r[1] << " differ";
  if (failed(verifySameElementType(op, rhs, "rhs", lhs, "lhs")) ||
      failed(verifySameElementType(op, op->getResult(0), "result", lhs, "lhs")))
    return failure();
  return verifyResultShape(op, {l[0], r[0]},
                           "every row of " + formatShape(l) +
                               " against every row of " + formatShape(r));
}

void CosOp::build(OpBuilder &builder, OperationState &state, Value lhs,
                  Value rhs) {
  build(builder, state, pairwiseType(lhs, rhs), lhs, rhs);
}

void DistOp::build(OpBuilder &builder, OperationState &state, Value lhs,
                   Value rhs) {
  build(builder, state, pairwiseType(lhs, rhs), lhs, rhs);
}

LogicalResult CosOp::verify() {
  return verifyPairwise(*this, getLhs(), getRhs());
}
LogicalResult DistOp::verify() {
  return verifyPairwise(*this, getLhs(), getRhs());
}

/// The batch size two per-row operands share: the static one if either
/// knows it.
static int64_t commonRows(int64_t lhs, int64_t rhs) {
  return ShapedType::isDynamic(lhs) ? rhs : lhs;
}

void OuterOp::build(OpBuilder &builder, OperationState &state, Value lhs,
                    Value rhs) {
  Type result = lhs.getType();
  ArrayRef<int64_t> l = shapeOf(lhs), r = shapeOf(rhs);
  if (l.size() == 2 && r.size() == 2)
    result = tensorLike(lhs, {commonRows(l[0], r[0]), l[1], r[1]});
  build(builder, state, result, lhs, rhs);
}

LogicalResult OuterOp::verify() {
  if (failed(verifyRank(*this, getLhs(), "lhs", 2)) ||
      failed(verifyRank(*this, getRhs(), "rhs", 2)))
    return failure();
  ArrayRef<int64_t> l = shapeOf(getLhs()), r = shapeOf(getRhs());
  if (sizesConflict(l[0], r[0]))
    return emitOpError() << formatShape(l) << " and " << formatShape(r)
                         << ": row counts " << l[0] << " and " << r[0]
                         << " differ";
  if (failed(verifySameElementType(*this, getRhs(), "rhs", getLhs(), "lhs")) ||
      failed(
          verifySameElementType(*this, getResult(), "result", getLhs(), "lhs")))
    return failure();
  return verifyResultShape(*this, {commonRows(l[0], r[0]), l[1], r[1]},
                           "the per-row outer product of " + formatShape(l) +
                               " and " + formatShape(r));
}

//===----------------------------------------------------------------------===//
// Modalities: SelectModalityOp, FilterOp
//===----------------------------------------------------------------------===//

LogicalResult SelectModalityOp::verify() {
  // The operands share one type, so checking one checks both.
  return verifyPerRow(*this, getImage(), "operands");
}

LogicalResult FilterOp::verify() {
  return verifyPerRow(*this, getInput(), "input");
}

//===----------------------------------------------------------------------===//
// SliceOp
//===----------------------------------------------------------------------===//

void SliceOp::build(OpBuilder &builder, OperationState &state, Value input,
                    ArrayRef<int64_t> starts, ArrayRef<int64_t> limits,
                    ArrayRef<int64_t> squeeze) {
  Type result = input.getType();
  if (std::optional<SmallVector<int64_t>> shape =
          sliceShape(shapeOf(input), starts, limits, squeeze))
    result = tensorLike(input, *shape);
  build(builder, state, result, input, builder.getDenseI64ArrayAttr(starts),
        builder.getDenseI64ArrayAttr(limits),
        squeeze.empty() ? DenseI64ArrayAttr()
                        : builder.getDenseI64ArrayAttr(squeeze));
}

void SliceOp::build(OpBuilder &builder, OperationState &state, Type result,
                    Value input, ArrayRef<int64_t> starts,
                    ArrayRef<int64_t> limits) {
  build(builder, state, result, input, builder.getDenseI64ArrayAttr(starts),
        builder.getDenseI64ArrayAttr(limits), DenseI64ArrayAttr());
}

LogicalResult SliceOp::verify() {
  ArrayRef<int64_t> shape = shapeOf(getInput());
  ArrayRef<int64_t> starts = getStarts(), limits = getLimits();
  if (failed(verifySliceBounds(*this, shape, starts, limits)))
    return failure();

  ArrayRef<int64_t> squeeze;
  if (std::optional<ArrayRef<int64_t>> axes = getSqueeze())
    squeeze = *axes;
  for (auto [i, axis] : llvm::enumerate(squeeze)) {
    int64_t rank = shape.size();
    if (axis < 0 || axis >= rank || (i > 0 && axis <= squeeze[i - 1]))
      return emitOpError("squeezed axes must increase and lie in [0, ")
             << rank << "), got [" << squeeze << "]";
    if (ShapedType::isDynamic(shape[axis]) || limits[axis] - starts[axis] != 1)
      return emitOpError("squeezed axis ")
             << axis << " must hold one element, got slice " << starts[axis]
             << ":" << limits[axis] << " of " << formatShape(shape);
  }

  if (failed(verifySameElementType(*this, getResult(), "result", getInput(),
                                   "input")))
    return failure();
  return verifyResultShape(*this, *sliceShape(shape, starts, limits, squeeze),
                           "a slice of " + formatShape(shape));
}

//===----------------------------------------------------------------------===//
// Losses: MseOp, L1Op, AuxKOp
//===----------------------------------------------------------------------===//

void MseOp::build(OpBuilder &builder, OperationState &state, Value lhs,
                  Value rhs) {
  build(builder, state, scalarLike(lhs), lhs, rhs);
}

LogicalResult MseOp::verify() {
  ArrayRef<int64_t> lhs = shapeOf(getLhs()), rhs = shapeOf(getRhs());
  // Dynamic sizes (the batch) are compared by the runtime.
  if (failed(verifyCompatibleShape(lhs, rhs)))
    return emitOpError("operand shapes ")
           << formatShape(lhs) << " and " << formatShape(rhs) << " must match";

  if (failed(verifySameElementType(*this, getRhs(), "rhs", getLhs(), "lhs")))
    return failure();
  return verifyScalarResult(*this, getLhs(), "lhs");
}

void L1Op::build(OpBuilder &builder, OperationState &state, Value input,
                 Value weight) {
  build(builder, state, scalarLike(input), input, weight);
}

LogicalResult L1Op::verify() {
  ArrayRef<int64_t> shape = shapeOf(getInput());
  if (shape.empty())
    return emitOpError("input must have rank >= 1, got ") << formatShape(shape);
  if (Value weight = getWeight())
    if (failed(verifyPerLatent(*this, weight, "weight", getInput())))
      return failure();
  return verifyScalarResult(*this, getInput(), "input");
}

void AuxKOp::build(OpBuilder &builder, OperationState &state, Value residual,
                   Value pre, Value decoder, int64_t k) {
  build(builder, state, scalarLike(residual), residual, pre, decoder,
        /*dead_mask=*/Value(), builder.getI64IntegerAttr(k));
}

LogicalResult AuxKOp::verify() {
  if (failed(verifyRank(*this, getResidual(), "residual", 2)) ||
      failed(verifyRank(*this, getPre(), "pre", 2)) ||
      failed(verifyRank(*this, getDecoder(), "decoder", 2)))
    return failure();

  // residual [B, d], pre [B, n], decoder [n, d].
  ArrayRef<int64_t> residual = shapeOf(getResidual());
  ArrayRef<int64_t> pre = shapeOf(getPre());
  ArrayRef<int64_t> decoder = shapeOf(getDecoder());
  if (sizesConflict(residual[0], pre[0]))
    return emitOpError("residual ")
           << formatShape(residual) << " and pre " << formatShape(pre)
           << ": row counts " << residual[0] << " and " << pre[0] << " differ";
  if (sizesConflict(decoder[0], pre[1]))
    return emitOpError("decoder ")
           << formatShape(decoder) << " needs one row per latent of pre "
           << formatShape(pre) << ": " << decoder[0] << " and " << pre[1]
           << " differ";
  if (sizesConflict(decoder[1], residual[1]))
    return emitOpError("decoder ")
           << formatShape(decoder) << " must decode to rows of residual "
           << formatShape(residual) << ": " << decoder[1] << " and "
           << residual[1] << " differ";

  if (failed(verifyK(*this, getK(), pre)) ||
      failed(verifySameElementType(*this, getPre(), "pre", getResidual(),
                                   "residual")) ||
      failed(verifySameElementType(*this, getDecoder(), "decoder",
                                   getResidual(), "residual")))
    return failure();
  if (Value deadMask = getDeadMask())
    if (failed(verifyPerLatent(*this, deadMask, "dead_mask", getPre())))
      return failure();
  return verifyScalarResult(*this, getResidual(), "residual");
}

//===----------------------------------------------------------------------===//
// Custom assembly directives
//===----------------------------------------------------------------------===//

/// The side of a pair, `[image]` or `[text]`; absent when no `[` follows.
static OptionalParseResult parseSide(OpAsmParser &parser, ModalityAttr &side) {
  if (failed(parser.parseOptionalLSquare()))
    return std::nullopt;
  SMLoc loc = parser.getCurrentLocation();
  StringRef keyword;
  if (parser.parseKeyword(&keyword))
    return failure();
  std::optional<Modality> modality = symbolizeModality(keyword);
  if (!modality)
    return parser.emitError(loc, "expected 'image' or 'text', got '")
           << keyword << "'";
  side = ModalityAttr::get(parser.getContext(), *modality);
  return parser.parseRSquare();
}

static void printSide(OpAsmPrinter &printer, Operation *, ModalityAttr side) {
  printer << '[' << stringifyModality(side.getValue()) << ']';
}

#define GET_OP_CLASSES
#include "prism/Dialect/Sae/IR/SaeOps.cpp.inc"
