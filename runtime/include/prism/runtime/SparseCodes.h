//===- SparseCodes.h - The codes of many rows, kept sparse ------*- C++ -*-===//
//
// Concept analysis (SCIENCE.md §3) needs every row's code more than once:
// per-concept means by modality, the co-activation over aligned pairs, the
// top-activating rows of a concept. An SAE code has k << n non-zeros, so the
// codes are kept in compressed sparse rows: 8 bytes per non-zero, never an
// N x n dense matrix.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_SPARSECODES_H
#define PRISM_RUNTIME_SPARSECODES_H

#include <cstdint>
#include <vector>

namespace prism {

class SparseCodes {
public:
  explicit SparseCodes(uint64_t latents = 0) : numLatents(latents) {}

  /// The non-zero entries of one row, by ascending latent index.
  struct Row {
    const uint32_t *index = nullptr;
    const float *value = nullptr;
    uint32_t size = 0;
  };

  /// Appends `rows` dense codes (row-major, [rows, latents]), keeping the
  /// entries that are not zero.
  void appendDense(const float *z, uint64_t rows);
  /// Appends one row from its entries; `index` ascending, below latents().
  void appendRow(const uint32_t *index, const float *value, uint32_t size);

  uint64_t rows() const { return offsets.size() - 1; }
  uint64_t latents() const { return numLatents; }
  uint64_t nonzeros() const { return indices.size(); }
  Row row(uint64_t r) const {
    return {indices.data() + offsets[r], values.data() + offsets[r],
            static_cast<uint32_t>(offsets[r + 1] - offsets[r])};
  }

private:
  uint64_t numLatents;
  std::vector<uint64_t> offsets{0};
  std::vector<uint32_t> indices;
  std::vector<float> values;
};

} // namespace prism

#endif // PRISM_RUNTIME_SPARSECODES_H
