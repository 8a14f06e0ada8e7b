//===- Dataset.cpp - Embedding datasets (.pemb) ---------------------------===//

#include "prism/runtime/Dataset.h"
#include "prism/runtime/AtomicFile.h"

#include "dataset_generated.h"

#include <cstring>
#include <limits>

using namespace prism;
namespace fbs = prism::schema;

static const char kMagic[8] = {'P', 'R', 'I', 'S', 'M', 'E', 'M', 'B'};
static const uint32_t kContainerVersion = 1;
static const uint32_t kFormatVersion = 1;
static const size_t kPrefixBytes = 16;
static const size_t kMatrixAlignment = 64;

static uint64_t alignUp(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

static void storeLE32(uint8_t *out, uint32_t value) {
  for (int i = 0; i < 4; ++i)
    out[i] = static_cast<uint8_t>(value >> (8 * i));
}

static uint32_t loadLE32(const uint8_t *in) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i)
    value |= static_cast<uint32_t>(in[i]) << (8 * i);
  return value;
}

const char *prism::modalityName(Modality modality) {
  switch (modality) {
  case Modality::Image:
    return "image";
  case Modality::Text:
    return "text";
  case Modality::Unspecified:
    break;
  }
  return "unspecified";
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

static flatbuffers::Offset<fbs::Provenance>
buildProvenance(flatbuffers::FlatBufferBuilder &fbb,
                const DatasetProvenance &provenance) {
  std::vector<flatbuffers::Offset<fbs::Source>> sources;
  for (const DatasetSource &source : provenance.sources)
    sources.push_back(fbs::CreateSourceDirect(
        fbb, source.path.c_str(), source.kind.c_str(), source.format.c_str(),
        source.layout.c_str(), static_cast<fbs::Modality>(source.modality),
        source.firstRow, source.rows, source.bytes, source.fnv1a64));
  return fbs::CreateProvenanceDirect(
      fbb, provenance.tool.c_str(), provenance.command.c_str(),
      provenance.createdUtc.c_str(), &sources, provenance.note.c_str());
}

Status prism::writeDataset(const std::string &path,
                           const DatasetContents &contents) {
  if (contents.values.size() !=
      static_cast<size_t>(contents.rows) * contents.dim)
    return Status::error(path, "internal: matrix size does not match rows x "
                               "dim");

  flatbuffers::FlatBufferBuilder fbb(1 << 16);
  auto modality = fbb.CreateVector(
      reinterpret_cast<const fbs::Modality *>(contents.modality.data()),
      contents.modality.size());
  auto pairId = fbb.CreateVector(contents.pairId);
  auto captions = fbb.CreateVectorOfStrings(contents.captions);
  auto labels = fbb.CreateVectorOfStrings(contents.labels);
  auto provenance = buildProvenance(fbb, contents.provenance);
  fbs::DatasetBuilder dataset(fbb);
  dataset.add_format_version(kFormatVersion);
  dataset.add_dim(contents.dim);
  dataset.add_rows(contents.rows);
  dataset.add_element_type(fbs::ElementType::F32);
  dataset.add_modality(modality);
  dataset.add_pair_id(pairId);
  dataset.add_num_pairs(contents.numPairs);
  dataset.add_captions(captions);
  dataset.add_labels(labels);
  dataset.add_nonfinite_allowed(contents.nonfiniteAllowed);
  dataset.add_provenance(provenance);
  fbs::FinishDatasetBuffer(fbb, dataset.Finish());

  StatusOr<AtomicFileWriter> writer = AtomicFileWriter::create(path);
  if (!writer.isOk())
    return writer.getStatus();
  uint8_t prefix[kPrefixBytes];
  std::memcpy(prefix, kMagic, sizeof(kMagic));
  storeLE32(prefix + 8, kContainerVersion);
  storeLE32(prefix + 12, fbb.GetSize());
  Status status = writer->write(prefix, sizeof(prefix));
  if (status.isOk())
    status = writer->write(fbb.GetBufferPointer(), fbb.GetSize());
  if (status.isOk())
    status = writer->padTo(kMatrixAlignment);
  if (status.isOk())
    status = writer->write(contents.values.data(),
                           contents.values.size() * sizeof(float));
  if (status.isOk())
    status = writer->commit();
  return status;
}

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

static const fbs::Dataset *root(const void *header) {
  return fbs::GetDataset(header);
}

const void *Dataset::header() const { return file.data() + kPrefixBytes; }

StatusOr<Dataset> Dataset::open(const std::string &path) {
  StatusOr<MappedFile> mapped = MappedFile::open(path);
  if (!mapped.isOk())
    return mapped.getStatus();
  const uint8_t *bytes = mapped->data();
  size_t size = mapped->size();

  if (size < kPrefixBytes || std::memcmp(bytes, kMagic, sizeof(kMagic)) != 0)
    return Status::error(path, "not a Prism dataset: expected the magic "
                               "'PRISMEMB' in the first 8 bytes");
  uint32_t container = loadLE32(bytes + 8);
  if (container != kContainerVersion)
    return Status::error(path, "unsupported dataset container version " +
                                   std::to_string(container) + " (expected " +
                                   std::to_string(kContainerVersion) + ")");
  uint64_t headerBytes = loadLE32(bytes + 12);
  if (kPrefixBytes + headerBytes > size)
    return Status::error(path, "header length " + std::to_string(headerBytes) +
                                   " runs past the end of the file (" +
                                   std::to_string(size) + " bytes)");
  flatbuffers::Verifier verifier(bytes + kPrefixBytes, headerBytes);
  if (!fbs::DatasetBufferHasIdentifier(bytes + kPrefixBytes) ||
      !fbs::VerifyDatasetBuffer(verifier))
    return Status::error(path, "corrupt dataset header (FlatBuffers "
                               "verification failed)");

  const fbs::Dataset *dataset = root(bytes + kPrefixBytes);
  if (dataset->format_version() != kFormatVersion)
    return Status::error(path, "unsupported dataset format version " +
                                   std::to_string(dataset->format_version()) +
                                   " (expected " +
                                   std::to_string(kFormatVersion) + ")");
  if (dataset->element_type() != fbs::ElementType::F32)
    return Status::error(path,
                         std::string("element type ") +
                             fbs::EnumNameElementType(dataset->element_type()) +
                             " is not supported yet (expected F32)");
  uint64_t rows = dataset->rows();
  uint32_t dim = dataset->dim();
  if (rows == 0 || dim == 0)
    return Status::error(path, "dataset has " + std::to_string(rows) +
                                   " rows of dimension " + std::to_string(dim) +
                                   "; both must be positive");
  auto countOf = [](const auto *vector) -> uint64_t {
    return vector ? vector->size() : 0;
  };
  if (countOf(dataset->modality()) != rows ||
      countOf(dataset->pair_id()) != rows)
    return Status::error(
        path, "header holds " + std::to_string(countOf(dataset->modality())) +
                  " modalities and " +
                  std::to_string(countOf(dataset->pair_id())) +
                  " pair ids for " + std::to_string(rows) + " rows");
  uint64_t pairs = dataset->num_pairs();
  for (uint64_t i = 0; i < rows; ++i) {
    int64_t id =
        dataset->pair_id()->Get(static_cast<flatbuffers::uoffset_t>(i));
    if (id < -1 || (id >= 0 && static_cast<uint64_t>(id) >= pairs))
      return Status::error(path, "row " + std::to_string(i) + " has pair id " +
                                     std::to_string(id) + ", expected -1 or " +
                                     "0.." + std::to_string(pairs) + "-1");
  }
  uint64_t captions = countOf(dataset->captions());
  if (captions != 0 && captions != pairs)
    return Status::error(path, "header holds " + std::to_string(captions) +
                                   " captions for " + std::to_string(pairs) +
                                   " pairs");
  uint64_t labels = countOf(dataset->labels());
  if (labels != 0 && labels != rows)
    return Status::error(path, "header holds " + std::to_string(labels) +
                                   " labels for " + std::to_string(rows) +
                                   " rows");

  uint64_t matrixOffset = alignUp(kPrefixBytes + headerBytes, kMatrixAlignment);
  if (rows > std::numeric_limits<uint64_t>::max() / dim / sizeof(float))
    return Status::error(path, "dataset of " + std::to_string(rows) + " x " +
                                   std::to_string(dim) + " is too large");
  uint64_t matrixBytes = rows * dim * sizeof(float);
  if (matrixOffset > size || matrixBytes > size - matrixOffset)
    return Status::error(
        path, "truncated data: " + std::to_string(rows) + " x " +
                  std::to_string(dim) + " float32 need " +
                  std::to_string(matrixBytes) + " bytes from offset " +
                  std::to_string(matrixOffset) + ", the file has " +
                  std::to_string(size));

  Dataset out;
  out.file = mapped.take();
  out.matrix = reinterpret_cast<const float *>(out.file.data() + matrixOffset);
  out.numDims = dim;
  out.numRows = rows;
  out.pairCount = pairs;
  return out;
}

Modality Dataset::modality(uint64_t index) const {
  return static_cast<Modality>(root(header())->modality()->Get(
      static_cast<flatbuffers::uoffset_t>(index)));
}

int64_t Dataset::pairId(uint64_t index) const {
  return root(header())->pair_id()->Get(
      static_cast<flatbuffers::uoffset_t>(index));
}

bool Dataset::hasCaptions() const {
  auto *captions = root(header())->captions();
  return captions && captions->size() > 0;
}

std::string Dataset::caption(uint64_t pair) const {
  return root(header())
      ->captions()
      ->Get(static_cast<flatbuffers::uoffset_t>(pair))
      ->str();
}

bool Dataset::hasLabels() const {
  auto *labels = root(header())->labels();
  return labels && labels->size() > 0;
}

std::string Dataset::label(uint64_t row) const {
  return root(header())
      ->labels()
      ->Get(static_cast<flatbuffers::uoffset_t>(row))
      ->str();
}

bool Dataset::nonfiniteAllowed() const {
  return root(header())->nonfinite_allowed();
}

DatasetProvenance Dataset::provenance() const {
  DatasetProvenance out;
  const fbs::Provenance *provenance = root(header())->provenance();
  if (!provenance)
    return out;
  auto text = [](const flatbuffers::String *s) {
    return s ? s->str() : std::string();
  };
  out.tool = text(provenance->tool());
  out.command = text(provenance->command());
  out.createdUtc = text(provenance->created_utc());
  out.note = text(provenance->note());
  if (provenance->sources())
    for (const fbs::Source *source : *provenance->sources()) {
      DatasetSource s;
      s.path = text(source->path());
      s.kind = text(source->kind());
      s.format = text(source->format());
      s.layout = text(source->layout());
      s.modality = static_cast<Modality>(source->modality());
      s.firstRow = source->first_row();
      s.rows = source->rows();
      s.bytes = source->bytes();
      s.fnv1a64 = source->fnv1a64();
      out.sources.push_back(std::move(s));
    }
  return out;
}
