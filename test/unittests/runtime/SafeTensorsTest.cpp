//===- SafeTensorsTest.cpp - Reading and writing .safetensors -------------===//
//
// Besides round trips, the reader is checked against a file that an
// independent writer (a Python script using only json, struct and numpy)
// assembles, and our files are parsed by that script's own reader. Every
// corrupt file gets an exact message.
//
//===----------------------------------------------------------------------===//

#include "TestFiles.h"

#include "prism/runtime/SafeTensors.h"

#include <gtest/gtest.h>

#include <cstdio>

using namespace prism;
using namespace prism::test;

namespace {

/// Runs Debian's python3 on `script` with `args`; returns exit code and
/// output (stdout and stderr).
std::pair<int, std::string> runPython(const TempDir &dir,
                                      const std::string &script,
                                      const std::string &args) {
  writeText(dir.path("script.py"), script);
  std::string command = std::string(PRISM_PYTHON) + " '" +
                        dir.path("script.py") + "' " + args + " 2>&1";
  std::string output;
  FILE *pipe = ::popen(command.c_str(), "r");
  if (!pipe)
    return {-1, "popen failed"};
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0)
    output.append(buffer, n);
  int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

/// A safetensors file assembled by hand: length prefix, header, data.
std::string fileBytes(const std::string &header, const std::string &data) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i)
    out[i] = static_cast<char>((header.size() >> (8 * i)) & 0xff);
  return out + header + data;
}

std::string openError(const std::string &path) {
  StatusOr<SafeTensorsFile> file = SafeTensorsFile::open(path);
  EXPECT_FALSE(file.isOk());
  return file.isOk() ? "" : file.getStatus().str();
}

/// The error for a hand-made file with `header` and `dataBytes` zero bytes.
std::string errorFor(const TempDir &dir, const std::string &header,
                     size_t dataBytes) {
  std::string path = dir.path("bad.safetensors");
  writeBytes(path, fileBytes(header, std::string(dataBytes, '\0')));
  return openError(path);
}

TEST(SafeTensorsTest, RoundTrip) {
  TempDir dir;
  std::vector<float> wEnc = ramp(3, 4);
  std::vector<float> bias = {-1.5f, 0.0f, 2.25f, 1e-30f};
  std::vector<double> wide = {1.0 / 3.0, -7.0};
  std::vector<int64_t> counters = {0, -1, 1LL << 40};
  SafeTensorsWriter writer;
  writer.setMetadata("format", "pt");
  writer.setMetadata("prism.step", "123");
  writer.addFloat32("W_enc", {3, 4}, wEnc.data());
  writer.addFloat32("b_dec", {4}, bias.data());
  writer.add("wide", TensorDType::F64, {2}, wide.data());
  writer.add("counters", TensorDType::I64, {3}, counters.data());
  writer.addFloat32("empty", {0, 5}, nullptr);
  std::string path = dir.path("w.safetensors");
  ASSERT_TRUE(writer.write(path).isOk());
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"w.safetensors"});

  StatusOr<SafeTensorsFile> file = SafeTensorsFile::open(path);
  ASSERT_TRUE(file.isOk()) << file.getStatus().str();
  EXPECT_EQ(file->metadata(), (std::map<std::string, std::string>{
                                  {"format", "pt"}, {"prism.step", "123"}}));
  // Data order: 8-byte elements first, then 4-byte, each by name.
  std::vector<std::string> names;
  for (const SafeTensorInfo &info : file->tensors())
    names.push_back(info.name);
  EXPECT_EQ(names, (std::vector<std::string>{"counters", "wide", "W_enc",
                                             "b_dec", "empty"}));
  const SafeTensorInfo *info = file->find("W_enc");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->dtype, TensorDType::F32);
  EXPECT_EQ(info->shape, (std::vector<uint64_t>{3, 4}));
  EXPECT_EQ(*file->readFloat32("W_enc"), wEnc);
  EXPECT_EQ(*file->readFloat32("b_dec"), bias);
  EXPECT_EQ(*file->readFloat32("wide"),
            (std::vector<float>{1.0f / 3.0f, -7.0f}));
  EXPECT_TRUE(file->readFloat32("empty")->empty());
  const SafeTensorInfo *ints = file->find("counters");
  ASSERT_NE(ints, nullptr);
  std::vector<int64_t> readInts(3);
  std::memcpy(readInts.data(), file->bytes(*ints), 24);
  EXPECT_EQ(readInts, counters);
  EXPECT_EQ(file->find("missing"), nullptr);

  // The header is padded with spaces so the data starts 8-byte aligned.
  std::string bytes = contentsOf(path);
  uint64_t headerBytes = 0;
  for (int i = 0; i < 8; ++i)
    headerBytes |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[i]))
                   << (8 * i);
  EXPECT_EQ(headerBytes % 8, 0u);
  EXPECT_EQ(bytes.substr(8, 16), "{\"__metadata__\":");
}

TEST(SafeTensorsTest, OutputDependsOnlyOnContents) {
  TempDir dir;
  std::vector<float> a = ramp(2, 2), b = ramp(1, 3);
  SafeTensorsWriter first, second;
  first.addFloat32("a", {2, 2}, a.data());
  first.addFloat32("b", {3}, b.data());
  second.addFloat32("b", {3}, b.data());
  second.addFloat32("a", {2, 2}, a.data());
  ASSERT_TRUE(first.write(dir.path("1")).isOk());
  ASSERT_TRUE(second.write(dir.path("2")).isOk());
  EXPECT_EQ(contentsOf(dir.path("1")), contentsOf(dir.path("2")));
}

TEST(SafeTensorsTest, WriterRejectsDuplicatesAndMissingData) {
  TempDir dir;
  std::vector<float> a = ramp(1, 2);
  SafeTensorsWriter writer;
  writer.addFloat32("a", {2}, a.data());
  writer.addFloat32("a", {2}, a.data());
  Status status = writer.write(dir.path("x"));
  ASSERT_FALSE(status.isOk());
  EXPECT_EQ(status.str(), dir.path("x") + ": error: tensor 'a' added twice");

  SafeTensorsWriter noData;
  noData.addFloat32("b", {2}, nullptr);
  status = noData.write(dir.path("x"));
  ASSERT_FALSE(status.isOk());
  EXPECT_EQ(status.str(), dir.path("x") + ": error: tensor 'b' has no data");
  EXPECT_TRUE(dir.entries().empty()) << "a failed write leaves no file";
}

// Writes the format by hand (json, struct, numpy), in an order and with
// padding of its own, including F16 and BF16 tensors.
const char *kPythonWriter = R"PY(
import json, struct, sys
import numpy as np

w_enc = (np.arange(12, dtype=np.float32) * 0.25 + 0.25).reshape(3, 4)
b_dec = np.array([0.1, -2.0, 3.5, 1e-3], dtype=np.float64)
half = np.array([1.0, -2.5, 65504.0, 2.0 ** -24], dtype=np.float16)
bf16 = (np.array([1.0, -3.0, 0.15625], dtype=np.float32).view(np.uint32)
        >> 16).astype(np.uint16)
tensors = [("b_dec", "F64", b_dec), ("W_enc", "F32", w_enc),
           ("half", "F16", half), ("bf", "BF16", bf16)]
header, data = {}, b""
for name, dtype, array in tensors:
    raw = array.astype(array.dtype.newbyteorder("<")).tobytes()
    header[name] = {"dtype": dtype, "shape": list(array.shape),
                    "data_offsets": [len(data), len(data) + len(raw)]}
    data += raw
header["__metadata__"] = {"format": "pt", "writer": "python"}
text = json.dumps(header).encode()
text += b" " * (-len(text) % 8)
with open(sys.argv[1], "wb") as out:
    out.write(struct.pack("<Q", len(text)) + text + data)
)PY";

TEST(SafeTensorsTest, ReadsAnIndependentWriter) {
  TempDir dir;
  std::string path = dir.path("py.safetensors");
  auto [code, output] = runPython(dir, kPythonWriter, "'" + path + "'");
  ASSERT_EQ(code, 0) << output;

  StatusOr<SafeTensorsFile> file = SafeTensorsFile::open(path);
  ASSERT_TRUE(file.isOk()) << file.getStatus().str();
  EXPECT_EQ(file->metadata().at("writer"), "python");
  ASSERT_EQ(file->tensors().size(), 4u);
  EXPECT_EQ(file->find("W_enc")->shape, (std::vector<uint64_t>{3, 4}));
  EXPECT_EQ(*file->readFloat32("W_enc"), ramp(3, 4));
  EXPECT_EQ(file->find("b_dec")->dtype, TensorDType::F64);
  EXPECT_EQ(*file->readFloat32("b_dec"),
            (std::vector<float>{0.1f, -2.0f, 3.5f, 1e-3f}));
  EXPECT_EQ(*file->readFloat32("half"),
            (std::vector<float>{1.0f, -2.5f, 65504.0f, 0x1p-24f}));
  EXPECT_EQ(*file->readFloat32("bf"),
            (std::vector<float>{1.0f, -3.0f, 0.15625f}));
}

// Parses our file with nothing but json, struct and numpy and checks the
// layout rules the reference reader enforces.
const char *kPythonReader = R"PY(
import json, struct, sys
import numpy as np

raw = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
assert n % 8 == 0, n
header = json.loads(raw[8:8 + n])
data = raw[8 + n:]
meta = header.pop("__metadata__")
assert meta == {"model": "topk", "step": "7"}, meta
spans = sorted((v["data_offsets"], k) for k, v in header.items())
cursor = 0
for (begin, end), name in spans:
    assert begin == cursor, (name, begin, cursor)
    cursor = end
assert cursor == len(data)
def load(name):
    entry = header[name]
    dtype = {"F32": "<f4", "F64": "<f8"}[entry["dtype"]]
    begin, end = entry["data_offsets"]
    return np.frombuffer(data[begin:end], dtype=dtype).reshape(entry["shape"])
w = load("W_dec")
assert w.shape == (4, 3), w.shape
assert np.array_equal(w, (np.arange(12, dtype=np.float32) * 0.25 + 0.25)
                      .reshape(4, 3))
assert np.array_equal(load("threshold"), np.array([0.5, -1], np.float64))
print("ok", sorted(header))
)PY";

TEST(SafeTensorsTest, IndependentReaderParsesOurFile) {
  TempDir dir;
  std::vector<float> wDec = ramp(4, 3);
  std::vector<double> threshold = {0.5, -1};
  SafeTensorsWriter writer;
  writer.setMetadata("model", "topk");
  writer.setMetadata("step", "7");
  writer.addFloat32("W_dec", {4, 3}, wDec.data());
  writer.add("threshold", TensorDType::F64, {2}, threshold.data());
  std::string path = dir.path("ours.safetensors");
  ASSERT_TRUE(writer.write(path).isOk());
  auto [code, output] = runPython(dir, kPythonReader, "'" + path + "'");
  EXPECT_EQ(code, 0) << output;
  EXPECT_EQ(output, "ok ['W_dec', 'threshold']\n");
}

TEST(SafeTensorsTest, TruncatedFile) {
  TempDir dir;
  std::vector<float> values = ramp(2, 4);
  SafeTensorsWriter writer;
  writer.addFloat32("x", {2, 4}, values.data());
  std::string path = dir.path("t.safetensors");
  ASSERT_TRUE(writer.write(path).isOk());
  std::string bytes = contentsOf(path);
  writeBytes(path, bytes.substr(0, bytes.size() - 5));
  EXPECT_EQ(openError(path),
            path + ": error: tensor 'x' data_offsets [0, 32] run past the end "
                   "of the data (27 bytes)");

  writeBytes(path, bytes.substr(0, 5));
  EXPECT_EQ(openError(path),
            path + ": error: file is 5 bytes, too short for the 8-byte header "
                   "length of a safetensors file");
}

TEST(SafeTensorsTest, HeaderLengthBeyondTheFile) {
  TempDir dir;
  std::string path = dir.path("bad.safetensors");
  std::string bytes = fileBytes("{}", "");
  bytes[0] = 100;
  writeBytes(path, bytes);
  EXPECT_EQ(openError(path), path + ": error: header length 100 runs past the "
                                    "end of the file (10 bytes)");
}

TEST(SafeTensorsTest, BadJson) {
  TempDir dir;
  EXPECT_EQ(errorFor(dir, "{\"x\": {\"dtype\": \"F32\",", 0),
            dir.path("bad.safetensors") +
                ": error: header is not valid JSON (parse error at line 1, "
                "column 23: syntax error while parsing object key - unexpected "
                "end of input; expected string literal)");
  EXPECT_EQ(errorFor(dir, "[1, 2]", 0),
            dir.path("bad.safetensors") +
                ": error: header must be a JSON object, found array");
}

TEST(SafeTensorsTest, UnknownDType) {
  TempDir dir;
  EXPECT_EQ(
      errorFor(
          dir,
          R"({"x": {"dtype": "Q4", "shape": [2], "data_offsets": [0, 1]}})", 1),
      dir.path("bad.safetensors") +
          ": error: tensor 'x' has unknown dtype 'Q4' (known: BOOL, U8, I8, "
          "F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, "
          "U64)");
}

TEST(SafeTensorsTest, ShapeDisagreesWithOffsets) {
  TempDir dir;
  EXPECT_EQ(
      errorFor(
          dir,
          R"({"W_enc": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 20]}})",
          20),
      dir.path("bad.safetensors") +
          ": error: tensor 'W_enc' of shape [2, 3] and dtype F32 needs 24 "
          "bytes, but its data_offsets [0, 20] span 20");
  EXPECT_EQ(
      errorFor(
          dir,
          R"({"x": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}})",
          4),
      dir.path("bad.safetensors") +
          ": error: tensor 'x' has a shape entry that is not a non-negative "
          "integer: -1");
  EXPECT_EQ(
      errorFor(
          dir,
          R"({"x": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}})",
          4),
      dir.path("bad.safetensors") +
          ": error: tensor 'x' has data_offsets [4, 0] that end before they "
          "begin");
}

TEST(SafeTensorsTest, OverlappingOffsets) {
  TempDir dir;
  EXPECT_EQ(
      errorFor(dir,
               R"({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]},
                         "b": {"dtype": "F32", "shape": [4], "data_offsets": [8, 24]}})",
               24),
      dir.path("bad.safetensors") +
          ": error: tensors 'a' (data_offsets [0, 16]) and 'b' "
          "(data_offsets [8, 24]) overlap");
}

TEST(SafeTensorsTest, GapsAndTrailingBytes) {
  TempDir dir;
  EXPECT_EQ(
      errorFor(dir,
               R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
                         "b": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}})",
               12),
      dir.path("bad.safetensors") +
          ": error: bytes [4, 8) of the data before tensor 'b' belong to "
          "no tensor");
  EXPECT_EQ(
      errorFor(
          dir,
          R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})",
          6),
      dir.path("bad.safetensors") +
          ": error: bytes [4, 6) at the end of the data belong to no tensor");
}

TEST(SafeTensorsTest, DuplicateNamesAndBadMetadata) {
  TempDir dir;
  EXPECT_EQ(
      errorFor(dir,
               R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
                         "a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})",
               8),
      dir.path("bad.safetensors") + ": error: header names 'a' twice");
  EXPECT_EQ(errorFor(dir, R"({"__metadata__": {"step": 3}})", 0),
            dir.path("bad.safetensors") +
                ": error: __metadata__ entry 'step' must be a string, found "
                "number");
  EXPECT_EQ(errorFor(dir, R"({"x": [1]})", 0),
            dir.path("bad.safetensors") +
                ": error: tensor 'x' must be an object with dtype, shape and "
                "data_offsets, found array");
}

TEST(SafeTensorsTest, ReadFloat32Errors) {
  TempDir dir;
  std::vector<int32_t> ints = {1, 2};
  SafeTensorsWriter writer;
  writer.add("ints", TensorDType::I32, {2}, ints.data());
  std::string path = dir.path("i.safetensors");
  ASSERT_TRUE(writer.write(path).isOk());
  StatusOr<SafeTensorsFile> file = SafeTensorsFile::open(path);
  ASSERT_TRUE(file.isOk());
  EXPECT_EQ(file->readFloat32("ints").getStatus().str(),
            path + ": error: tensor 'ints' has dtype I32; expected a "
                   "floating-point tensor (F32, F64, F16 or BF16)");
  EXPECT_EQ(file->readFloat32("nope").getStatus().str(),
            path + ": error: no tensor named 'nope'");
}

} // namespace
