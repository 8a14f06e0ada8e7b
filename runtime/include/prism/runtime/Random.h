//===- Random.h - Platform-independent random numbers -----------*- C++ -*-===//
//
// Every random draw of the runtime (initial weights, shuffles, held-out
// splits, synthetic data) comes from these fixed generators, never from std::
// distributions, so a seed gives the same numbers on every platform and
// standard library:
//
//  - derivedSeed(seed, stream) = mix(seed ^ mix(stream + 0x9E3779B97F4A7C15)),
//    mix being the splitmix64 output function;
//  - Xoshiro256(s) fills its state with four splitmix64 outputs from s;
//  - below(n) draws r until r >= (2^64 - n) mod n and returns r mod n;
//  - shuffle is Fisher-Yates from the back: for i = n-1 .. 1, swap a[i] with
//    a[below(i + 1)].
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_RANDOM_H
#define PRISM_RUNTIME_RANDOM_H

#include <array>
#include <cstdint>
#include <vector>

namespace prism {

/// The splitmix64 output function (a bijective 64-bit mix).
uint64_t splitmix64Mix(uint64_t value);
/// One splitmix64 step: advances `state` and returns the next output.
uint64_t splitmix64(uint64_t &state);
/// A seed for an independent stream (an epoch, the split) of `seed`.
uint64_t derivedSeed(uint64_t seed, uint64_t stream);

/// xoshiro256** 1.0 (Blackman and Vigna).
class Xoshiro256 {
public:
  explicit Xoshiro256(uint64_t seed);

  uint64_t next();
  /// Uniform in [0, bound), bound > 0, without modulo bias.
  uint64_t below(uint64_t bound);

  std::array<uint64_t, 4> state() const { return s; }
  void setState(const std::array<uint64_t, 4> &state) { s = state; }

private:
  std::array<uint64_t, 4> s;
};

/// Uniform in [0, 1): (next() >> 11) * 2^-53.
double uniform01(Xoshiro256 &rng);
/// Standard normal by Box-Muller: sqrt(-2 ln u1) cos(2 pi u2), u1 = 1 - a
/// uniform (so u1 > 0), u2 the next uniform.
double standardNormal(Xoshiro256 &rng);

/// Fisher-Yates shuffle of `items` (see the file comment).
void shuffle(std::vector<uint64_t> &items, Xoshiro256 &rng);

} // namespace prism

#endif // PRISM_RUNTIME_RANDOM_H
