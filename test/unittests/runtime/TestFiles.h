//===- TestFiles.h - Files and commands of the runtime tests ---*- C++ -*-===//
//
// Each test builds its input bytes here, independently of the code under test:
// .npy files are assembled field by field from the format's description.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_TEST_UNITTESTS_TESTFILES_H
#define PRISM_TEST_UNITTESTS_TESTFILES_H

// Reference checks run Debian's python3 (numpy, scipy); CMake sets the path.
#ifndef PRISM_PYTHON
#define PRISM_PYTHON "/usr/bin/python3"
#endif

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace prism::test {

/// Names of the entries of directory `path`, sorted; empty if unreadable.
inline std::vector<std::string> listEntries(const std::string &path) {
  std::vector<std::string> names;
  if (DIR *dir = ::opendir(path.c_str())) {
    while (dirent *entry = ::readdir(dir)) {
      std::string name = entry->d_name;
      if (name != "." && name != "..")
        names.push_back(name);
    }
    ::closedir(dir);
  }
  std::sort(names.begin(), names.end());
  return names;
}

/// The bytes of file `path`; empty if unreadable.
inline std::string contentsOf(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// A fresh directory under the system temp dir, removed with its contents.
class TempDir {
public:
  TempDir() {
    std::string pattern = "/tmp/prism-test-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    root = ::mkdtemp(buffer.data());
  }
  ~TempDir() { std::system(("rm -rf '" + root + "'").c_str()); }
  std::string path(const std::string &name) const { return root + "/" + name; }
  /// Names of the entries in the directory, sorted.
  std::vector<std::string> entries() const { return listEntries(root); }

private:
  std::string root;
};

/// What a command printed and how it exited.
struct RunResult {
  int exitCode = -1;
  std::string out, err;
};

/// Runs shell `command` with no stdin, its output captured in `logs`.
inline RunResult runCommand(const std::string &command, const TempDir &logs) {
  int status = std::system((command + " >" + logs.path("out") + " 2>" +
                            logs.path("err") + " </dev/null")
                               .c_str());
  RunResult result;
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = contentsOf(logs.path("out"));
  result.err = contentsOf(logs.path("err"));
  return result;
}

inline void writeBytes(const std::string &path, const std::string &bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline void writeText(const std::string &path, const std::string &text) {
  writeBytes(path, text);
}

/// The bytes of a .npy file: magic, version, header length, the header dict
/// padded with spaces to a 64-byte boundary and ended by '\n', then `data`.
inline std::string npyBytes(const std::string &descr, const std::string &shape,
                            const std::string &data, int major = 1,
                            bool fortran = false) {
  std::string dict = "{'descr': '" + descr +
                     "', 'fortran_order': " + (fortran ? "True" : "False") +
                     ", 'shape': " + shape + ", }";
  size_t lengthBytes = major == 1 ? 2 : 4;
  size_t unpadded = 8 + lengthBytes + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  for (size_t i = 0; i < lengthBytes; ++i)
    out += static_cast<char>((dict.size() >> (8 * i)) & 0xff);
  return out + dict + data;
}

/// Little-endian float32 bytes of `values`.
inline std::string f32Bytes(const std::vector<float> &values) {
  std::string out(values.size() * 4, '\0');
  for (size_t i = 0; i < values.size(); ++i) {
    uint32_t bits;
    std::memcpy(&bits, &values[i], 4);
    for (int b = 0; b < 4; ++b)
      out[i * 4 + b] = static_cast<char>(bits >> (8 * b));
  }
  return out;
}

/// Row-major float32 .npy of shape (rows, cols) holding `values`.
inline std::string npyF32(const std::vector<float> &values, size_t rows,
                          size_t cols) {
  return npyBytes(
      "<f4", "(" + std::to_string(rows) + ", " + std::to_string(cols) + ")",
      f32Bytes(values));
}

/// rows x cols values 0.25 * (r * cols + c + 1): distinct, exact in fp16/32.
inline std::vector<float> ramp(size_t rows, size_t cols) {
  std::vector<float> values(rows * cols);
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = 0.25f * static_cast<float>(i + 1);
  return values;
}

} // namespace prism::test

#endif // PRISM_TEST_UNITTESTS_TESTFILES_H
