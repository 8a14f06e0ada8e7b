//===- BatchThreshold.cpp - BatchTopK's inference threshold ---------------===//

#include "prism/runtime/BatchThreshold.h"
#include "prism/runtime/Checkpoint.h"

#include <algorithm>
#include <cmath>

using namespace prism;

static const char kMinKeptSuffix[] = ".min_kept";

std::vector<ThresholdSlot> prism::findThresholds(const ProgramInfo &info) {
  std::vector<ThresholdSlot> slots;
  const EntryPointInfo *step = info.findEntryPoint("train_step");
  if (!step)
    return slots;
  const std::string suffix = kMinKeptSuffix;
  for (uint32_t index : step->writes) {
    const BufferInfo &buffer = info.buffers[index];
    if (buffer.kind != BufferKind::Output || buffer.numElements(1) != 1 ||
        buffer.name.size() <= suffix.size() ||
        buffer.name.compare(buffer.name.size() - suffix.size(), suffix.size(),
                            suffix) != 0)
      continue;
    ThresholdSlot slot;
    slot.name = buffer.name.substr(0, buffer.name.size() - suffix.size());
    slot.minKeptIndex = static_cast<int>(index);
    int state = info.findBuffer(slot.name);
    if (state >= 0 && info.buffers[state].kind == BufferKind::ModelState &&
        info.buffers[state].numElements(1) == 1)
      slot.stateIndex = state;
    slots.push_back(slot);
  }
  std::sort(slots.begin(), slots.end(),
            [](const ThresholdSlot &a, const ThresholdSlot &b) {
              return a.minKeptIndex < b.minKeptIndex;
            });
  return slots;
}

bool ThresholdEstimate::observe(uint64_t step, double minKept) {
  if (step <= kThresholdWarmupSteps || !std::isfinite(minKept) || minKept <= 0)
    return false;
  theta = samples == 0
              ? minKept
              : kThresholdBeta * theta + (1 - kThresholdBeta) * minKept;
  ++samples;
  return true;
}

void ThresholdEstimate::save(std::map<std::string, std::string> &meta) const {
  meta[valueKey()] = formatMetaDouble(theta);
  meta[countKey()] = std::to_string(samples);
}

Status ThresholdEstimate::load(const std::map<std::string, std::string> &meta,
                               const std::string &where) {
  double value = 0;
  uint64_t count = 0;
  if (!readMeta(meta, valueKey(), value) || !readMeta(meta, countKey(), count))
    return Status::error(where, "the metadata lacks the BatchTopK threshold '" +
                                    thresholdName + "' (expected " +
                                    valueKey() + " and " + countKey() +
                                    ", which `prism train` writes for this "
                                    "program)");
  if (count > 0 && (!std::isfinite(value) || value <= 0))
    return Status::error(where, "the BatchTopK threshold " + valueKey() +
                                    " is " + meta.at(valueKey()) +
                                    "; expected a finite positive number");
  theta = value;
  samples = count;
  return Status::ok();
}
