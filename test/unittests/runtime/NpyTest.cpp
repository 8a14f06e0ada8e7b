//===- NpyTest.cpp - The .npy reader --------------------------------------===//

#include "TestFiles.h"

#include "prism/runtime/Npy.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace prism;
using namespace prism::test;

namespace {

/// Bytes of `bits` in the given byte order.
std::string orderedBytes(uint64_t bits, int width, bool bigEndian) {
  std::string out(width, '\0');
  for (int i = 0; i < width; ++i) {
    int shift = bigEndian ? 8 * (width - 1 - i) : 8 * i;
    out[i] = static_cast<char>((bits >> shift) & 0xff);
  }
  return out;
}

StatusOr<NpyArray> readBytes(const TempDir &dir, const std::string &bytes) {
  std::string path = dir.path("a.npy");
  writeBytes(path, bytes);
  return readNpy(path);
}

std::string errorOf(const TempDir &dir, const std::string &bytes) {
  StatusOr<NpyArray> array = readBytes(dir, bytes);
  EXPECT_FALSE(array.isOk());
  return array.isOk() ? "" : array.getStatus().str();
}

class NpyVersionTest : public testing::TestWithParam<int> {};

TEST_P(NpyVersionTest, ReadsFloat32Rows) {
  TempDir dir;
  std::vector<float> values = ramp(3, 4);
  StatusOr<NpyArray> array =
      readBytes(dir, npyBytes("<f4", "(3, 4)", f32Bytes(values), GetParam()));
  ASSERT_TRUE(array.isOk()) << array.getStatus().str();
  EXPECT_EQ(array->header.majorVersion, GetParam());
  EXPECT_EQ(array->header.shape, (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(array->values, values);
}

INSTANTIATE_TEST_SUITE_P(AllVersions, NpyVersionTest, testing::Values(1, 2, 3));

TEST(NpyTest, ConvertsFloat16) {
  // Hand-encoded IEEE half values: 1, -2, 0.5, the largest half (65504), the
  // smallest subnormal (2^-24), negative zero, +Inf.
  const uint16_t halves[] = {0x3C00, 0xC000, 0x3800, 0x7BFF,
                             0x0001, 0x8000, 0x7C00};
  const float expected[] = {
      1.0f, -2.0f, 0.5f, 65504.0f, 5.960464477539063e-08f, -0.0f, INFINITY};
  std::string data;
  for (uint16_t h : halves)
    data += orderedBytes(h, 2, false);
  TempDir dir;
  StatusOr<NpyArray> array = readBytes(dir, npyBytes("<f2", "(1, 7)", data));
  ASSERT_TRUE(array.isOk()) << array.getStatus().str();
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(array->values[i], expected[i]) << "element " << i;
    EXPECT_EQ(std::signbit(array->values[i]), std::signbit(expected[i]));
  }
}

TEST(NpyTest, ConvertsFloat16NaN) {
  TempDir dir;
  StatusOr<NpyArray> array =
      readBytes(dir, npyBytes("<f2", "(1, 1)", orderedBytes(0x7E00, 2, false)));
  ASSERT_TRUE(array.isOk());
  EXPECT_TRUE(std::isnan(array->values[0]));
}

TEST(NpyTest, ConvertsFloat64) {
  double values[] = {0.1, -3.0, 1e-3};
  std::string data;
  for (double v : values) {
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    data += orderedBytes(bits, 8, false);
  }
  TempDir dir;
  StatusOr<NpyArray> array = readBytes(dir, npyBytes("<f8", "(3, 1)", data));
  ASSERT_TRUE(array.isOk());
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(array->values[i], static_cast<float>(values[i]));
}

TEST(NpyTest, ConvertsBigEndian) {
  // 1.5f is 0x3FC00000; 2.5 as a double is 0x4004000000000000.
  TempDir dir;
  StatusOr<NpyArray> f4 = readBytes(
      dir, npyBytes(">f4", "(1, 1)", orderedBytes(0x3FC00000, 4, true)));
  ASSERT_TRUE(f4.isOk()) << f4.getStatus().str();
  EXPECT_EQ(f4->values[0], 1.5f);
  StatusOr<NpyArray> f8 =
      readBytes(dir, npyBytes(">f8", "(1, 1)",
                              orderedBytes(0x4004000000000000, 8, true)));
  ASSERT_TRUE(f8.isOk()) << f8.getStatus().str();
  EXPECT_EQ(f8->values[0], 2.5f);
  StatusOr<NpyArray> f2 =
      readBytes(dir, npyBytes(">f2", "(1, 1)", orderedBytes(0xC000, 2, true)));
  ASSERT_TRUE(f2.isOk());
  EXPECT_EQ(f2->values[0], -2.0f);
}

TEST(NpyTest, ReordersFortran2D) {
  // [[1, 2, 3], [4, 5, 6]] stored column by column.
  TempDir dir;
  StatusOr<NpyArray> array = readBytes(
      dir, npyBytes("<f4", "(2, 3)", f32Bytes({1, 4, 2, 5, 3, 6}), 1, true));
  ASSERT_TRUE(array.isOk());
  EXPECT_EQ(array->values, (std::vector<float>{1, 2, 3, 4, 5, 6}));
}

TEST(NpyTest, ReordersFortran3D) {
  // Element (a, i, j) of a (2, 2, 3) Fortran array lives at a + 2 i + 4 j.
  std::vector<float> stored(12), expected(12);
  for (int a = 0; a < 2; ++a)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j) {
        float value = 100.0f * a + 10.0f * i + j;
        stored[a + 2 * i + 4 * j] = value;
        expected[a * 6 + i * 3 + j] = value;
      }
  TempDir dir;
  StatusOr<NpyArray> array =
      readBytes(dir, npyBytes("<f4", "(2, 2, 3)", f32Bytes(stored), 2, true));
  ASSERT_TRUE(array.isOk());
  EXPECT_EQ(array->values, expected);
}

TEST(NpyTest, AcceptsDoubleQuotesAndPython2Longs) {
  TempDir dir;
  std::string bytes = npyBytes("<f4", "(1L, 2L)", f32Bytes({7, 8}));
  std::replace(bytes.begin(), bytes.begin() + 60, '\'', '"');
  StatusOr<NpyArray> array = readBytes(dir, bytes);
  ASSERT_TRUE(array.isOk()) << array.getStatus().str();
  EXPECT_EQ(array->values, (std::vector<float>{7, 8}));
}

TEST(NpyErrorTest, BadMagic) {
  TempDir dir;
  EXPECT_EQ(errorOf(dir, "NOTNPY\x01\x00rest"),
            dir.path("a.npy") +
                ": error: not a .npy file: the first bytes are [4e 4f 54 4e "
                "50 59], expected the magic \\x93NUMPY");
}

TEST(NpyErrorTest, UnsupportedVersion) {
  TempDir dir;
  std::string bytes = npyBytes("<f4", "(1, 1)", f32Bytes({1}));
  bytes[6] = 4;
  EXPECT_EQ(errorOf(dir, bytes),
            dir.path("a.npy") + ": error: unsupported .npy format version 4.0 "
                                "(supported: 1.0, 2.0, 3.0)");
}

TEST(NpyErrorTest, HeaderLengthPastEnd) {
  TempDir dir;
  // Version 1 with a header length of 1000 in a 20-byte file.
  std::string bytes =
      std::string("\x93NUMPY\x01\x00", 8) + "\xe8\x03" + "{'descr'}\n";
  EXPECT_EQ(errorOf(dir, bytes),
            dir.path("a.npy") + ": error: header length 1000 runs past the "
                                "end of the file (header would end at byte "
                                "1010, file has 20 bytes)");
}

TEST(NpyErrorTest, TruncatedData) {
  TempDir dir;
  EXPECT_EQ(errorOf(dir, npyBytes("<f4", "(2, 3)", std::string(10, '\0'))),
            dir.path("a.npy") + ": error: truncated data: shape (2, 3) of <f4 "
                                "needs 24 bytes after the header, the file "
                                "has 10");
}

TEST(NpyErrorTest, ObjectDtype) {
  TempDir dir;
  EXPECT_EQ(errorOf(dir, npyBytes("|O", "(2,)", std::string(16, '\0'))),
            dir.path("a.npy") + ": error: dtype '|O' holds Python objects, "
                                "which cannot be read: save the embeddings "
                                "as a float array");
}

TEST(NpyErrorTest, UnknownDtype) {
  TempDir dir;
  EXPECT_EQ(errorOf(dir, npyBytes("<i8", "(1, 1)", std::string(8, '\0'))),
            dir.path("a.npy") + ": error: unsupported dtype '<i8': expected "
                                "float16, float32 or float64 ('<f2', '<f4' or "
                                "'<f8')");
}

TEST(NpyErrorTest, StructuredDtype) {
  TempDir dir;
  std::string bytes = npyBytes("XX", "(1,)", std::string(8, '\0'));
  size_t at = bytes.find("'XX'");
  bytes.replace(at, 4, "[('a', '<f4'), ('b', '<f4')]");
  // Keep the declared header length honest: rebuild it.
  std::string dict = bytes.substr(10);
  dict = dict.substr(0, dict.find('\n') + 1);
  bytes = std::string("\x93NUMPY\x01\x00", 8);
  bytes += static_cast<char>(dict.size() & 0xff);
  bytes += static_cast<char>(dict.size() >> 8);
  bytes += dict + std::string(8, '\0');
  EXPECT_EQ(errorOf(dir, bytes),
            dir.path("a.npy") + ": error: structured dtype (a list of fields) "
                                "is not supported: expected a plain float "
                                "array");
}

TEST(NpyErrorTest, MalformedHeader) {
  TempDir dir;
  std::string bytes = npyBytes("<f4", "(1, 1)", f32Bytes({1}));
  bytes.replace(bytes.find("'shape': "), 9, "'shape'  ");
  // "{'descr': '<f4', 'fortran_order': False, " is 41 characters; the key
  // 'shape' takes 7 more and two spaces follow: the '(' at offset 50 is where
  // the ':' should be.
  EXPECT_EQ(errorOf(dir, bytes),
            dir.path("a.npy") + ": error: malformed .npy header: expected ':' "
                                "after key 'shape' at header offset 50");
}

TEST(NpyErrorTest, MissingFile) {
  StatusOr<NpyArray> array = readNpy("/nonexistent/x.npy");
  ASSERT_FALSE(array.isOk());
  EXPECT_EQ(
      array.getStatus().str(),
      "/nonexistent/x.npy: error: cannot open: No such file or directory");
}

} // namespace
