//===- Support.h - Small helpers the runtime shares -------------*- C++ -*-===//
//
// Content fingerprints, timestamps and number formatting used by several
// writers (datasets, synthetic data, checkpoints, run records, programs).
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_SUPPORT_H
#define PRISM_RUNTIME_SUPPORT_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace prism {

/// 64-bit FNV-1a hash of a byte range: a cheap content fingerprint.
uint64_t fnv1a64(const uint8_t *bytes, size_t size);

/// FNV-1a 64-bit of `text`.
uint64_t fnv1a64(const std::string &text);

/// The shortest decimal that reads back as `value` ("0.999", not
/// "9.990000e-01").
std::string shortestDecimal(double value);

/// The current time as ISO 8601 UTC, e.g. `2026-11-23T13:45:00Z`.
std::string utcNow();

} // namespace prism

#endif // PRISM_RUNTIME_SUPPORT_H
