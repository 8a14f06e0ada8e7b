//===- Npy.cpp - Reader for NumPy .npy arrays -----------------------------===//
//
// The format: the magic "\x93NUMPY", a major and a minor version byte, the
// header length (2 bytes little-endian in version 1, 4 bytes in versions 2 and
// 3), then a Python dict literal with 'descr', 'fortran_order' and 'shape',
// padded so the data starts aligned. Version 3 only allows UTF-8 in the header.
//
//===----------------------------------------------------------------------===//

#include "prism/runtime/Npy.h"
#include "prism/runtime/AtomicFile.h"
#include "prism/runtime/MappedFile.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace prism;

namespace {

/// A cursor over the header's dict literal. Only the subset NumPy writes is
/// accepted: string keys, and string, boolean and integer-tuple values.
class HeaderParser {
public:
  HeaderParser(const std::string &path, const std::string &text)
      : path(path), text(text) {}

  Status parse(NpyHeader &header) {
    bool haveDescr = false, haveOrder = false, haveShape = false;
    skipSpace();
    if (!consume('{'))
      return fail("expected '{' to open the header dict");
    while (true) {
      skipSpace();
      if (consume('}'))
        break;
      std::string key;
      if (Status s = parseString(key, "a key"); !s.isOk())
        return s;
      skipSpace();
      if (!consume(':'))
        return fail("expected ':' after key '" + key + "'");
      skipSpace();
      if (key == "descr") {
        if (peek() == '[')
          return Status::error(path, "structured dtype (a list of fields) is "
                                     "not supported: expected a plain float "
                                     "array");
        if (Status s = parseString(header.descr, "the 'descr' string");
            !s.isOk())
          return s;
        haveDescr = true;
      } else if (key == "fortran_order") {
        if (Status s = parseBool(header.fortranOrder); !s.isOk())
          return s;
        haveOrder = true;
      } else if (key == "shape") {
        if (Status s = parseShape(header.shape); !s.isOk())
          return s;
        haveShape = true;
      } else {
        return fail("unexpected key '" + key +
                    "' (expected 'descr', 'fortran_order' and 'shape')");
      }
      skipSpace();
      if (consume(','))
        continue;
      skipSpace();
      if (consume('}'))
        break;
      return fail("expected ',' or '}' after the value of '" + key + "'");
    }
    if (!haveDescr || !haveOrder || !haveShape)
      return fail(std::string("missing key '") +
                  (!haveDescr   ? "descr"
                   : !haveOrder ? "fortran_order"
                                : "shape") +
                  "'");
    return Status::ok();
  }

private:
  char peek() const { return pos < text.size() ? text[pos] : '\0'; }
  bool consume(char c) {
    if (peek() != c)
      return false;
    ++pos;
    return true;
  }
  void skipSpace() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' ||
                                 text[pos] == '\n' || text[pos] == '\r'))
      ++pos;
  }
  Status fail(const std::string &what) const {
    return Status::error(path, "malformed .npy header: " + what +
                                   " at header offset " + std::to_string(pos));
  }

  Status parseString(std::string &out, const char *what) {
    char quote = peek();
    if (quote != '\'' && quote != '"')
      return fail(std::string("expected ") + what + " in quotes");
    ++pos;
    size_t end = text.find(quote, pos);
    if (end == std::string::npos)
      return fail("unterminated string");
    out = text.substr(pos, end - pos);
    pos = end + 1;
    return Status::ok();
  }

  Status parseBool(bool &out) {
    if (text.compare(pos, 4, "True") == 0) {
      out = true;
      pos += 4;
      return Status::ok();
    }
    if (text.compare(pos, 5, "False") == 0) {
      out = false;
      pos += 5;
      return Status::ok();
    }
    return fail("expected True or False for 'fortran_order'");
  }

  Status parseShape(std::vector<int64_t> &shape) {
    if (!consume('('))
      return fail("expected '(' to open the shape tuple");
    while (true) {
      skipSpace();
      if (consume(')'))
        return Status::ok();
      if (peek() < '0' || peek() > '9')
        return fail("expected a non-negative integer in the shape");
      int64_t value = 0;
      while (peek() >= '0' && peek() <= '9') {
        int digit = peek() - '0';
        if (value > (std::numeric_limits<int64_t>::max() - digit) / 10)
          return fail("shape dimension is too large");
        value = value * 10 + digit;
        ++pos;
      }
      consume('L'); // Python 2 long suffix
      shape.push_back(value);
      skipSpace();
      if (consume(','))
        continue;
      skipSpace();
      if (consume(')'))
        return Status::ok();
      return fail("expected ',' or ')' in the shape tuple");
    }
  }

  const std::string &path;
  const std::string &text;
  size_t pos = 0;
};

enum class ByteOrder { Little, Big };

struct ElementFormat {
  ByteOrder order = ByteOrder::Little;
  int bytes = 0; // 2, 4 or 8: float16, float32, float64
};

Status parseDescr(const std::string &path, const std::string &descr,
                  ElementFormat &format) {
  auto unsupported = [&]() {
    return Status::error(path, "unsupported dtype '" + descr +
                                   "': expected float16, float32 or float64 "
                                   "('<f2', '<f4' or '<f8')");
  };
  if (descr.size() >= 2 && descr[1] == 'O')
    return Status::error(path,
                         "dtype '" + descr +
                             "' holds Python objects, which cannot be "
                             "read: save the embeddings as a float array");
  if (descr.size() != 3 || descr[1] != 'f')
    return unsupported();
  switch (descr[0]) {
  case '<':
  case '=': // native order; every machine Prism runs on is little-endian
    format.order = ByteOrder::Little;
    break;
  case '>':
    format.order = ByteOrder::Big;
    break;
  default:
    return unsupported();
  }
  format.bytes = descr[2] - '0';
  if (format.bytes != 2 && format.bytes != 4 && format.bytes != 8)
    return unsupported();
  return Status::ok();
}

uint64_t loadUnsigned(const uint8_t *p, int bytes, ByteOrder order) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) {
    int shift = order == ByteOrder::Little ? 8 * i : 8 * (bytes - 1 - i);
    value |= static_cast<uint64_t>(p[i]) << shift;
  }
  return value;
}

float halfToFloat(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  int exponent = (h >> 10) & 0x1f;
  uint32_t mantissa = h & 0x3ffu;
  uint32_t bits;
  if (exponent == 0x1f) { // Inf or NaN
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent == 0) {
    // Zero or subnormal: value = mantissa * 2^-24.
    float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  } else {
    bits = sign | static_cast<uint32_t>(exponent - 15 + 127) << 23 |
           (mantissa << 13);
  }
  float out;
  std::memcpy(&out, &bits, sizeof(out));
  return out;
}

float loadElement(const uint8_t *p, const ElementFormat &format) {
  uint64_t raw = loadUnsigned(p, format.bytes, format.order);
  switch (format.bytes) {
  case 2:
    return halfToFloat(static_cast<uint16_t>(raw));
  case 4: {
    uint32_t bits = static_cast<uint32_t>(raw);
    float value;
    std::memcpy(&value, &bits, sizeof(value));
    return value;
  }
  default: {
    double value;
    std::memcpy(&value, &raw, sizeof(value));
    return static_cast<float>(value);
  }
  }
}

/// Reorders a Fortran-order array into C order.
std::vector<float> fortranToC(const std::vector<float> &src,
                              const std::vector<int64_t> &shape) {
  std::vector<float> dst(src.size());
  size_t rank = shape.size();
  // Fortran strides: the first index varies fastest.
  std::vector<size_t> stride(rank, 1);
  for (size_t i = 1; i < rank; ++i)
    stride[i] = stride[i - 1] * static_cast<size_t>(shape[i - 1]);
  // Walk the C-order index like an odometer, last index fastest.
  std::vector<int64_t> index(rank, 0);
  size_t srcOffset = 0;
  for (size_t c = 0; c < dst.size(); ++c) {
    dst[c] = src[srcOffset];
    for (size_t axis = rank; axis-- > 0;) {
      if (++index[axis] < shape[axis]) {
        srcOffset += stride[axis];
        break;
      }
      srcOffset -= stride[axis] * static_cast<size_t>(index[axis] - 1);
      index[axis] = 0;
    }
  }
  return dst;
}

std::string hexBytes(const uint8_t *bytes, size_t count) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    if (i)
      out += ' ';
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 15];
  }
  return out;
}

} // namespace

int64_t NpyHeader::elementCount() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

std::string NpyHeader::shapeString() const {
  std::string out = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + (shape.size() == 1 ? ",)" : ")");
}

std::string NpyArray::describe() const {
  return "npy " + std::to_string(header.majorVersion) + "." +
         std::to_string(header.minorVersion) + ", " + header.descr + ", " +
         (header.fortranOrder ? "Fortran" : "C") + " order";
}

StatusOr<NpyHeader> prism::parseNpyHeader(const std::string &path,
                                          const uint8_t *bytes, size_t size) {
  static const uint8_t magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (size < 6 || std::memcmp(bytes, magic, 6) != 0)
    return Status::error(path, "not a .npy file: the first bytes are [" +
                                   hexBytes(bytes, size < 6 ? size : 6) +
                                   "], expected the magic \\x93NUMPY");
  if (size < 8)
    return Status::error(path, "truncated .npy file: it ends inside the "
                               "version bytes (" +
                                   std::to_string(size) + " bytes in all)");
  NpyHeader header;
  header.majorVersion = bytes[6];
  header.minorVersion = bytes[7];
  if (header.majorVersion < 1 || header.majorVersion > 3 ||
      header.minorVersion != 0)
    return Status::error(path, "unsupported .npy format version " +
                                   std::to_string(header.majorVersion) + "." +
                                   std::to_string(header.minorVersion) +
                                   " (supported: 1.0, 2.0, 3.0)");
  size_t lengthBytes = header.majorVersion == 1 ? 2 : 4;
  if (size < 8 + lengthBytes)
    return Status::error(path, "truncated .npy file: it ends inside the "
                               "header length field (" +
                                   std::to_string(size) + " bytes in all)");
  uint64_t headerLength =
      loadUnsigned(bytes + 8, static_cast<int>(lengthBytes), ByteOrder::Little);
  header.dataOffset = 8 + lengthBytes + headerLength;
  if (header.dataOffset > size)
    return Status::error(path, "header length " + std::to_string(headerLength) +
                                   " runs past the end of the file (header "
                                   "would end at byte " +
                                   std::to_string(header.dataOffset) +
                                   ", file has " + std::to_string(size) +
                                   " bytes)");
  std::string text(reinterpret_cast<const char *>(bytes + 8 + lengthBytes),
                   headerLength);
  if (Status s = HeaderParser(path, text).parse(header); !s.isOk())
    return s;

  ElementFormat format;
  if (Status s = parseDescr(path, header.descr, format); !s.isOk())
    return s;

  // Check the data fits, guarding the size product against overflow.
  uint64_t needed = static_cast<uint64_t>(format.bytes);
  for (int64_t dim : header.shape) {
    if (dim != 0 && needed > std::numeric_limits<uint64_t>::max() /
                                 static_cast<uint64_t>(dim))
      return Status::error(path, "shape " + header.shapeString() +
                                     " is too large to address");
    needed *= static_cast<uint64_t>(dim);
  }
  uint64_t available = size - header.dataOffset;
  if (needed > available)
    return Status::error(path, "truncated data: shape " + header.shapeString() +
                                   " of " + header.descr + " needs " +
                                   std::to_string(needed) +
                                   " bytes after the header, the file has " +
                                   std::to_string(available));
  return header;
}

StatusOr<NpyArray> prism::readNpy(const std::string &path) {
  StatusOr<MappedFile> file = MappedFile::open(path);
  if (!file.isOk())
    return file.getStatus();
  StatusOr<NpyHeader> header = parseNpyHeader(path, file->data(), file->size());
  if (!header.isOk())
    return header.getStatus();

  NpyArray array;
  array.header = header.take();
  ElementFormat format;
  (void)parseDescr(path, array.header.descr, format); // validated above
  size_t count = static_cast<size_t>(array.header.elementCount());
  array.values.resize(count);
  const uint8_t *data = file->data() + array.header.dataOffset;
  if (format.bytes == 4 && format.order == ByteOrder::Little) {
    std::memcpy(array.values.data(), data, count * sizeof(float));
  } else {
    for (size_t i = 0; i < count; ++i)
      array.values[i] = loadElement(data + i * format.bytes, format);
  }
  if (array.header.fortranOrder && array.header.shape.size() > 1)
    array.values = fortranToC(array.values, array.header.shape);
  return array;
}

Status prism::writeNpy(const std::string &path, char kind, uint64_t rows,
                       uint64_t cols, const void *data) {
  const uint16_t probe = 1;
  bool little = *reinterpret_cast<const uint8_t *>(&probe) == 1;
  std::string dict = std::string("{'descr': '") + (little ? '<' : '>') + kind +
                     "4', 'fortran_order': False, 'shape': (" +
                     std::to_string(rows) + ", " + std::to_string(cols) +
                     "), }";
  // Magic, version and length take 10 bytes; the data starts 64-aligned.
  size_t unpadded = 10 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  std::string head("\x93NUMPY\x01\x00", 8);
  head += static_cast<char>(dict.size() & 0xff);
  head += static_cast<char>(dict.size() >> 8);
  head += dict;
  StatusOr<AtomicFileWriter> writer = AtomicFileWriter::create(path);
  if (!writer.isOk())
    return writer.getStatus();
  Status status = writer->write(head.data(), head.size());
  if (status.isOk() && rows * cols)
    status = writer->write(data, rows * cols * 4);
  if (status.isOk())
    status = writer->commit();
  return status;
}
