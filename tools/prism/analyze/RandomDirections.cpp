//===- RandomDirections.cpp - What a random direction scores --------------===//

#include "RandomDirections.h"

#include "prism/runtime/Random.h"

#include <cmath>

using namespace prism;
using namespace prism::analyze;

/// A standard normal draw by Box-Muller from two uniform (0, 1] draws.
static double normal(Xoshiro256 &rng) {
  double u = (static_cast<double>(rng.next() >> 11) + 1) * 0x1.0p-53;
  double v = static_cast<double>(rng.next() >> 11) * 0x1.0p-53;
  return std::sqrt(-2 * std::log(u)) * std::cos(2 * M_PI * v);
}

StatusOr<RandomDirectionReference> prism::analyze::randomDirectionReference(
    const float *x, uint64_t rows, uint32_t dim, const uint8_t *isImage,
    const ModalitySubspace &subspace, unsigned count, uint64_t seed) {
  // Gaussian vectors normalised are uniform on the sphere.
  Xoshiro256 rng(derivedSeed(seed, 0x7261'6e64)); // "rand"
  std::vector<float> directions(uint64_t(count) * dim);
  for (unsigned r = 0; r < count; ++r) {
    double norm = 0;
    std::vector<double> v(dim);
    for (double &value : v) {
      value = normal(rng);
      norm += value * value;
    }
    for (uint32_t c = 0; c < dim; ++c)
      directions[uint64_t(r) * dim + c] =
          static_cast<float>(v[c] / std::sqrt(norm));
  }
  StatusOr<std::vector<double>> norms =
      subspaceNorms(subspace, directions.data(), count);
  if (!norms.isOk())
    return norms.getStatus();
  StatusOr<std::vector<double>> accuracy =
      directionAccuracies(x, rows, dim, isImage, directions.data(), count);
  if (!accuracy.isOk())
    return accuracy.getStatus();
  RandomDirectionReference out;
  out.directions = count;
  for (unsigned r = 0; r < count; ++r) {
    out.meanNormInSubspace += (*norms)[r] / count;
    out.meanClassifierAccuracy += (*accuracy)[r] / count;
  }
  return out;
}
