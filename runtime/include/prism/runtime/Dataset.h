//===- Dataset.h - Embedding datasets (.pemb) -------------------*- C++ -*-===//
//
// An embedding dataset is a FlatBuffers header (dimension, rows, modality and
// pair id of each row, captions, provenance) followed by the row-major float32
// matrix, 64-byte aligned so it can be used in place once memory-mapped. The
// layout is documented in runtime/schemas/dataset.fbs and docs/formats.md.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_DATASET_H
#define PRISM_RUNTIME_DATASET_H

#include "prism/runtime/MappedFile.h"
#include "prism/runtime/Status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace prism {

enum class Modality : uint8_t { Unspecified = 0, Image = 1, Text = 2 };

const char *modalityName(Modality modality);

/// Where a dataset's rows came from.
struct DatasetSource {
  std::string path, kind, format, layout;
  Modality modality = Modality::Unspecified;
  uint64_t firstRow = 0, rows = 0, bytes = 0, fnv1a64 = 0;
};

struct DatasetProvenance {
  std::string tool, command, createdUtc, note;
  std::vector<DatasetSource> sources;
};

/// Everything a dataset file holds, in memory; what the writer takes.
struct DatasetContents {
  uint32_t dim = 0;
  uint64_t rows = 0;
  std::vector<float> values; // rows * dim, row-major
  std::vector<Modality> modality;
  std::vector<int64_t> pairId;
  uint64_t numPairs = 0;
  std::vector<std::string> captions;
  std::vector<std::string> labels;
  bool nonfiniteAllowed = false;
  DatasetProvenance provenance;
};

/// Writes `contents` to `path` atomically: on failure no file is left behind
/// and an existing file at `path` is untouched.
Status writeDataset(const std::string &path, const DatasetContents &contents);

/// A memory-mapped dataset. The matrix is read in place.
class Dataset {
public:
  static StatusOr<Dataset> open(const std::string &path);

  uint32_t dim() const { return numDims; }
  uint64_t rows() const { return numRows; }
  uint64_t numPairs() const { return pairCount; }
  const float *row(uint64_t index) const { return matrix + index * numDims; }
  const float *data() const { return matrix; }
  Modality modality(uint64_t index) const;
  /// -1 when the row has no partner.
  int64_t pairId(uint64_t index) const;
  bool hasCaptions() const;
  std::string caption(uint64_t pair) const;
  bool hasLabels() const;
  std::string label(uint64_t row) const;
  bool nonfiniteAllowed() const;
  DatasetProvenance provenance() const;
  const std::string &path() const { return file.path(); }

private:
  const void *header() const;

  MappedFile file;
  const float *matrix = nullptr;
  uint32_t numDims = 0;
  uint64_t numRows = 0;
  uint64_t pairCount = 0;
};

} // namespace prism

#endif // PRISM_RUNTIME_DATASET_H
