//===- SafeTensors.h - Reading and writing .safetensors files ---*- C++ -*-===//
//
// safetensors is the weight format of the peer libraries (SAELens, sparsify):
// an 8-byte little-endian header length N, N bytes of JSON mapping each tensor
// name to {dtype, shape, data_offsets} (plus an optional `__metadata__` map of
// strings), then the tensor bytes, little-endian, row-major. The reader maps
// the file and checks every claim of the header against the file before any
// tensor is used; the writer publishes the file atomically.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_SAFETENSORS_H
#define PRISM_RUNTIME_SAFETENSORS_H

#include "prism/runtime/MappedFile.h"
#include "prism/runtime/Status.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace prism {

/// The element types of the safetensors specification.
enum class TensorDType : uint8_t {
  Bool,
  U8,
  I8,
  F8E5M2,
  F8E4M3,
  I16,
  U16,
  F16,
  BF16,
  I32,
  U32,
  F32,
  F64,
  I64,
  U64,
};

/// The name the header uses, e.g. "F32", "BF16", "F8_E4M3".
const char *dtypeName(TensorDType dtype);
/// Bytes per element.
size_t dtypeSize(TensorDType dtype);
std::optional<TensorDType> parseDType(const std::string &name);

/// `[2, 3]`, the way shapes appear in messages.
std::string shapeString(const std::vector<uint64_t> &shape);

/// One tensor of an open file. Its bytes live in the file's mapping.
struct SafeTensorInfo {
  std::string name;
  TensorDType dtype = TensorDType::F32;
  std::vector<uint64_t> shape;
  /// Offsets relative to the start of the data section, as in the header.
  uint64_t begin = 0, end = 0;

  uint64_t numElements() const;
};

/// A validated, memory-mapped safetensors file.
class SafeTensorsFile {
public:
  static StatusOr<SafeTensorsFile> open(const std::string &path);

  const std::string &path() const { return file.path(); }
  const std::map<std::string, std::string> &metadata() const { return meta; }
  /// All tensors, in the order of their data in the file.
  const std::vector<SafeTensorInfo> &tensors() const { return infos; }
  /// Null when there is no tensor called `name`.
  const SafeTensorInfo *find(const std::string &name) const;
  /// The raw little-endian bytes of `tensor`.
  const uint8_t *bytes(const SafeTensorInfo &tensor) const {
    return file.data() + dataStart + tensor.begin;
  }

  /// The values of a floating-point tensor as float32: F32 is copied, F64,
  /// F16 and BF16 are converted (F64 rounds to nearest). Other dtypes, and a
  /// missing tensor, are errors naming the file and the tensor.
  StatusOr<std::vector<float>> readFloat32(const std::string &name) const;

private:
  MappedFile file;
  uint64_t dataStart = 0;
  std::map<std::string, std::string> meta;
  std::vector<SafeTensorInfo> infos;
};

/// Builds a safetensors file from borrowed buffers; they must stay alive
/// until write() returns.
class SafeTensorsWriter {
public:
  void setMetadata(const std::string &key, const std::string &value) {
    meta[key] = value;
  }
  /// `data` holds product(shape) elements of `dtype`, little-endian.
  void add(std::string name, TensorDType dtype, std::vector<uint64_t> shape,
           const void *data);
  void addFloat32(std::string name, std::vector<uint64_t> shape,
                  const float *data) {
    add(std::move(name), TensorDType::F32, std::move(shape), data);
  }

  /// Writes `path` atomically (temporary file, fsync, rename, directory
  /// fsync). Tensors are laid out by decreasing element size, then by name,
  /// so every tensor is aligned to its element size and the bytes depend
  /// only on the contents. The header is padded with spaces to a multiple of
  /// 8 bytes. Duplicate names are an error.
  Status write(const std::string &path) const;

private:
  struct Entry {
    std::string name;
    TensorDType dtype;
    std::vector<uint64_t> shape;
    const void *data;
  };
  std::map<std::string, std::string> meta;
  std::vector<Entry> entries;
};

} // namespace prism

#endif // PRISM_RUNTIME_SAFETENSORS_H
