//===- Npy.h - Reader for NumPy .npy arrays ---------------------*- C++ -*-===//
//
// Reads .npy files (format versions 1.0, 2.0 and 3.0) holding float16, float32
// or float64 data in either byte order and either C or Fortran order, and
// returns the array as float32 in C (row-major) order.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_NPY_H
#define PRISM_RUNTIME_NPY_H

#include "prism/runtime/Status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace prism {

struct NpyHeader {
  int majorVersion = 0;
  int minorVersion = 0;
  std::string descr; // e.g. "<f4"
  bool fortranOrder = false;
  std::vector<int64_t> shape;
  size_t dataOffset = 0; // bytes from the start of the file

  int64_t elementCount() const;
  /// "(2, 500, 512)", as NumPy prints shapes.
  std::string shapeString() const;
};

struct NpyArray {
  NpyHeader header;
  std::vector<float> values; // C order, converted to float32
  /// A short description of the stored form, e.g. "npy 1.0, <f2, C order".
  std::string describe() const;
};

/// Parses and validates the header of the .npy file at `path` held in
/// `bytes`; checks that the data the header describes fits in the file.
StatusOr<NpyHeader> parseNpyHeader(const std::string &path,
                                   const uint8_t *bytes, size_t size);

/// Reads a whole .npy file into float32, C order.
StatusOr<NpyArray> readNpy(const std::string &path);

/// Writes, atomically, a version 1.0 .npy file holding a rows x cols C-order
/// array of 4-byte elements (`kind` 'f' for float32, 'i' for int32) in the
/// host's byte order.
Status writeNpy(const std::string &path, char kind, uint64_t rows,
                uint64_t cols, const void *data);

} // namespace prism

#endif // PRISM_RUNTIME_NPY_H
