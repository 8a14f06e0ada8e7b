//===- Import.h - Building datasets from .npy files and metadata -*- C++
//-*-===//

#ifndef PRISM_RUNTIME_IMPORT_H
#define PRISM_RUNTIME_IMPORT_H

#include "prism/runtime/Dataset.h"
#include "prism/runtime/Status.h"

#include <optional>
#include <string>
#include <vector>

namespace prism {

/// How a .npy array maps to dataset rows.
enum class NpyLayout {
  Auto,         // 2-D: rows; (2, N, d): stacked pairs
  Rows,         // (N, d): one embedding per row
  Columns,      // (d, N): one embedding per column
  StackedPairs, // (2, N, d): image rows, then the aligned text rows
};

std::optional<NpyLayout> parseNpyLayout(const std::string &name);
std::optional<Modality> parseModality(const std::string &name);

struct NpyImportSource {
  std::string path;
  NpyLayout layout = NpyLayout::Auto;
  Modality modality = Modality::Unspecified;
};

struct ImportOptions {
  std::vector<NpyImportSource> sources;
  std::string captionsPath; // TSV, one caption per pair
  std::string labelsPath;   // text, one label per row
  bool allowNonfinite = false;
  /// Keep image and text rows from separate files unpaired.
  bool unpaired = false;
  std::string note;        // stored in the provenance
  std::string commandLine; // stored in the provenance
  std::string tool;        // e.g. "prism 0.1.0"
};

/// Reads and checks every input and assembles the dataset in memory. Image and
/// text rows from separate files pair up by index unless `unpaired` is set.
StatusOr<DatasetContents> buildDataset(const ImportOptions &options);

} // namespace prism

#endif // PRISM_RUNTIME_IMPORT_H
