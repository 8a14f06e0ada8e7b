//===- CompileModel.cpp - Running prismc from prism -----------------------===//

#include "CompileModel.h"

#include <cerrno>
#include <climits>
#include <cstring>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace prism;

extern char **environ;

/// The directory holding the running `prism` binary.
static std::string selfDirectory() {
  char buffer[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof(buffer) - 1);
  if (n <= 0)
    return ".";
  std::string path(buffer, static_cast<size_t>(n));
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

Status prism::cli::compileModel(const std::string &model,
                                const std::string &out,
                                const std::vector<std::string> &extra) {
  std::string prismc = selfDirectory() + "/prismc";
  if (::access(prismc.c_str(), X_OK) != 0)
    return Status::error(model, "compiling a .sae model needs prismc beside "
                                "prism, but " +
                                    prismc +
                                    " is missing; compile it where prismc is "
                                    "installed (prismc " +
                                    model +
                                    " -emit=program -o PROGRAM) and use "
                                    "PROGRAM");
  std::vector<std::string> argv = {prismc, model, "-emit=program", "-o", out};
  argv.insert(argv.end(), extra.begin(), extra.end());
  std::vector<char *> pointers;
  for (std::string &arg : argv)
    pointers.push_back(arg.data());
  pointers.push_back(nullptr);
  pid_t pid;
  int error = ::posix_spawn(&pid, prismc.c_str(), nullptr, nullptr,
                            pointers.data(), environ);
  if (error != 0)
    return Status::error(model,
                         "cannot run " + prismc + ": " + std::strerror(error));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string how = WIFEXITED(status)
                          ? "exit status " + std::to_string(WEXITSTATUS(status))
                          : "signal " + std::to_string(WTERMSIG(status));
    return Status::error(model,
                         "prismc failed to compile the model (" + how + ")");
  }
  return Status::ok();
}
