//===- ImportCommandTest.cpp - `prism data import` on bad and odd input ---===//
//
// Runs the real `prism` binary on files each test writes, and checks the exit
// status, the exact message, and that no output (or temporary) file is left.
//
//===----------------------------------------------------------------------===//

#include "TestFiles.h"

#include "prism/runtime/Dataset.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <sys/wait.h>

using namespace prism;
using namespace prism::test;

namespace {

class ImportCommandTest : public testing::Test {
protected:
  RunResult prism(const std::string &args) {
    return runCommand(std::string(PRISM_TOOL_PATH) + " " + args, logs);
  }

  std::string file(const std::string &name, const std::string &bytes) {
    writeBytes(dir.path(name), bytes);
    return dir.path(name);
  }

  /// Runs an import that must fail with exactly `message` on stderr, leaving
  /// the directory as it was.
  void expectImportError(const std::string &args, const std::string &message) {
    std::vector<std::string> before = dir.entries();
    RunResult result = prism("data import " + args + " -o " + output());
    EXPECT_EQ(result.exitCode, 1);
    EXPECT_EQ(result.err, message + "\n");
    EXPECT_EQ(result.out, "");
    EXPECT_EQ(dir.entries(), before) << "an output or temporary file was left";
  }

  std::string output() const { return dir.path("out.pemb"); }

  TempDir dir, logs;
};

TEST_F(ImportCommandTest, BadMagic) {
  std::string a = file("a.npy", "PK\x03\x04 not numpy at all");
  expectImportError("--npy " + a,
                    a + ": error: not a .npy file: the first bytes are [50 4b "
                        "03 04 20 6e], expected the magic \\x93NUMPY");
}

TEST_F(ImportCommandTest, UnsupportedVersion) {
  std::string bytes = npyF32(ramp(2, 2), 2, 2);
  bytes[6] = 9;
  bytes[7] = 1;
  std::string a = file("a.npy", bytes);
  expectImportError("--npy " + a,
                    a + ": error: unsupported .npy format version 9.1 "
                        "(supported: 1.0, 2.0, 3.0)");
}

TEST_F(ImportCommandTest, HeaderLengthPastEnd) {
  // Version 2: a 4-byte header length of 65536 in a 40-byte file.
  std::string bytes = std::string("\x93NUMPY\x02\x00\x00\x00\x01\x00", 12);
  bytes += std::string(28, ' ');
  std::string a = file("a.npy", bytes);
  expectImportError("--npy " + a,
                    a + ": error: header length 65536 runs past the end of "
                        "the file (header would end at byte 65548, file has "
                        "40 bytes)");
}

TEST_F(ImportCommandTest, TruncatedData) {
  std::string bytes = npyF32(ramp(4, 8), 4, 8);
  bytes.resize(bytes.size() - 5);
  std::string a = file("a.npy", bytes);
  expectImportError("--npy " + a,
                    a + ": error: truncated data: shape (4, 8) of <f4 needs "
                        "128 bytes after the header, the file has 123");
}

TEST_F(ImportCommandTest, ObjectDtype) {
  std::string a = file("a.npy", npyBytes("|O", "(3,)", std::string(24, 'x')));
  expectImportError("--npy " + a,
                    a + ": error: dtype '|O' holds Python objects, which "
                        "cannot be read: save the embeddings as a float "
                        "array");
}

TEST_F(ImportCommandTest, UnknownDtype) {
  std::string a = file("a.npy", npyBytes("<u2", "(2, 2)", std::string(8, 0)));
  expectImportError("--npy " + a,
                    a + ": error: unsupported dtype '<u2': expected float16, "
                        "float32 or float64 ('<f2', '<f4' or '<f8')");
}

TEST_F(ImportCommandTest, BigEndianIsConverted) {
  // (1, 2) big-endian float32: 1.5 (0x3FC00000) and -2 (0xC0000000).
  std::string data("\x3f\xc0\x00\x00\xc0\x00\x00\x00", 8);
  std::string a = file("a.npy", npyBytes(">f4", "(1, 2)", data));
  RunResult result = prism("data import --npy " + a + " -o " + output());
  ASSERT_EQ(result.exitCode, 0) << result.err;
  StatusOr<Dataset> dataset = Dataset::open(output());
  ASSERT_TRUE(dataset.isOk()) << dataset.getStatus().str();
  EXPECT_EQ(dataset->row(0)[0], 1.5f);
  EXPECT_EQ(dataset->row(0)[1], -2.0f);
}

TEST_F(ImportCommandTest, OneDimensionalShape) {
  std::string a = file("a.npy", npyBytes("<f4", "(5,)", f32Bytes(ramp(1, 5))));
  expectImportError("--npy " + a,
                    a + ": error: shape (5,) is not supported: expected a 2-D "
                        "array (rows, d) or stacked pairs (2, N, d)");
}

TEST_F(ImportCommandTest, ThreeDimensionalShapeThatIsNotPairs) {
  std::string a =
      file("a.npy", npyBytes("<f4", "(3, 2, 2)", f32Bytes(ramp(3, 4))));
  expectImportError("--npy " + a,
                    a + ": error: shape (3, 2, 2) is not supported: expected "
                        "a 2-D array (rows, d) or stacked pairs (2, N, d)");
}

TEST_F(ImportCommandTest, StackedLayoutOnTwoDimensionalArray) {
  std::string a = file("a.npy", npyF32(ramp(2, 3), 2, 3));
  expectImportError("--npy " + a + " --layout stacked-pairs",
                    a + ": error: --layout stacked-pairs needs a (2, N, d) "
                        "array, but the shape is (2, 3)");
}

TEST_F(ImportCommandTest, ImageAndTextRowCountsDiffer) {
  std::string img = file("img.npy", npyF32(ramp(3, 4), 3, 4));
  std::string txt = file("txt.npy", npyF32(ramp(2, 4), 2, 4));
  expectImportError("--npy " + img + " --modality image --npy " + txt +
                        " --modality text",
                    txt +
                        ": error: image and text row counts differ: 3 image "
                        "rows (from " +
                        img +
                        ") and 2 text rows; aligned pairs need equal counts "
                        "(pass --unpaired to import them without pairing)");
}

TEST_F(ImportCommandTest, ImageAndTextDimensionsDiffer) {
  std::string img = file("img.npy", npyF32(ramp(2, 4), 2, 4));
  std::string txt = file("txt.npy", npyF32(ramp(2, 3), 2, 3));
  expectImportError(
      "--npy " + img + " --modality image --npy " + txt + " --modality text",
      txt + ": error: embedding dimension 3 differs from 4 in " + img);
}

TEST_F(ImportCommandTest, NaNNamesTheFirstBadRow) {
  std::vector<float> values = ramp(3, 4);
  values[1 * 4 + 2] = NAN;
  values[2 * 4 + 0] = NAN;
  std::string a = file("a.npy", npyF32(values, 3, 4));
  expectImportError("--npy " + a,
                    a + ": error: non-finite value (NaN) at index [1, 2], row "
                        "1; pass --allow-nonfinite to import it anyway");
}

TEST_F(ImportCommandTest, InfInStackedPairsNamesTheTextRow) {
  std::vector<float> values = ramp(2 * 2, 3);
  values[(1 * 2 + 1) * 3 + 2] = -INFINITY; // element [1, 1, 2]
  std::string a = file("a.npy", npyBytes("<f4", "(2, 2, 3)", f32Bytes(values)));
  expectImportError("--npy " + a,
                    a + ": error: non-finite value (Inf) at index [1, 1, 2], "
                        "text row 1; pass --allow-nonfinite to import it "
                        "anyway");
}

TEST_F(ImportCommandTest, AllowNonfiniteImportsAndCounts) {
  std::vector<float> values = ramp(3, 4);
  values[5] = NAN;
  std::string a = file("a.npy", npyF32(values, 3, 4));
  RunResult result =
      prism("data import --allow-nonfinite --npy " + a + " -o " + output());
  ASSERT_EQ(result.exitCode, 0) << result.err;
  RunResult info = prism("data info --json " + output());
  ASSERT_EQ(info.exitCode, 0) << info.err;
  EXPECT_NE(info.out.find("\"nonfinite\": {\n    \"values\": 1,\n    "
                          "\"rows\": 1\n  }"),
            std::string::npos)
      << info.out;
}

TEST_F(ImportCommandTest, ZeroRows) {
  std::string a = file("a.npy", npyBytes("<f4", "(0, 4)", ""));
  expectImportError("--npy " + a,
                    a + ": error: the array has zero rows (shape (0, 4))");
}

TEST_F(ImportCommandTest, CaptionCountMismatch) {
  std::string a =
      file("a.npy", npyBytes("<f4", "(2, 3, 4)", f32Bytes(ramp(6, 4))));
  std::string captions =
      file("captions.tsv", "index\tcaption\n0\ta dog\n1\ta cat\n");
  expectImportError("--npy " + a + " --captions " + captions,
                    captions +
                        ": error: has 2 captions, but the dataset has 3 pairs");
}

TEST_F(ImportCommandTest, FailureLeavesAnExistingOutputUntouched) {
  writeBytes(output(), "previous dataset");
  std::string a = file("a.npy", npyBytes("<f4", "(0, 4)", ""));
  RunResult result = prism("data import --npy " + a + " -o " + output());
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_EQ(contentsOf(output()), "previous dataset");
}

TEST_F(ImportCommandTest, LayoutBeforeAnyInput) {
  RunResult result = prism("data import --layout rows -o " + output());
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_EQ(result.err, "prism data import: error: --layout applies to an "
                        "input: put it after --npy FILE\n");
}

TEST_F(ImportCommandTest, MissingOutput) {
  std::string a = file("a.npy", npyF32(ramp(2, 2), 2, 2));
  RunResult result = prism("data import --npy " + a);
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_EQ(result.err, "prism data import: error: no output: pass -o OUT\n");
}

TEST_F(ImportCommandTest, InfoOnANonDataset) {
  std::string a = file("a.npy", npyF32(ramp(2, 2), 2, 2));
  RunResult result = prism("data info " + a);
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_EQ(result.err, a + ": error: not a Prism dataset: expected the magic "
                            "'PRISMEMB' in the first 8 bytes\n");
}

TEST_F(ImportCommandTest, SeparateFilesPairByIndex) {
  std::string img = file("img.npy", npyF32({1, 0, 0, 1}, 2, 2));
  std::string txt = file("txt.npy", npyF32({1, 1, 0, 2}, 2, 2));
  RunResult result =
      prism("data import --npy " + img + " --modality image --npy " + txt +
            " --modality text -o " + output());
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(result.out, "wrote " + output() +
                            ": 4 rows (2 image, 2 text), d = 2, 2 pairs, 0 "
                            "captions\n");
  StatusOr<Dataset> dataset = Dataset::open(output());
  ASSERT_TRUE(dataset.isOk());
  EXPECT_EQ(dataset->pairId(0), 0);
  EXPECT_EQ(dataset->pairId(1), 1);
  EXPECT_EQ(dataset->pairId(2), 0);
  EXPECT_EQ(dataset->pairId(3), 1);
  EXPECT_EQ(dataset->modality(3), Modality::Text);
}

TEST_F(ImportCommandTest, ColumnsLayoutTransposes) {
  // A (d = 2, N = 3) array: column j is embedding j.
  std::string a = file("a.npy", npyF32({1, 2, 3, 4, 5, 6}, 2, 3));
  RunResult result = prism("data import --npy " + a +
                           " --layout columns --modality text -o " + output());
  ASSERT_EQ(result.exitCode, 0) << result.err;
  StatusOr<Dataset> dataset = Dataset::open(output());
  ASSERT_TRUE(dataset.isOk());
  ASSERT_EQ(dataset->rows(), 3u);
  ASSERT_EQ(dataset->dim(), 2u);
  std::vector<float> rows(dataset->data(), dataset->data() + 6);
  EXPECT_EQ(rows, (std::vector<float>{1, 4, 2, 5, 3, 6}));
}

} // namespace
