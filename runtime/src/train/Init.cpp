//===- Init.cpp - Parameter initialisers ----------------------------------===//

#include "prism/runtime/Init.h"
#include "prism/runtime/DataLoader.h"
#include "prism/runtime/Support.h"

#include <algorithm>
#include <cmath>
#include <map>

using namespace prism;

uint64_t prism::parameterSeed(uint64_t runSeed, uint64_t initSeed,
                              const std::string &name) {
  return derivedSeed(derivedSeed(runSeed, initSeed), fnv1a64(name));
}

static std::string shapeText(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

//===----------------------------------------------------------------------===//
// Geometric median
//===----------------------------------------------------------------------===//

std::vector<double>
prism::geometricMedian(const std::vector<const float *> &points, size_t dim) {
  const int maxIterations = 500;
  const double minDistance = 1e-10, tolerance = 1e-10;
  std::vector<double> median(dim, 0.0), next(dim);
  if (points.empty())
    return median;
  for (const float *point : points)
    for (size_t j = 0; j < dim; ++j)
      median[j] += point[j];
  for (double &value : median)
    value /= static_cast<double>(points.size());

  for (int iteration = 0; iteration < maxIterations; ++iteration) {
    std::fill(next.begin(), next.end(), 0.0);
    double weights = 0;
    for (const float *point : points) {
      double distance = 0;
      for (size_t j = 0; j < dim; ++j) {
        double delta = point[j] - median[j];
        distance += delta * delta;
      }
      double weight = 1.0 / std::max(std::sqrt(distance), minDistance);
      weights += weight;
      for (size_t j = 0; j < dim; ++j)
        next[j] += weight * point[j];
    }
    double step = 0, norm = 0;
    for (size_t j = 0; j < dim; ++j) {
      next[j] /= weights;
      step += (next[j] - median[j]) * (next[j] - median[j]);
      norm += next[j] * next[j];
    }
    median.swap(next);
    if (std::sqrt(step) <= tolerance * std::max(1.0, std::sqrt(norm)))
      break;
  }
  return median;
}

//===----------------------------------------------------------------------===//
// The initialisers
//===----------------------------------------------------------------------===//

namespace {

/// Initialises one buffer; the sources it reads are already done.
class Initializer {
public:
  Initializer(const ProgramInfo &info, const std::vector<float *> &storage,
              const InitContext &context, const std::string &where)
      : info(info), storage(storage), context(context), where(where) {}

  Status run(size_t index);

private:
  Status fillRandom(const BufferInfo &buffer, float *out, uint64_t count);
  Status fillFromData(const BufferInfo &buffer, float *out, uint64_t count);
  Status fillFromParameter(const BufferInfo &buffer, float *out);
  void applyConstraint(const BufferInfo &buffer, float *out);
  Status error(const BufferInfo &buffer, const std::string &message) const {
    return Status::error(where, "parameter '" + buffer.name + "' " + message);
  }

  const ProgramInfo &info;
  const std::vector<float *> &storage;
  const InitContext &context;
  const std::string &where;
};

} // namespace

Status Initializer::run(size_t index) {
  const BufferInfo &buffer = info.buffers[index];
  float *out = storage[index];
  uint64_t count = buffer.numElements(0);
  Status status = Status::ok();
  switch (buffer.init.kind) {
  case InitKind::None:
    std::fill(out, out + count, 0.0f);
    break;
  case InitKind::Constant:
    std::fill(out, out + count, static_cast<float>(buffer.init.value));
    break;
  case InitKind::Kaiming:
  case InitKind::Xavier:
  case InitKind::Normal:
    status = fillRandom(buffer, out, count);
    break;
  case InitKind::Mean:
  case InitKind::Median:
    status = fillFromData(buffer, out, count);
    break;
  case InitKind::Transpose:
  case InitKind::Copy:
    status = fillFromParameter(buffer, out);
    break;
  }
  if (!status.isOk())
    return status;
  applyConstraint(buffer, out);
  return Status::ok();
}

Status Initializer::fillRandom(const BufferInfo &buffer, float *out,
                               uint64_t count) {
  Xoshiro256 rng(parameterSeed(context.runSeed, buffer.init.seed, buffer.name));
  if (buffer.init.kind == InitKind::Normal) {
    if (!(buffer.init.std >= 0) || !std::isfinite(buffer.init.std))
      return error(buffer,
                   "has normal(std = " + std::to_string(buffer.init.std) +
                       "); the standard deviation must be finite and "
                       ">= 0");
    for (uint64_t i = 0; i < count; ++i)
      out[i] = static_cast<float>(buffer.init.std * standardNormal(rng));
    return Status::ok();
  }
  double fanIn =
      buffer.shape.empty() ? 1.0 : static_cast<double>(buffer.shape[0]);
  double fanOut = 1.0;
  for (size_t i = 1; i < buffer.shape.size(); ++i)
    fanOut *= static_cast<double>(buffer.shape[i]);
  double bound = buffer.init.kind == InitKind::Kaiming
                     ? std::sqrt(6.0 / fanIn)
                     : std::sqrt(6.0 / (fanIn + fanOut));
  for (uint64_t i = 0; i < count; ++i)
    out[i] = static_cast<float>(bound * (2.0 * uniform01(rng) - 1.0));
  return Status::ok();
}

Status Initializer::fillFromData(const BufferInfo &buffer, float *out,
                                 uint64_t count) {
  const char *what = buffer.init.kind == InitKind::Mean ? "mean" : "median";
  int source = info.findBuffer(buffer.init.source);
  if (source < 0 || info.buffers[source].kind != BufferKind::Input)
    return error(buffer, std::string("is initialised with ") + what + "(" +
                             buffer.init.source +
                             "), but the program has no input '" +
                             buffer.init.source + "'");
  if (!context.dataset || !context.rows || context.rows->empty())
    return error(buffer, std::string("is initialised with ") + what + "(" +
                             buffer.init.source +
                             "), but no training rows were given");
  const Dataset &data = *context.dataset;
  if (count != data.dim())
    return error(buffer, "has shape " + shapeText(buffer.shape) + " (" +
                             std::to_string(count) + " values), but " + what +
                             "(" + buffer.init.source + ") has " +
                             std::to_string(data.dim()) +
                             " (the dataset dimension)");
  const std::vector<uint64_t> &rows = *context.rows;
  std::vector<double> result(count, 0.0);
  if (buffer.init.kind == InitKind::Mean) {
    for (uint64_t row : rows) {
      const float *values = data.row(row);
      for (uint64_t j = 0; j < count; ++j)
        result[j] += values[j];
    }
    for (double &value : result)
      value /= static_cast<double>(rows.size());
  } else {
    std::vector<uint64_t> sample = rows;
    if (sample.size() > kMedianSampleRows) {
      Xoshiro256 rng(
          parameterSeed(context.runSeed, buffer.init.seed, buffer.name));
      for (uint64_t i = 0; i < kMedianSampleRows; ++i)
        std::swap(sample[i], sample[i + rng.below(sample.size() - i)]);
      sample.resize(kMedianSampleRows);
      std::sort(sample.begin(), sample.end());
    }
    std::vector<const float *> points;
    points.reserve(sample.size());
    for (uint64_t row : sample)
      points.push_back(data.row(row));
    result = geometricMedian(points, count);
  }
  for (uint64_t j = 0; j < count; ++j)
    out[j] = static_cast<float>(result[j]);
  return Status::ok();
}

Status Initializer::fillFromParameter(const BufferInfo &buffer, float *out) {
  bool transpose = buffer.init.kind == InitKind::Transpose;
  const char *what = transpose ? "transpose" : "copy";
  int index = info.findBuffer(buffer.init.source);
  if (index < 0 || info.buffers[index].kind != BufferKind::Parameter)
    return error(buffer, std::string("is initialised as a ") + what + " of '" +
                             buffer.init.source +
                             "', which is not a parameter of the program");
  const BufferInfo &source = info.buffers[index];
  const float *in = storage[index];
  if (!transpose) {
    if (source.shape != buffer.shape)
      return error(buffer, "has shape " + shapeText(buffer.shape) +
                               ", but its copy source '" + source.name +
                               "' has shape " + shapeText(source.shape));
    std::copy(in, in + buffer.numElements(0), out);
    return Status::ok();
  }
  if (source.shape.size() != 2 || buffer.shape.size() != 2 ||
      source.shape[0] != buffer.shape[1] || source.shape[1] != buffer.shape[0])
    return error(buffer, "has shape " + shapeText(buffer.shape) +
                             ", which is not the transpose of '" + source.name +
                             "' " + shapeText(source.shape));
  uint64_t rows = static_cast<uint64_t>(source.shape[0]);
  uint64_t cols = static_cast<uint64_t>(source.shape[1]);
  for (uint64_t i = 0; i < rows; ++i)
    for (uint64_t j = 0; j < cols; ++j)
      out[j * rows + i] = in[i * cols + j];
  return Status::ok();
}

void Initializer::applyConstraint(const BufferInfo &buffer, float *out) {
  if (buffer.constraint == ParamConstraint::None)
    return;
  uint64_t count = buffer.numElements(0);
  uint64_t cols = buffer.shape.empty() ? 1 : buffer.shape.back();
  uint64_t rows = cols ? count / cols : 0;
  bool byRow = buffer.constraint == ParamConstraint::UnitRows;
  uint64_t groups = byRow ? rows : cols, length = byRow ? cols : rows;
  uint64_t stride = byRow ? 1 : cols;
  for (uint64_t g = 0; g < groups; ++g) {
    float *first = out + (byRow ? g * cols : g);
    double norm = 0;
    for (uint64_t i = 0; i < length; ++i)
      norm += static_cast<double>(first[i * stride]) * first[i * stride];
    norm = std::sqrt(norm);
    if (norm == 0)
      continue;
    for (uint64_t i = 0; i < length; ++i)
      first[i * stride] = static_cast<float>(first[i * stride] / norm);
  }
}

//===----------------------------------------------------------------------===//
// Dependency order
//===----------------------------------------------------------------------===//

static bool initialised(const BufferInfo &buffer) {
  return buffer.kind == BufferKind::Parameter ||
         (buffer.kind == BufferKind::ModelState &&
          buffer.init.kind != InitKind::None);
}

static bool readsParameter(const BufferInfo &buffer) {
  return buffer.init.kind == InitKind::Transpose ||
         buffer.init.kind == InitKind::Copy;
}

Status prism::initializeParameters(const ProgramInfo &info,
                                   const std::vector<float *> &storage,
                                   const InitContext &context,
                                   const std::string &where) {
  Initializer initializer(info, storage, context, where);
  // 0 = not visited, 1 = on the current path, 2 = done.
  std::vector<int> state(info.buffers.size(), 0);
  for (size_t root = 0; root < info.buffers.size(); ++root) {
    if (!initialised(info.buffers[root]) || state[root] == 2)
      continue;
    // Follows the chain of Transpose/Copy sources from `root`, then
    // initialises it from its far end back.
    std::vector<size_t> chain{root};
    state[root] = 1;
    while (true) {
      const BufferInfo &buffer = info.buffers[chain.back()];
      if (!readsParameter(buffer))
        break;
      int source = info.findBuffer(buffer.init.source);
      if (source < 0 || !initialised(info.buffers[source]) ||
          state[source] == 2)
        break; // a missing source is reported by the initialiser
      if (state[source] == 1) {
        std::string cycle;
        auto start =
            std::find(chain.begin(), chain.end(), static_cast<size_t>(source));
        for (auto it = start; it != chain.end(); ++it)
          cycle += info.buffers[*it].name + " -> ";
        return Status::error(where, "parameter initialisers form a cycle: " +
                                        cycle + info.buffers[source].name);
      }
      state[source] = 1;
      chain.push_back(static_cast<size_t>(source));
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      Status status = initializer.run(*it);
      if (!status.isOk())
        return status;
      state[*it] = 2;
    }
  }
  return Status::ok();
}
