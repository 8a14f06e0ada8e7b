//===- Random.cpp - Platform-independent random numbers -------------------===//

#include "prism/runtime/Random.h"

#include <cmath>

#include <utility>

using namespace prism;

uint64_t prism::splitmix64Mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t prism::splitmix64(uint64_t &state) {
  state += 0x9E3779B97F4A7C15ull;
  return splitmix64Mix(state);
}

uint64_t prism::derivedSeed(uint64_t seed, uint64_t stream) {
  return splitmix64Mix(seed ^ splitmix64Mix(stream + 0x9E3779B97F4A7C15ull));
}

Xoshiro256::Xoshiro256(uint64_t seed) {
  for (uint64_t &word : s)
    word = splitmix64(seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t Xoshiro256::next() {
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

uint64_t Xoshiro256::below(uint64_t bound) {
  // Values under `threshold` would make the low residues more likely.
  uint64_t threshold = (0 - bound) % bound;
  for (;;) {
    uint64_t r = next();
    if (r >= threshold)
      return r % bound;
  }
}

void prism::shuffle(std::vector<uint64_t> &items, Xoshiro256 &rng) {
  for (uint64_t i = items.size(); i > 1; --i)
    std::swap(items[i - 1], items[rng.below(i)]);
}

double prism::uniform01(Xoshiro256 &rng) {
  return static_cast<double>(rng.next() >> 11) * 0x1.0p-53;
}

double prism::standardNormal(Xoshiro256 &rng) {
  double u1 = 1.0 - uniform01(rng); // (0, 1]: log(u1) is finite
  double u2 = uniform01(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}
