//===- DeadLatents.cpp - Which latents stopped firing ---------------------===//

#include "prism/runtime/DeadLatents.h"

#include <algorithm>
#include <cmath>

using namespace prism;

static const uint64_t kLow = uint64_t(1) << 24;
static const uint64_t kMaxWindow = uint64_t(1) << 48;

DeadLatentTracker::DeadLatentTracker(size_t latents, uint64_t window)
    : counts(latents, 0),
      samplesWindow(std::min(std::max<uint64_t>(window, 1), kMaxWindow)) {}

void DeadLatentTracker::update(const float *fired, uint64_t rows) {
  for (size_t i = 0; i < counts.size(); ++i)
    counts[i] = fired[i] != 0.0f
                    ? 0
                    : std::min(counts[i] + std::min(rows, samplesWindow),
                               samplesWindow);
}

void DeadLatentTracker::writeMask(float *mask) const {
  for (size_t i = 0; i < counts.size(); ++i)
    mask[i] = counts[i] >= samplesWindow ? 1.0f : 0.0f;
}

size_t DeadLatentTracker::deadCount() const {
  return static_cast<size_t>(
      std::count_if(counts.begin(), counts.end(),
                    [&](uint64_t count) { return count >= samplesWindow; }));
}

double DeadLatentTracker::deadFraction() const {
  return counts.empty() ? 0.0
                        : static_cast<double>(deadCount()) /
                              static_cast<double>(counts.size());
}

std::vector<float> DeadLatentTracker::encode() const {
  size_t n = counts.size();
  std::vector<float> values(2 * n);
  for (size_t i = 0; i < n; ++i) {
    values[i] = static_cast<float>(counts[i] / kLow);
    values[n + i] = static_cast<float>(counts[i] % kLow);
  }
  return values;
}

Status DeadLatentTracker::decode(const std::vector<float> &values,
                                 const std::string &where) {
  size_t n = counts.size();
  if (values.size() != 2 * n)
    return Status::error(
        where, "dead-latent counters hold " + std::to_string(values.size()) +
                   " values, expected 2 x " + std::to_string(n));
  std::vector<uint64_t> restored(n);
  for (size_t i = 0; i < n; ++i) {
    float high = values[i], low = values[n + i];
    if (!(high >= 0 && low >= 0 && high < kLow && low < kLow) ||
        high != std::floor(high) || low != std::floor(low))
      return Status::error(where, "dead-latent counter " + std::to_string(i) +
                                      " is not a valid count");
    restored[i] =
        static_cast<uint64_t>(high) * kLow + static_cast<uint64_t>(low);
    restored[i] = std::min(restored[i], samplesWindow);
  }
  counts = std::move(restored);
  return Status::ok();
}
