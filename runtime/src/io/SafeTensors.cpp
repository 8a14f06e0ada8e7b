//===- SafeTensors.cpp - Reading and writing .safetensors files -----------===//

#include "prism/runtime/SafeTensors.h"
#include "prism/runtime/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>

using namespace prism;
using json = nlohmann::json;

// Tensor bytes are little-endian and used as they lie in the mapping.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "the runtime assumes a little-endian host");

// The reference implementation's cap: a larger header is certainly not a
// header, and parsing it would only waste memory.
static const uint64_t kMaxHeaderBytes = 100000000;

namespace {
struct DTypeEntry {
  TensorDType dtype;
  const char *name;
  size_t size;
};
} // namespace

static const DTypeEntry kDTypes[] = {
    {TensorDType::Bool, "BOOL", 1},      {TensorDType::U8, "U8", 1},
    {TensorDType::I8, "I8", 1},          {TensorDType::F8E5M2, "F8_E5M2", 1},
    {TensorDType::F8E4M3, "F8_E4M3", 1}, {TensorDType::I16, "I16", 2},
    {TensorDType::U16, "U16", 2},        {TensorDType::F16, "F16", 2},
    {TensorDType::BF16, "BF16", 2},      {TensorDType::I32, "I32", 4},
    {TensorDType::U32, "U32", 4},        {TensorDType::F32, "F32", 4},
    {TensorDType::F64, "F64", 8},        {TensorDType::I64, "I64", 8},
    {TensorDType::U64, "U64", 8},
};

const char *prism::dtypeName(TensorDType dtype) {
  for (const DTypeEntry &entry : kDTypes)
    if (entry.dtype == dtype)
      return entry.name;
  return "?";
}

size_t prism::dtypeSize(TensorDType dtype) {
  for (const DTypeEntry &entry : kDTypes)
    if (entry.dtype == dtype)
      return entry.size;
  return 0;
}

std::optional<TensorDType> prism::parseDType(const std::string &name) {
  for (const DTypeEntry &entry : kDTypes)
    if (name == entry.name)
      return entry.dtype;
  return std::nullopt;
}

std::string prism::shapeString(const std::vector<uint64_t> &shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

static std::string knownDTypes() {
  std::string out;
  for (const DTypeEntry &entry : kDTypes)
    out += (out.empty() ? "" : ", ") + std::string(entry.name);
  return out;
}

/// product(shape) * elementSize, or nullopt on overflow.
static std::optional<uint64_t> byteCount(const std::vector<uint64_t> &shape,
                                         size_t elementSize) {
  uint64_t total = elementSize;
  for (uint64_t dim : shape) {
    if (dim != 0 && total > std::numeric_limits<uint64_t>::max() / dim)
      return std::nullopt;
    total *= dim;
  }
  return total;
}

uint64_t SafeTensorInfo::numElements() const {
  uint64_t count = 1;
  for (uint64_t dim : shape)
    count *= dim;
  return count;
}

static std::string offsetsString(const SafeTensorInfo &info) {
  return "[" + std::to_string(info.begin) + ", " + std::to_string(info.end) +
         "]";
}

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

/// nlohmann's messages start with "[json.exception.parse_error.101] ".
static std::string parseErrorText(const std::string &what) {
  size_t bracket = what.find("] ");
  return bracket == std::string::npos ? what : what.substr(bracket + 2);
}

/// Checks one header entry and fills `info` from it.
static Status parseEntry(const std::string &path, const std::string &name,
                         const json &entry, SafeTensorInfo &info) {
  auto fail = [&](const std::string &message) {
    return Status::error(path, "tensor '" + name + "' " + message);
  };
  if (!entry.is_object())
    return fail(std::string("must be an object with dtype, shape and "
                            "data_offsets, found ") +
                entry.type_name());
  auto dtype = entry.find("dtype");
  if (dtype == entry.end() || !dtype->is_string())
    return fail("has no dtype string");
  std::optional<TensorDType> parsed = parseDType(dtype->get<std::string>());
  if (!parsed)
    return fail("has unknown dtype '" + dtype->get<std::string>() +
                "' (known: " + knownDTypes() + ")");
  info.name = name;
  info.dtype = *parsed;

  auto shape = entry.find("shape");
  if (shape == entry.end() || !shape->is_array())
    return fail("has no shape array");
  for (const json &dim : *shape) {
    if (!dim.is_number_unsigned())
      return fail("has a shape entry that is not a non-negative integer: " +
                  dim.dump());
    info.shape.push_back(dim.get<uint64_t>());
  }

  auto offsets = entry.find("data_offsets");
  if (offsets == entry.end() || !offsets->is_array() || offsets->size() != 2 ||
      !(*offsets)[0].is_number_unsigned() ||
      !(*offsets)[1].is_number_unsigned())
    return fail("must have data_offsets [begin, end] of two non-negative "
                "integers");
  info.begin = (*offsets)[0].get<uint64_t>();
  info.end = (*offsets)[1].get<uint64_t>();
  if (info.begin > info.end)
    return fail("has data_offsets " + offsetsString(info) +
                " that end before they begin");

  std::optional<uint64_t> bytes = byteCount(info.shape, dtypeSize(info.dtype));
  if (!bytes)
    return fail("has a shape " + shapeString(info.shape) +
                " whose size overflows 64 bits");
  if (*bytes != info.end - info.begin)
    return fail("of shape " + shapeString(info.shape) + " and dtype " +
                dtypeName(info.dtype) + " needs " + std::to_string(*bytes) +
                " bytes, but its data_offsets " + offsetsString(info) +
                " span " + std::to_string(info.end - info.begin));
  return Status::ok();
}

StatusOr<SafeTensorsFile> SafeTensorsFile::open(const std::string &path) {
  StatusOr<MappedFile> mapped = MappedFile::open(path);
  if (!mapped.isOk())
    return mapped.getStatus();
  SafeTensorsFile out;
  out.file = mapped.take();
  const uint8_t *bytes = out.file.data();
  uint64_t size = out.file.size();

  if (size < 8)
    return Status::error(path, "file is " + std::to_string(size) +
                                   " bytes, too short for the 8-byte header "
                                   "length of a safetensors file");
  uint64_t headerBytes = 0;
  for (int i = 0; i < 8; ++i)
    headerBytes |= static_cast<uint64_t>(bytes[i]) << (8 * i);
  if (headerBytes > size - 8)
    return Status::error(path, "header length " + std::to_string(headerBytes) +
                                   " runs past the end of the file (" +
                                   std::to_string(size) + " bytes)");
  if (headerBytes > kMaxHeaderBytes)
    return Status::error(path, "header length " + std::to_string(headerBytes) +
                                   " exceeds the limit of " +
                                   std::to_string(kMaxHeaderBytes) + " bytes");
  out.dataStart = 8 + headerBytes;
  uint64_t dataBytes = size - out.dataStart;

  // nlohmann keeps the last of duplicate keys; a callback sees them all.
  std::set<std::string> seen;
  std::string duplicate;
  auto noteKeys = [&](int depth, json::parse_event_t event, json &parsed) {
    if (event == json::parse_event_t::key && depth == 1 &&
        !seen.insert(parsed.get<std::string>()).second && duplicate.empty())
      duplicate = parsed.get<std::string>();
    return true;
  };
  json header;
  try {
    const char *text = reinterpret_cast<const char *>(bytes + 8);
    header = json::parse(text, text + headerBytes, noteKeys);
  } catch (const json::exception &error) {
    return Status::error(path, "header is not valid JSON (" +
                                   parseErrorText(error.what()) + ")");
  }
  if (!header.is_object())
    return Status::error(path,
                         std::string("header must be a JSON object, found ") +
                             header.type_name());
  if (!duplicate.empty())
    return Status::error(path, "header names '" + duplicate + "' twice");

  for (auto item = header.begin(); item != header.end(); ++item) {
    if (item.key() == "__metadata__") {
      if (!item->is_object())
        return Status::error(path, "__metadata__ must be an object of strings");
      for (auto field = item->begin(); field != item->end(); ++field) {
        if (!field->is_string())
          return Status::error(path, "__metadata__ entry '" + field.key() +
                                         "' must be a string, found " +
                                         field->type_name());
        out.meta[field.key()] = field->get<std::string>();
      }
      continue;
    }
    SafeTensorInfo info;
    Status status = parseEntry(path, item.key(), *item, info);
    if (!status.isOk())
      return status;
    if (info.end > dataBytes)
      return Status::error(path, "tensor '" + info.name + "' data_offsets " +
                                     offsetsString(info) +
                                     " run past the end of the data (" +
                                     std::to_string(dataBytes) + " bytes)");
    out.infos.push_back(std::move(info));
  }

  // Tensors must tile the data section exactly, as the reference reader
  // demands: no overlap, no gap, nothing after the last tensor.
  std::sort(out.infos.begin(), out.infos.end(),
            [](const SafeTensorInfo &a, const SafeTensorInfo &b) {
              return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
            });
  uint64_t cursor = 0;
  for (size_t i = 0; i < out.infos.size(); ++i) {
    const SafeTensorInfo &info = out.infos[i];
    if (info.begin < cursor)
      return Status::error(
          path, "tensors '" + out.infos[i - 1].name + "' (data_offsets " +
                    offsetsString(out.infos[i - 1]) + ") and '" + info.name +
                    "' (data_offsets " + offsetsString(info) + ") overlap");
    if (info.begin > cursor)
      return Status::error(path, "bytes [" + std::to_string(cursor) + ", " +
                                     std::to_string(info.begin) +
                                     ") of the data before tensor '" +
                                     info.name + "' belong to no tensor");
    cursor = info.end;
  }
  if (cursor != dataBytes)
    return Status::error(path, "bytes [" + std::to_string(cursor) + ", " +
                                   std::to_string(dataBytes) +
                                   ") at the end of the data belong to no "
                                   "tensor");
  return out;
}

const SafeTensorInfo *SafeTensorsFile::find(const std::string &name) const {
  for (const SafeTensorInfo &info : infos)
    if (info.name == name)
      return &info;
  return nullptr;
}

static float halfToFloat(uint16_t half) {
  uint32_t sign = static_cast<uint32_t>(half & 0x8000) << 16;
  uint32_t exponent = (half >> 10) & 0x1f;
  uint32_t mantissa = half & 0x3ff;
  if (exponent == 0) {
    // Zero or subnormal: mantissa * 2^-24.
    float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  uint32_t bits = exponent == 0x1f
                      ? sign | 0x7f800000 | (mantissa << 13) // Inf / NaN
                      : sign | ((exponent + 112) << 23) | (mantissa << 13);
  float out;
  std::memcpy(&out, &bits, 4);
  return out;
}

StatusOr<std::vector<float>>
SafeTensorsFile::readFloat32(const std::string &name) const {
  const SafeTensorInfo *info = find(name);
  if (!info)
    return Status::error(path(), "no tensor named '" + name + "'");
  uint64_t count = info->numElements();
  const uint8_t *in = bytes(*info);
  std::vector<float> out(count);
  switch (info->dtype) {
  case TensorDType::F32:
    if (count)
      std::memcpy(out.data(), in, count * 4);
    return out;
  case TensorDType::F64:
    for (uint64_t i = 0; i < count; ++i) {
      double value;
      std::memcpy(&value, in + 8 * i, 8);
      out[i] = static_cast<float>(value);
    }
    return out;
  case TensorDType::F16:
  case TensorDType::BF16:
    for (uint64_t i = 0; i < count; ++i) {
      uint16_t bits;
      std::memcpy(&bits, in + 2 * i, 2);
      if (info->dtype == TensorDType::F16) {
        out[i] = halfToFloat(bits);
      } else {
        uint32_t wide = static_cast<uint32_t>(bits) << 16;
        std::memcpy(&out[i], &wide, 4);
      }
    }
    return out;
  default:
    return Status::error(path(), "tensor '" + name + "' has dtype " +
                                     dtypeName(info->dtype) +
                                     "; expected a floating-point tensor (F32, "
                                     "F64, F16 or BF16)");
  }
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

void SafeTensorsWriter::add(std::string name, TensorDType dtype,
                            std::vector<uint64_t> shape, const void *data) {
  entries.push_back({std::move(name), dtype, std::move(shape), data});
}

Status SafeTensorsWriter::write(const std::string &path) const {
  std::vector<const Entry *> order;
  for (const Entry &entry : entries)
    order.push_back(&entry);
  std::sort(order.begin(), order.end(), [](const Entry *a, const Entry *b) {
    size_t sizeA = dtypeSize(a->dtype), sizeB = dtypeSize(b->dtype);
    return sizeA != sizeB ? sizeA > sizeB : a->name < b->name;
  });

  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!meta.empty()) {
    nlohmann::ordered_json metadata = nlohmann::ordered_json::object();
    for (const auto &[key, value] : meta)
      metadata[key] = value;
    header["__metadata__"] = std::move(metadata);
  }
  std::vector<uint64_t> sizes;
  uint64_t offset = 0;
  for (const Entry *entry : order) {
    if (entry->name == "__metadata__")
      return Status::error(path, "'__metadata__' cannot name a tensor");
    if (header.contains(entry->name))
      return Status::error(path, "tensor '" + entry->name + "' added twice");
    std::optional<uint64_t> bytes =
        byteCount(entry->shape, dtypeSize(entry->dtype));
    if (!bytes)
      return Status::error(path, "tensor '" + entry->name + "' of shape " +
                                     shapeString(entry->shape) +
                                     " is too large");
    if (*bytes && !entry->data)
      return Status::error(path, "tensor '" + entry->name + "' has no data");
    header[entry->name] = {{"dtype", dtypeName(entry->dtype)},
                           {"shape", entry->shape},
                           {"data_offsets", {offset, offset + *bytes}}};
    sizes.push_back(*bytes);
    offset += *bytes;
  }

  std::string text;
  try {
    text = header.dump();
  } catch (const nlohmann::json::exception &error) {
    return Status::error(path, "cannot encode the header: " +
                                   parseErrorText(error.what()));
  }
  // Pad so the data starts 8-byte aligned, as the reference writer does.
  text.append((8 - text.size() % 8) % 8, ' ');

  StatusOr<AtomicFileWriter> out = AtomicFileWriter::create(path);
  if (!out.isOk())
    return out.getStatus();
  uint8_t prefix[8];
  for (int i = 0; i < 8; ++i)
    prefix[i] =
        static_cast<uint8_t>(static_cast<uint64_t>(text.size()) >> (8 * i));
  Status status = out->write(prefix, 8);
  if (status.isOk())
    status = out->write(text.data(), text.size());
  for (size_t i = 0; i < order.size() && status.isOk(); ++i)
    if (sizes[i])
      status = out->write(order[i]->data, sizes[i]);
  if (!status.isOk())
    return status;
  return out->commit();
}
