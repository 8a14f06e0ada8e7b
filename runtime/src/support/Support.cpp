//===- Support.cpp - Small helpers the runtime shares ---------------------===//

#include "prism/runtime/Support.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>

uint64_t prism::fnv1a64(const uint8_t *bytes, size_t size) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < size; ++i) {
    hash ^= bytes[i];
    hash *= 0x100000001b3ull;
  }
  return hash;
}

uint64_t prism::fnv1a64(const std::string &text) {
  return fnv1a64(reinterpret_cast<const uint8_t *>(text.data()), text.size());
}

std::string prism::shortestDecimal(double value) {
  char text[32];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(text, sizeof(text), "%.*g", digits, value);
    if (std::strtod(text, nullptr) == value)
      break;
  }
  return text;
}

std::string prism::utcNow() {
  std::time_t now = std::time(nullptr);
  std::tm parts;
  ::gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}
