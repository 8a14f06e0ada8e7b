//===- TestDraws.h - Reproducible random draws for tests --------*- C++ -*-===//
//
// Uniform, normal and integer draws made from the raw mt19937_64 stream,
// which the standard fixes exactly (its distributions are not), so a test's
// random inputs are the same on every platform.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_TEST_TESTDRAWS_H
#define PRISM_TEST_TESTDRAWS_H

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace prism::test {

class Draws {
public:
  explicit Draws(uint64_t seed) : engine(seed) {}
  /// Uniform in (lo, hi): never an end, so log(uniform()) is finite.
  double uniform(double lo = 0, double hi = 1) {
    return lo +
           (hi - lo) * (static_cast<double>(engine() >> 11) + 0.5) * 0x1.0p-53;
  }
  /// Standard normal, by Box-Muller.
  double normal() {
    double radius = std::sqrt(-2 * std::log(uniform()));
    return radius * std::cos(2 * M_PI * uniform());
  }
  std::vector<float> normals(size_t n, double scale = 1) {
    std::vector<float> out(n);
    for (float &v : out)
      v = static_cast<float>(scale * normal());
    return out;
  }
  /// Uniform over the integers lo..hi.
  int integer(int lo, int hi) {
    return lo + static_cast<int>(engine() % static_cast<uint64_t>(hi - lo + 1));
  }

private:
  std::mt19937_64 engine;
};

} // namespace prism::test

#endif // PRISM_TEST_TESTDRAWS_H
