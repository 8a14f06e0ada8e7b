//===- SparseCodes.cpp - The codes of many rows, kept sparse --------------===//

#include "prism/runtime/SparseCodes.h"

using namespace prism;

void SparseCodes::appendDense(const float *z, uint64_t rows) {
  for (uint64_t r = 0; r < rows; ++r) {
    const float *code = z + r * numLatents;
    for (uint64_t i = 0; i < numLatents; ++i) {
      if (code[i] == 0.0f)
        continue;
      indices.push_back(static_cast<uint32_t>(i));
      values.push_back(code[i]);
    }
    offsets.push_back(indices.size());
  }
}

void SparseCodes::appendRow(const uint32_t *index, const float *value,
                            uint32_t size) {
  indices.insert(indices.end(), index, index + size);
  values.insert(values.end(), value, value + size);
  offsets.push_back(indices.size());
}
