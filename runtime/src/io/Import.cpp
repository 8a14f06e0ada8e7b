//===- Import.cpp - Building datasets from .npy files and metadata --------===//

#include "prism/runtime/Import.h"
#include "prism/runtime/MappedFile.h"
#include "prism/runtime/Npy.h"
#include "prism/runtime/Support.h"
#include "prism/runtime/TextTable.h"

#include <cmath>
#include <ctime>

using namespace prism;

std::optional<NpyLayout> prism::parseNpyLayout(const std::string &name) {
  if (name == "rows")
    return NpyLayout::Rows;
  if (name == "columns")
    return NpyLayout::Columns;
  if (name == "stacked-pairs")
    return NpyLayout::StackedPairs;
  return std::nullopt;
}

std::optional<Modality> prism::parseModality(const std::string &name) {
  if (name == "image")
    return Modality::Image;
  if (name == "text")
    return Modality::Text;
  return std::nullopt;
}

static const char *layoutName(NpyLayout layout) {
  switch (layout) {
  case NpyLayout::Rows:
    return "rows";
  case NpyLayout::Columns:
    return "columns";
  case NpyLayout::StackedPairs:
    return "stacked-pairs";
  case NpyLayout::Auto:
    break;
  }
  return "auto";
}

namespace {

/// One input file after reading and checking: `rows` x `dim`, row-major.
struct LoadedSource {
  DatasetSource record;
  NpyLayout layout = NpyLayout::Rows;
  uint32_t dim = 0;
  uint64_t rows = 0;
  std::vector<float> values;
};

std::string indexString(const std::vector<int64_t> &index) {
  std::string out = "[";
  for (size_t i = 0; i < index.size(); ++i)
    out += (i ? ", " : "") + std::to_string(index[i]);
  return out + "]";
}

/// Resolves the layout from the array's shape and the user's request.
Status resolveLayout(const NpyImportSource &request, const NpyHeader &header,
                     NpyLayout &layout) {
  const std::string &path = request.path;
  const std::vector<int64_t> &shape = header.shape;
  std::string shapeText = header.shapeString();
  bool looksStacked = shape.size() == 3 && shape[0] == 2;
  if (shape.size() != 2 && !looksStacked)
    return Status::error(path, "shape " + shapeText +
                                   " is not supported: expected a 2-D array "
                                   "(rows, d) or stacked pairs (2, N, d)");
  layout = request.layout;
  if (layout == NpyLayout::Auto)
    layout = looksStacked ? NpyLayout::StackedPairs : NpyLayout::Rows;
  if (layout == NpyLayout::StackedPairs && !looksStacked)
    return Status::error(path, "--layout stacked-pairs needs a (2, N, d) "
                               "array, but the shape is " +
                                   shapeText);
  if (layout != NpyLayout::StackedPairs && looksStacked)
    return Status::error(path, std::string("--layout ") + layoutName(layout) +
                                   " needs a 2-D array, but the shape is " +
                                   shapeText +
                                   "; for image rows then text rows use "
                                   "--layout stacked-pairs");
  if (layout == NpyLayout::StackedPairs &&
      request.modality != Modality::Unspecified)
    return Status::error(path, "--modality does not apply to stacked pairs, "
                               "whose first half is image rows and second "
                               "half text rows");
  return Status::ok();
}

/// Reports the first NaN or Inf in the stored array, by its NumPy index.
Status checkFinite(const std::string &path, const NpyArray &array,
                   const LoadedSource &source) {
  const std::vector<float> &values = array.values;
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isfinite(values[i]))
      continue;
    // `values` is in C order of the stored shape: unflatten i.
    std::vector<int64_t> index(array.header.shape.size());
    size_t rest = i;
    for (size_t axis = index.size(); axis-- > 0;) {
      index[axis] = static_cast<int64_t>(rest % array.header.shape[axis]);
      rest /= array.header.shape[axis];
    }
    std::string where;
    if (source.layout == NpyLayout::StackedPairs)
      where = std::string(index[0] == 0 ? "image" : "text") + " row " +
              std::to_string(index[1]);
    else if (source.layout == NpyLayout::Columns)
      where = "row " + std::to_string(index[1]) + ", stored as column " +
              std::to_string(index[1]);
    else
      where = "row " + std::to_string(index[0]);
    return Status::error(path, std::string("non-finite value (") +
                                   (std::isnan(values[i]) ? "NaN" : "Inf") +
                                   ") at index " + indexString(index) + ", " +
                                   where +
                                   "; pass --allow-nonfinite to import it "
                                   "anyway");
  }
  return Status::ok();
}

StatusOr<LoadedSource> loadSource(const NpyImportSource &request,
                                  bool allowNonfinite) {
  const std::string &path = request.path;
  StatusOr<MappedFile> file = MappedFile::open(path);
  if (!file.isOk())
    return file.getStatus();
  StatusOr<NpyHeader> header = parseNpyHeader(path, file->data(), file->size());
  if (!header.isOk())
    return header.getStatus();

  LoadedSource source;
  if (Status s = resolveLayout(request, *header, source.layout); !s.isOk())
    return s;
  const std::vector<int64_t> &shape = header->shape;
  switch (source.layout) {
  case NpyLayout::Columns:
    source.dim = static_cast<uint32_t>(shape[0]);
    source.rows = static_cast<uint64_t>(shape[1]);
    break;
  case NpyLayout::StackedPairs:
    source.dim = static_cast<uint32_t>(shape[2]);
    source.rows = 2 * static_cast<uint64_t>(shape[1]);
    break;
  default:
    source.dim = static_cast<uint32_t>(shape[1]);
    source.rows = static_cast<uint64_t>(shape[0]);
    break;
  }
  if (source.rows == 0)
    return Status::error(path, "the array has zero rows (shape " +
                                   header->shapeString() + ")");
  if (source.dim == 0 || shape[shape.size() - 1] > UINT32_MAX)
    return Status::error(
        path, "embedding dimension " + std::to_string(shape.back()) +
                  " is not supported (shape " + header->shapeString() + ")");

  StatusOr<NpyArray> array = readNpy(path);
  if (!array.isOk())
    return array.getStatus();
  if (!allowNonfinite)
    if (Status s = checkFinite(path, *array, source); !s.isOk())
      return s;

  if (source.layout == NpyLayout::Columns) {
    source.values.resize(array->values.size());
    for (uint64_t r = 0; r < source.rows; ++r)
      for (uint32_t c = 0; c < source.dim; ++c)
        source.values[r * source.dim + c] = array->values[c * source.rows + r];
  } else {
    // C-order (2, N, d) is already image rows followed by text rows.
    source.values = std::move(array->values);
  }

  DatasetSource &record = source.record;
  record.path = path;
  record.kind = "npy";
  record.format = array->describe() + ", shape " + header->shapeString();
  record.layout = layoutName(source.layout);
  record.modality = request.modality;
  record.rows = source.rows;
  record.bytes = file->size();
  record.fnv1a64 = fnv1a64(file->data(), file->size());
  return source;
}

/// Pairs the i-th image row with the i-th text row across the 2-D sources.
Status pairSeparateFiles(const std::vector<LoadedSource> &sources,
                         DatasetContents &dataset) {
  std::vector<uint64_t> imageRows, textRows;
  const LoadedSource *firstImage = nullptr, *firstText = nullptr;
  for (const LoadedSource &source : sources) {
    if (source.layout == NpyLayout::StackedPairs)
      continue;
    Modality modality = source.record.modality;
    std::vector<uint64_t> &rows =
        modality == Modality::Image ? imageRows : textRows;
    if (modality == Modality::Unspecified)
      continue;
    const LoadedSource *&first =
        modality == Modality::Image ? firstImage : firstText;
    if (!first)
      first = &source;
    for (uint64_t r = 0; r < source.rows; ++r)
      rows.push_back(source.record.firstRow + r);
  }
  if (imageRows.empty() || textRows.empty())
    return Status::ok();
  if (imageRows.size() != textRows.size())
    return Status::error(
        firstText->record.path,
        "image and text row counts differ: " +
            std::to_string(imageRows.size()) + " image rows (from " +
            firstImage->record.path + ") and " +
            std::to_string(textRows.size()) +
            " text rows; aligned pairs need equal counts (pass --unpaired to "
            "import them without pairing)");
  for (size_t i = 0; i < imageRows.size(); ++i) {
    int64_t pair = static_cast<int64_t>(dataset.numPairs + i);
    dataset.pairId[imageRows[i]] = pair;
    dataset.pairId[textRows[i]] = pair;
  }
  dataset.numPairs += imageRows.size();
  return Status::ok();
}

Status attachCaptions(const std::string &path, DatasetContents &dataset) {
  StatusOr<TextTable> table = readTextTable(path);
  if (!table.isOk())
    return table.getStatus();
  if (dataset.numPairs == 0)
    return Status::error(path, "captions are stored per image-text pair, but "
                               "the dataset has no pairs; use --labels for "
                               "per-row text");
  StatusOr<std::vector<std::string>> captions = table->column(path, "caption");
  if (!captions.isOk())
    return captions.getStatus();
  if (captions->size() != dataset.numPairs)
    return Status::error(path, "has " + std::to_string(captions->size()) +
                                   " captions, but the dataset has " +
                                   std::to_string(dataset.numPairs) + " pairs");
  dataset.captions = captions.take();
  return Status::ok();
}

Status attachLabels(const std::string &path, DatasetContents &dataset) {
  StatusOr<TextTable> table = readTextTable(path);
  if (!table.isOk())
    return table.getStatus();
  StatusOr<std::vector<std::string>> labels = table->column(path, "label");
  if (!labels.isOk())
    return labels.getStatus();
  if (labels->size() != dataset.rows)
    return Status::error(path, "has " + std::to_string(labels->size()) +
                                   " labels, but the dataset has " +
                                   std::to_string(dataset.rows) + " rows");
  dataset.labels = labels.take();
  return Status::ok();
}

DatasetSource metadataRecord(const std::string &path, const char *kind,
                             uint64_t rows) {
  DatasetSource record;
  record.path = path;
  record.kind = kind;
  record.rows = rows;
  StatusOr<MappedFile> file = MappedFile::open(path);
  if (file.isOk()) {
    record.bytes = file->size();
    record.fnv1a64 = fnv1a64(file->data(), file->size());
  }
  return record;
}

} // namespace

StatusOr<DatasetContents> prism::buildDataset(const ImportOptions &options) {
  if (options.sources.empty())
    return Status::error("", "no input: pass at least one --npy FILE");

  std::vector<LoadedSource> sources;
  DatasetContents dataset;
  for (const NpyImportSource &request : options.sources) {
    StatusOr<LoadedSource> source = loadSource(request, options.allowNonfinite);
    if (!source.isOk())
      return source.getStatus();
    if (!sources.empty() && source->dim != dataset.dim)
      return Status::error(
          request.path, "embedding dimension " + std::to_string(source->dim) +
                            " differs from " + std::to_string(dataset.dim) +
                            " in " + sources.front().record.path);
    dataset.dim = source->dim;
    source->record.firstRow = dataset.rows;
    dataset.rows += source->rows;
    sources.push_back(source.take());
  }

  dataset.values.reserve(dataset.rows * dataset.dim);
  for (const LoadedSource &source : sources) {
    dataset.values.insert(dataset.values.end(), source.values.begin(),
                          source.values.end());
    if (source.layout == NpyLayout::StackedPairs) {
      uint64_t half = source.rows / 2;
      for (uint64_t r = 0; r < source.rows; ++r) {
        dataset.modality.push_back(r < half ? Modality::Image : Modality::Text);
        dataset.pairId.push_back(
            static_cast<int64_t>(dataset.numPairs + r % half));
      }
      dataset.numPairs += half;
    } else {
      dataset.modality.insert(dataset.modality.end(), source.rows,
                              source.record.modality);
      dataset.pairId.insert(dataset.pairId.end(), source.rows, -1);
    }
  }
  if (!options.unpaired)
    if (Status s = pairSeparateFiles(sources, dataset); !s.isOk())
      return s;

  for (LoadedSource &source : sources)
    dataset.provenance.sources.push_back(std::move(source.record));
  if (!options.captionsPath.empty()) {
    if (Status s = attachCaptions(options.captionsPath, dataset); !s.isOk())
      return s;
    dataset.provenance.sources.push_back(metadataRecord(
        options.captionsPath, "captions-tsv", dataset.captions.size()));
  }
  if (!options.labelsPath.empty()) {
    if (Status s = attachLabels(options.labelsPath, dataset); !s.isOk())
      return s;
    dataset.provenance.sources.push_back(
        metadataRecord(options.labelsPath, "labels-txt", dataset.rows));
  }

  dataset.nonfiniteAllowed = options.allowNonfinite;
  dataset.provenance.tool = options.tool;
  dataset.provenance.command = options.commandLine;
  dataset.provenance.createdUtc = utcNow();
  dataset.provenance.note = options.note;
  return dataset;
}
