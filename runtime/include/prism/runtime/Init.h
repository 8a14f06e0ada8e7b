//===- Init.h - Parameter initialisers --------------------------*- C++ -*-===//
//
// Fills a program's parameters before the first step, from Buffer.init:
//
//   Constant   every entry = value
//   Kaiming    uniform in [-a, a), a = sqrt(6 / fan_in), fan_in = shape[0]
//   Xavier     uniform in [-a, a), a = sqrt(6 / (fan_in + fan_out)),
//              fan_in = shape[0], fan_out = the product of the other dims
//              (1 for a vector)
//   Normal     mean 0, standard deviation `std`
//   Mean       the per-dimension mean of the training rows
//   Median     their geometric median (Weiszfeld, below)
//   Transpose  the transpose of a 2-D parameter
//   Copy       a copy of a parameter of the same shape
//
// then the constraint: UnitRows scales every row of a 2-D parameter (a vector
// is one row) to unit L2 norm, UnitCols every column; all-zero rows stay zero.
// Parameters are initialised in dependency order, each completely (constraint
// included) before a Transpose or Copy reads it; a cycle is an error. A
// ModelState buffer with an initialiser is filled the same way; everything
// else stays zero.
//
// Randomness: parameter P draws from Xoshiro256(derivedSeed(derivedSeed(
// run seed, init.seed), fnv1a64(P's name))) (DataLoader.h), so a parameter's
// values depend on the run seed, its own seed and its name only, not on the
// order of the buffers. A uniform double is (next() >> 11) * 2^-53 in [0, 1);
// a normal one is Box-Muller's sqrt(-2 ln u1) cos(2 pi u2) with u1 = 1 - a
// uniform (so u1 > 0). Values are computed in double and rounded to float, so
// every platform with a correctly rounded sqrt gives identical Kaiming and
// Xavier weights (Normal also needs log and cos to agree).
//
// Geometric median: Weiszfeld iterations m <- sum(w_i p_i) / sum(w_i), w_i =
// 1 / max(|p_i - m|, 1e-10), from the mean, in double, until the step is at
// most 1e-10 * max(1, |m|) or after 500 iterations. It runs on at most
// kMedianSampleRows training rows: all of them when there are no more, else a
// fixed sample drawn with the parameter's stream: for i = 0 .. k-1 swap a[i]
// with a[i + below(n - i)] in the ascending list a of the n training rows,
// keep a[0 .. k-1] and sort it.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_INIT_H
#define PRISM_RUNTIME_INIT_H

#include "prism/runtime/Dataset.h"
#include "prism/runtime/Program.h"
#include "prism/runtime/Status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace prism {

constexpr uint64_t kMedianSampleRows = 16384;

/// What the initialisers read.
struct InitContext {
  uint64_t runSeed = 0;
  /// The data Mean and Median summarise: the training rows of `dataset`.
  /// Both may be null when no parameter needs them.
  const Dataset *dataset = nullptr;
  const std::vector<uint64_t> *rows = nullptr;
};

/// Initialises every Parameter buffer of `info` (and ModelState buffers with
/// an initialiser); storage[i] holds info.buffers[i]. `where` names the
/// program in errors.
Status initializeParameters(const ProgramInfo &info,
                            const std::vector<float *> &storage,
                            const InitContext &context,
                            const std::string &where);

/// The seed of the random stream of parameter `name` (see the file comment).
uint64_t parameterSeed(uint64_t runSeed, uint64_t initSeed,
                       const std::string &name);

/// The geometric median of `points` (each `dim` floats) by the Weiszfeld
/// iterations of the file comment.
std::vector<double> geometricMedian(const std::vector<const float *> &points,
                                    size_t dim);

} // namespace prism

#endif // PRISM_RUNTIME_INIT_H
