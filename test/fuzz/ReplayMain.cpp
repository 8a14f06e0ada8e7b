//===- ReplayMain.cpp - Run a fuzz target over files, without libFuzzer ---===//
//
// CI has no libFuzzer: this driver feeds each file named on the command line
// (or each file in a named directory) to LLVMFuzzerTestOneInput once, so the
// seed corpus and every saved crash input run as regression tests.
//
//===----------------------------------------------------------------------===//

#include <cstdint>
#include <cstdio>
#include <dirent.h>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/stat.h>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool isDirectory(const std::string &path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

int main(int argc, char **argv) {
  std::vector<std::string> inputs;
  for (int i = 1; i < argc; ++i) {
    std::string path = argv[i];
    if (!isDirectory(path)) {
      inputs.push_back(path);
      continue;
    }
    if (DIR *dir = ::opendir(path.c_str())) {
      while (dirent *entry = ::readdir(dir))
        if (entry->d_name[0] != '.')
          inputs.push_back(path + "/" + entry->d_name);
      ::closedir(dir);
    }
  }
  if (inputs.empty()) {
    std::fprintf(stderr, "replay: error: no inputs\n");
    return 1;
  }
  for (const std::string &path : inputs) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "%s: error: cannot open\n", path.c_str());
      return 1;
    }
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(bytes.data()),
                           bytes.size());
  }
  std::printf("replayed %zu inputs without a crash\n", inputs.size());
  return 0;
}
