//===- EntryPlan.cpp - Where an entry function's tensors live -------------===//

#include "EntryPlan.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <algorithm>

using namespace mlir;
using namespace prism;
using namespace prism::target;

int ProgramLayout::findOrAdd(const std::string &name, BufferRole role,
                             const std::vector<int64_t> &shape) {
  for (auto [i, buffer] : llvm::enumerate(buffers))
    if (buffer.name == name)
      return buffer.shape == shape ? static_cast<int>(i) : -1;
  buffers.push_back({name, role, shape});
  return static_cast<int>(buffers.size() - 1);
}

std::string Storage::size() const {
  std::string text;
  for (const std::string &dim : dims)
    text += (text.empty() ? "" : " * ") + ("(int64_t)" + dim);
  return text.empty() ? "1" : text;
}

std::vector<int64_t> target::schemaShape(RankedTensorType type) {
  std::vector<int64_t> shape;
  for (int64_t dim : type.getShape())
    shape.push_back(ShapedType::isDynamic(dim) ? -1 : dim);
  return shape;
}

/// The flat offset of an operand element for the loop variables `iN`.
static FailureOr<std::string> elementOffset(AffineMap map,
                                            const Storage &storage) {
  std::string offset = "0";
  std::string stride = "1";
  for (int r = static_cast<int>(map.getNumResults()) - 1; r >= 0; --r) {
    AffineExpr expr = map.getResult(r);
    std::string index;
    if (auto dim = dyn_cast<AffineDimExpr>(expr))
      index = "i" + std::to_string(dim.getPosition());
    else if (auto constant = dyn_cast<AffineConstantExpr>(expr))
      index = std::to_string(constant.getValue());
    else
      return failure();
    if (index != "0")
      offset += " + " + index + " * " + stride;
    stride += " * (int64_t)" + storage.dims[r];
  }
  return offset;
}

FailureOr<GenericAccess> target::genericAccess(linalg::GenericOp op,
                                               const EntryPlan &plan,
                                               StringRef emitter) {
  GenericAccess access;
  unsigned numLoops = op.getNumLoops();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  // Inits are read through their results' storage: an empty init has none.
  access.operands = SmallVector<Value>(op.getDpsInputs());
  llvm::append_range(access.operands, op->getResults());
  for (Value operand : access.operands)
    if (!isa<RankedTensorType>(operand.getType()))
      return op.emitOpError("takes a scalar input; expected tensors");

  access.extents.resize(numLoops);
  for (auto [operand, map] : llvm::zip(access.operands, maps))
    for (auto [r, expr] : llvm::enumerate(map.getResults()))
      if (auto dim = dyn_cast<AffineDimExpr>(expr))
        if (access.extents[dim.getPosition()].empty())
          access.extents[dim.getPosition()] = plan.storage(operand).dims[r];
  for (auto [d, extent] : llvm::enumerate(access.extents))
    if (extent.empty())
      return op.emitOpError("loop ") << d << " has no extent";

  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (unsigned d = 0; d < numLoops; ++d)
    (iterators[d] == utils::IteratorType::parallel ? access.parallel
                                                   : access.reduction)
        .push_back(d);

  for (auto [operand, map] : llvm::zip(access.operands, maps)) {
    FailureOr<std::string> offset = elementOffset(map, plan.storage(operand));
    if (failed(offset))
      return op.emitOpError("has an indexing map the ")
             << emitter << " emitter cannot print: " << AffineMapAttr::get(map);
    access.offsets.push_back(*offset);
  }
  return access;
}

FailureOr<SliceOffsets> target::sliceOffsets(Operation *op,
                                             const Storage &whole,
                                             const Storage &part,
                                             StringRef emitter) {
  auto slice = cast<OffsetSizeAndStrideOpInterface>(op);
  ArrayRef<int64_t> offsets = slice.getStaticOffsets();
  ArrayRef<int64_t> sizes = slice.getStaticSizes();
  if (llvm::any_of(slice.getStaticStrides(),
                   [](int64_t stride) { return stride != 1; }) ||
      llvm::any_of(offsets, ShapedType::isDynamic))
    return op->emitOpError("the ")
           << emitter
           << " emitter takes slices with static offsets and unit strides "
              "only";
  size_t wholeRank = whole.dims.size(), partRank = part.dims.size();
  // Which axis of the part each axis of the whole runs along (-1: dropped).
  std::vector<int> partAxis(wholeRank, -1);
  size_t toDrop = wholeRank - partRank, next = 0;
  for (size_t axis = 0; axis < wholeRank; ++axis) {
    bool canDrop = toDrop > 0 && sizes[axis] == 1 &&
                   wholeRank - axis - 1 >= partRank - next;
    if (canDrop) {
      --toDrop;
      continue;
    }
    partAxis[axis] = static_cast<int>(next++);
  }
  auto offsetIn = [](const Storage &storage,
                     const std::vector<std::string> &indices) {
    std::string offset = "0", stride = "1";
    for (int r = static_cast<int>(indices.size()) - 1; r >= 0; --r) {
      offset += " + (" + indices[r] + ") * " + stride;
      stride += " * (int64_t)" + storage.dims[r];
    }
    return offset;
  };
  std::vector<std::string> wholeIndex, partIndex;
  for (size_t axis = 0; axis < wholeRank; ++axis) {
    std::string start = std::to_string(offsets[axis]);
    if (partAxis[axis] < 0) {
      wholeIndex.push_back(start);
      continue;
    }
    std::string var = "i" + std::to_string(partAxis[axis]);
    wholeIndex.push_back(start + " + " + var);
    partIndex.push_back(var);
  }
  return SliceOffsets{offsetIn(whole, wholeIndex), offsetIn(part, partIndex)};
}

std::string target::entrySymbol(StringRef name) {
  // Entry names may hold dots (metrics.B.pass0); C symbols may not.
  std::string symbol = "prism_" + name.str();
  std::replace(symbol.begin(), symbol.end(), '.', '_');
  return symbol;
}

/// Adam's moments are optimizer state; other state belongs to the model.
static BufferRole stateRole(StringRef name) {
  return name.starts_with("adam.") ? BufferRole::OptimizerState
                                   : BufferRole::ModelState;
}

EntryPlan::EntryPlan(func::FuncOp func, ProgramLayout &layout,
                     std::function<std::string(unsigned)> scalarPointer)
    : func(func), layout(layout), scalarPointer(std::move(scalarPointer)) {}

LogicalResult EntryPlan::build() {
  programEntry.name = func->getAttrOfType<StringAttr>("sae.entry").str();
  programEntry.symbol = entrySymbol(programEntry.name);
  if (failed(bindArguments()))
    return failure();
  findUpdatedBuffers();
  findUnitRowSteps();
  for (Operation &op : body().without_terminator())
    if (failed(assignStorage(op)))
      return failure();
  return success();
}

std::vector<std::string> EntryPlan::dimsOf(RankedTensorType type) const {
  std::vector<std::string> dims;
  for (int64_t dim : type.getShape())
    dims.push_back(ShapedType::isDynamic(dim) ? "B" : std::to_string(dim));
  return dims;
}

Storage EntryPlan::allocate(RankedTensorType type) {
  Storage result;
  result.dims = dimsOf(type);
  result.isIndex = type.getElementType().isInteger(32);
  result.pointer = "s" + std::to_string(arenaSlices.size());
  arenaSlices.push_back({result.pointer, result.size(), result.isIndex});
  return result;
}

LogicalResult EntryPlan::bindArguments() {
  ProgramEntry &entry = programEntry;
  for (BlockArgument arg : func.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type)
      return func.emitError("entry argument #")
             << arg.getArgNumber() << " must be a ranked tensor, got "
             << arg.getType();
    auto attr = [&](StringRef name) {
      return func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), name);
    };
    Storage value;
    value.dims = dimsOf(type);
    if (StringAttr scalar = attr("sae.scalar")) {
      value.pointer = scalarPointer(entry.scalars.size());
      entry.scalars.push_back(scalar.str());
      storages[arg] = value;
      continue;
    }
    std::string name;
    BufferRole role;
    if (StringAttr input = attr("sae.input")) {
      name = input.str();
      role = BufferRole::Input;
    } else if (StringAttr param = attr("sae.param")) {
      name = param.str();
      role = BufferRole::Parameter;
    } else if (StringAttr state = attr("sae.state")) {
      name = state.str();
      role = stateRole(name);
    } else if (StringAttr accumulator = attr("sae.accumulator")) {
      name = accumulator.str();
      role = BufferRole::Accumulator;
    } else {
      return func.emitError("entry argument #")
             << arg.getArgNumber()
             << " needs sae.input, sae.param, sae.state, sae.accumulator or "
                "sae.scalar";
    }
    int index = layout.findOrAdd(name, role, schemaShape(type));
    if (index < 0)
      return func.emitError("buffer '") << name << "' has two shapes";
    entry.reads.push_back(index);
    value.pointer = "((real *)buffers[" + std::to_string(index) + "])";
    storages[arg] = value;
  }
  return success();
}

void EntryPlan::findUpdatedBuffers() {
  Block &body = func.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  for (auto [i, value] : llvm::enumerate(ret.getOperands())) {
    StringRef resultAttr, argAttr;
    if (auto name = func.getResultAttrOfType<StringAttr>(i, "sae.param_out")) {
      resultAttr = name.getValue();
      argAttr = "sae.param";
    } else if (auto state =
                   func.getResultAttrOfType<StringAttr>(i, "sae.state_out")) {
      resultAttr = state.getValue();
      argAttr = "sae.state";
    } else {
      continue;
    }
    for (BlockArgument arg : func.getArguments())
      if (auto name =
              func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), argAttr);
          name && name.getValue() == resultAttr && value.hasOneUse())
        returnedInto[value] = arg;
  }
}

/// project_tangent -> adam -> unit_norm, all along rows, with the norm right
/// after the step (so that writing its result at the step's place moves no
/// write across another op) and nothing reading the old parameter after
/// the step.
void EntryPlan::findUnitRowSteps() {
  Block &body = this->body();
  for (auto adam : body.getOps<saek::AdamOp>()) {
    auto project = adam.getGrad().getDefiningOp<saek::ProjectTangentOp>();
    auto norm = dyn_cast_or_null<saek::UnitNormOp>(adam->getNextNode());
    if (!project || project.getAxis() != 1 || !project->hasOneUse() ||
        project.getParam() != adam.getParam() || !norm || norm.getAxis() != 1 ||
        norm.getInput() != adam.getNewParam() ||
        !adam.getNewParam().hasOneUse())
      continue;
    if (!llvm::all_of(adam.getParam().getUsers(), [&](Operation *user) {
          return user == adam || user->isBeforeInBlock(adam);
        }))
      continue;
    unitRowSteps[adam] = norm;
    fusedAway.insert(project);
    fusedAway.insert(norm);
  }
}

/// Whether `op` may write its result straight into `arg`'s buffer: every
/// other read of `arg` comes before it, and the op reads each element of
/// its operands before writing that element (Adam) or reads another tensor
/// (the normalisation after it).
bool EntryPlan::canWriteInto(Operation &op, BlockArgument arg) const {
  if (isa<saek::UnitNormOp>(op) &&
      llvm::is_contained(op.getOperands(), Value(arg)))
    return false;
  return llvm::all_of(arg.getUsers(), [&](Operation *user) {
    return user == &op || user->isBeforeInBlock(&op);
  });
}

LogicalResult EntryPlan::assignStorage(Operation &op) {
  // Updated parameters and state go straight into their buffers when
  // nothing reads the old values afterwards: no copy at the end.
  if (isa<saek::AdamOp, saek::UnitNormOp>(op)) {
    for (Value result : op.getResults()) {
      auto it = returnedInto.find(result);
      if (it != returnedInto.end() && canWriteInto(op, it->second)) {
        Storage shared = storage(it->second);
        storages[result] = std::move(shared);
      } else {
        storages[result] = allocate(cast<RankedTensorType>(result.getType()));
      }
    }
    return success();
  }
  // Ops whose result is the storage of an operand.
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
    for (auto [init, result] :
         llvm::zip(linalgOp.getDpsInits(), op.getResults())) {
      // Value semantics let a kernel update its init in place when nothing
      // else reads it; program buffers (arguments) are never clobbered.
      // An empty init has no contents to keep: the result gets a slice.
      bool fresh = static_cast<bool>(init.getDefiningOp<tensor::EmptyOp>());
      bool inPlace = !fresh && init.hasOneUse() && !isa<BlockArgument>(init);
      if (inPlace) {
        Storage shared = storage(init);
        storages[result] = std::move(shared);
        continue;
      }
      storages[result] = allocate(cast<RankedTensorType>(result.getType()));
      if (!fresh)
        copiedInits[result] = init;
    }
    return success();
  }
  // An insertion updates its destination in place when nothing else reads
  // it, as a linalg init does.
  if (auto insert = dyn_cast<tensor::InsertSliceOp>(op)) {
    Value dest = insert.getDest();
    if (dest.hasOneUse() && !isa<BlockArgument>(dest)) {
      Storage shared = storage(dest);
      storages[insert.getResult()] = std::move(shared);
      return success();
    }
    storages[insert.getResult()] = allocate(insert.getType());
    copiedInits[insert.getResult()] = dest;
    return success();
  }
  // Shapes only; the kernels that take an empty init allocate their own.
  if (isa<tensor::EmptyOp>(op))
    return success();
  if (isa<arith::ConstantOp, tensor::DimOp>(op) &&
      !isa<RankedTensorType>(op.getResult(0).getType()))
    return success();
  for (Value result : op.getResults()) {
    auto type = dyn_cast<RankedTensorType>(result.getType());
    if (!type)
      return op.emitOpError("produces a non-tensor value the C++ emitter "
                            "cannot place: ")
             << result.getType();
    storages[result] = allocate(type);
  }
  return success();
}

FailureOr<std::vector<ReturnTarget>>
EntryPlan::returnTargets(func::ReturnOp op) {
  std::vector<ReturnTarget> targets;
  for (auto [i, value] : llvm::enumerate(op.getOperands())) {
    auto attr = [&](StringRef name) {
      return func.getResultAttrOfType<StringAttr>(i, name);
    };
    std::string name;
    BufferRole role = BufferRole::Output;
    if (StringAttr output = attr("sae.output")) {
      name = output.str();
    } else if (StringAttr grad = attr("sae.grad")) {
      name = "grad." + grad.str();
    } else if (StringAttr param = attr("sae.param_out")) {
      name = param.str();
      role = BufferRole::Parameter;
    } else if (StringAttr state = attr("sae.state_out")) {
      name = state.str();
      role = stateRole(name);
    } else if (StringAttr accumulator = attr("sae.accumulator")) {
      name = accumulator.str();
      role = BufferRole::Accumulator;
    } else {
      return func.emitError("entry result #")
             << i
             << " needs sae.output, sae.grad, sae.param_out, sae.state_out or "
                "sae.accumulator";
    }
    auto type = cast<RankedTensorType>(value.getType());
    int index = layout.findOrAdd(name, role, schemaShape(type));
    if (index < 0)
      return func.emitError("buffer '") << name << "' has two shapes";
    programEntry.writes.push_back(index);
    targets.push_back({name, "((real *)buffers[" + std::to_string(index) + "])",
                       &storage(value)});
  }
  return targets;
}

void EntryPlan::printArena(raw_ostream &os,
                           function_ref<void(const std::string &)> acquire) {
  // One arena of 64-byte aligned slots, each shared by scratch tensors
  // whose lifetimes do not overlap.
  std::vector<const ArenaSlice *> slots;
  std::vector<unsigned> slotOf = planSlots(slots);
  std::string offset = "0";
  for (auto [i, slot] : llvm::enumerate(slots)) {
    os << "  const int64_t o" << i << " = " << offset << ";\n";
    offset = "o" + std::to_string(i) + " + prism_pad(" + slot->elements + ")";
  }
  acquire(offset);
  for (auto [i, slice] : llvm::enumerate(arenaSlices)) {
    if (slice.isIndex)
      os << "  int32_t *" << slice.name << " = (int32_t *)(arena + o"
         << slotOf[i] << ");\n";
    else
      os << "  real *" << slice.name << " = arena + o" << slotOf[i] << ";\n";
  }
}

/// The buffer plan: the arena slot of each slice. A slice takes over the
/// slot of one that holds as many elements of the same kind and whose last
/// reader runs before the slice's first writer; otherwise it gets a new one.
std::vector<unsigned>
EntryPlan::planSlots(std::vector<const ArenaSlice *> &slots) {
  Block &body = this->body();
  DenseMap<StringRef, unsigned> sliceOf;
  for (auto [i, slice] : llvm::enumerate(arenaSlices))
    sliceOf[slice.name] = i;
  const unsigned never = ~0u;
  std::vector<unsigned> firstWrite(arenaSlices.size(), never);
  std::vector<unsigned> lastRead(arenaSlices.size(), 0);
  unsigned index = 0;
  auto sliceOfValue = [&](Value value) -> std::optional<unsigned> {
    auto it = storages.find(value);
    if (it == storages.end())
      return std::nullopt;
    auto slice = sliceOf.find(it->second.pointer);
    if (slice == sliceOf.end())
      return std::nullopt;
    return slice->second;
  };
  for (Operation &op : body) {
    for (Value operand : op.getOperands())
      if (std::optional<unsigned> slice = sliceOfValue(operand))
        lastRead[*slice] = std::max(lastRead[*slice], index);
    for (Value result : op.getResults())
      if (std::optional<unsigned> slice = sliceOfValue(result)) {
        firstWrite[*slice] = std::min(firstWrite[*slice], index);
        lastRead[*slice] = std::max(lastRead[*slice], index);
      }
    ++index;
  }
  std::vector<unsigned> order(arenaSlices.size());
  for (unsigned i = 0; i < order.size(); ++i)
    order[i] = i;
  llvm::stable_sort(order, [&](unsigned a, unsigned b) {
    return firstWrite[a] < firstWrite[b];
  });
  std::vector<unsigned> slotOf(arenaSlices.size());
  std::vector<unsigned> busyUntil;
  for (unsigned slice : order) {
    const ArenaSlice &want = arenaSlices[slice];
    std::optional<unsigned> chosen;
    for (auto [slot, occupant] : llvm::enumerate(slots))
      if (occupant->elements == want.elements &&
          occupant->isIndex == want.isIndex && firstWrite[slice] != never &&
          busyUntil[slot] < firstWrite[slice]) {
        chosen = slot;
        break;
      }
    if (!chosen) {
      chosen = slots.size();
      slots.push_back(&want);
      busyUntil.push_back(0);
    }
    slotOf[slice] = *chosen;
    busyUntil[*chosen] = firstWrite[slice] == never ? never : lastRead[slice];
  }
  return slotOf;
}
