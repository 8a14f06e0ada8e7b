//===- Checkpoint.cpp - Crash-safe training checkpoints -------------------===//
//
// Every step that could be interrupted leaves the checkpoints directory in a
// state the loader accepts: files are finished in a hidden temporary
// directory, the directory appears under its final name by one rename, and
// old checkpoints are renamed away before they are deleted.
//
//===----------------------------------------------------------------------===//

#include "prism/runtime/Checkpoint.h"
#include "prism/runtime/AtomicFile.h"
#include "prism/runtime/MappedFile.h"
#include "prism/runtime/SafeTensors.h"
#include "prism/runtime/Support.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>

using namespace prism;
using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

static const char kWeightsFile[] = "sae_weights.safetensors";
static const char kConfigFile[] = "cfg.json";
static const char kStateFile[] = "state.safetensors";
static const char kManifestFile[] = "manifest.json";
static const char kLatestFile[] = "latest";
static const char kManifestFormat[] = "prism-checkpoint";
static const int kManifestVersion = 1;

static const char *const kConfigKeys[] = {"architecture", "d_in",   "d_sae",
                                          "dtype",        "device", "prism"};

//===----------------------------------------------------------------------===//
// File system helpers
//===----------------------------------------------------------------------===//

static std::string errnoText() { return std::strerror(errno); }

static std::string join(const std::string &dir, const std::string &name) {
  return dir.empty() || dir.back() == '/' ? dir + name : dir + "/" + name;
}

static bool isDirectory(const std::string &path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

static Status makeDirectories(const std::string &path) {
  for (size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
    std::string prefix = path.substr(0, slash);
    if (!prefix.empty() && ::mkdir(prefix.c_str(), 0777) != 0 &&
        errno != EEXIST)
      return Status::error(prefix, "cannot create directory: " + errnoText());
    if (slash == std::string::npos)
      break;
  }
  if (!isDirectory(path))
    return Status::error(path, "not a directory");
  return Status::ok();
}

/// Makes the directory's entries (renames, new files) durable.
static Status syncDirectory(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return Status::error(path, "cannot open directory: " + errnoText());
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0)
    return Status::error(path, "fsync failed: " + std::string(strerror(err)));
  return Status::ok();
}

static int removeEntry(const char *path, const struct stat *, int,
                       struct FTW *) {
  return ::remove(path);
}

static void removeTree(const std::string &path) {
  ::nftw(path.c_str(), removeEntry, 16, FTW_DEPTH | FTW_PHYS);
}

static std::vector<std::string> listDirectory(const std::string &path) {
  std::vector<std::string> names;
  if (DIR *dir = ::opendir(path.c_str())) {
    while (dirent *entry = ::readdir(dir)) {
      std::string name = entry->d_name;
      if (name != "." && name != "..")
        names.push_back(name);
    }
    ::closedir(dir);
  }
  return names;
}

static std::string makeTempDirectory(const std::string &pattern) {
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (!::mkdtemp(buffer.data()))
    return "";
  return buffer.data();
}

static bool startsWith(const std::string &text, const std::string &prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

/// The step of a `step-N` name; false for anything else.
static bool parseStepName(const std::string &name, uint64_t &step) {
  if (!startsWith(name, "step-") || name.size() == 5 || name.size() > 25)
    return false;
  step = 0;
  for (size_t i = 5; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9')
      return false;
    uint64_t digit = static_cast<uint64_t>(name[i] - '0');
    if (step > (UINT64_MAX - digit) / 10)
      return false;
    step = step * 10 + digit;
  }
  return true;
}

static std::string baseName(const std::string &path) {
  std::string trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/')
    trimmed.pop_back();
  size_t slash = trimmed.find_last_of('/');
  return slash == std::string::npos ? trimmed : trimmed.substr(slash + 1);
}

static Status writeTextFile(const std::string &path, const std::string &text) {
  StatusOr<AtomicFileWriter> out = AtomicFileWriter::create(path);
  if (!out.isOk())
    return out.getStatus();
  Status status = out->write(text.data(), text.size());
  if (!status.isOk())
    return status;
  return out->commit();
}

static StatusOr<std::string> readTextFile(const std::string &path) {
  StatusOr<MappedFile> file = MappedFile::open(path);
  if (!file.isOk())
    return file.getStatus();
  return std::string(reinterpret_cast<const char *>(file->data()),
                     file->size());
}

static std::string hex64(uint64_t value) {
  char buffer[17];
  std::snprintf(buffer, sizeof(buffer), "%016llx",
                static_cast<unsigned long long>(value));
  return buffer;
}

std::string prism::checkpointDirName(uint64_t step) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "step-%09llu",
                static_cast<unsigned long long>(step));
  return buffer;
}

/// The steps of the `step-*` directories in `dir`, ascending.
static std::vector<uint64_t> stepsIn(const std::string &dir) {
  std::vector<uint64_t> steps;
  for (const std::string &name : listDirectory(dir)) {
    uint64_t step;
    if (parseStepName(name, step) && isDirectory(join(dir, name)))
      steps.push_back(step);
  }
  std::sort(steps.begin(), steps.end());
  return steps;
}

std::vector<uint64_t> prism::listCheckpointSteps(const std::string &runDir) {
  return stepsIn(join(runDir, "checkpoints"));
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

static StatusOr<std::string> configText(const std::string &path,
                                        const CheckpointConfig &config) {
  ordered_json cfg;
  cfg["architecture"] = config.architecture;
  cfg["d_in"] = config.dIn;
  cfg["d_sae"] = config.dSae;
  cfg["dtype"] = config.dtype;
  cfg["device"] = config.device;
  for (const auto &[key, text] : config.extraJson) {
    if (std::find(std::begin(kConfigKeys), std::end(kConfigKeys), key) !=
        std::end(kConfigKeys))
      return Status::error(path, "extra config field '" + key +
                                     "' would replace a field Prism writes");
    ordered_json value = ordered_json::parse(text, nullptr, false);
    if (value.is_discarded())
      return Status::error(path, "extra config field '" + key +
                                     "' is not valid JSON: " + text);
    cfg[key] = std::move(value);
  }
  cfg["prism"] = {
      {"model", config.model}, {"step", config.step}, {"seed", config.seed}};
  if (!config.mix.empty())
    cfg["prism"]["mix"] = config.mix;
  try {
    return cfg.dump(2) + "\n";
  } catch (const json::exception &error) {
    return Status::error(path, std::string("cannot encode the config: ") +
                                   error.what());
  }
}

static Status writeTensors(const std::string &path,
                           const std::vector<TensorRef> &tensors,
                           const std::map<std::string, std::string> &metadata) {
  SafeTensorsWriter writer;
  for (const auto &[key, value] : metadata)
    writer.setMetadata(key, value);
  for (const TensorRef &tensor : tensors)
    writer.addFloat32(tensor.name, tensor.shape, tensor.data);
  return writer.write(path);
}

/// Writes the four files of a checkpoint into `dir`.
static Status writeFiles(const std::string &dir, const CheckpointData &data) {
  StatusOr<std::string> cfg = configText(join(dir, kConfigFile), data.config);
  if (!cfg.isOk())
    return cfg.getStatus();
  Status status = writeTensors(join(dir, kWeightsFile), data.weights, {});
  if (status.isOk())
    status = writeTextFile(join(dir, kConfigFile), *cfg);
  if (status.isOk())
    status =
        writeTensors(join(dir, kStateFile), data.state, data.stateMetadata);
  if (!status.isOk())
    return status;

  // The manifest lets a loader tell a damaged checkpoint from a good one.
  ordered_json manifest;
  manifest["format"] = kManifestFormat;
  manifest["version"] = kManifestVersion;
  manifest["step"] = data.config.step;
  ordered_json files = ordered_json::object();
  for (const char *name : {kWeightsFile, kConfigFile, kStateFile}) {
    StatusOr<MappedFile> file = MappedFile::open(join(dir, name));
    if (!file.isOk())
      return file.getStatus();
    files[name] = {{"bytes", file->size()},
                   {"fnv1a64", hex64(fnv1a64(file->data(), file->size()))}};
  }
  manifest["files"] = std::move(files);
  status = writeTextFile(join(dir, kManifestFile), manifest.dump(2) + "\n");
  if (!status.isOk())
    return status;
  return syncDirectory(dir);
}

/// Moves `path` out of the way under a hidden name, then deletes it, so a
/// crash mid-delete never leaves a partial `step-*` directory.
static void discard(const std::string &checkpointsDir,
                    const std::string &path) {
  std::string trash = makeTempDirectory(join(checkpointsDir, ".trash-XXXXXX"));
  if (trash.empty())
    return;
  // rename() may replace an empty directory.
  if (::rename(path.c_str(), trash.c_str()) != 0) {
    ::rmdir(trash.c_str());
    return;
  }
  removeTree(trash);
}

CheckpointWriter::CheckpointWriter(std::string runDir, unsigned keep)
    : dir(join(runDir, "checkpoints")), keep(keep < 1 ? 1 : keep) {}

Status CheckpointWriter::write(const CheckpointData &data) {
  Status status = makeDirectories(dir);
  if (!status.isOk())
    return status;
  // The first checkpoint also makes `checkpoints/` itself; keep that durable.
  status = syncDirectory(join(dir, ".."));
  if (!status.isOk())
    return status;
  // Leftovers of writers that were killed.
  for (const std::string &name : listDirectory(dir))
    if (startsWith(name, ".tmp-") || startsWith(name, ".trash-") ||
        startsWith(name, std::string(kLatestFile) + ".tmp."))
      removeTree(join(dir, name));

  std::string name = checkpointDirName(data.config.step);
  std::string temp = makeTempDirectory(join(dir, ".tmp-" + name + "-XXXXXX"));
  if (temp.empty())
    return Status::error(dir,
                         "cannot create a temporary directory: " + errnoText());
  status = writeFiles(temp, data);
  if (!status.isOk()) {
    removeTree(temp);
    return status;
  }

  std::string target = join(dir, name);
  if (isDirectory(target)) {
    // Rewriting a step (after a resume from an earlier one): swap the two
    // directories in one step, then delete the old one. Where the file system
    // cannot swap, move the old one away first; a crash in between leaves
    // `latest` naming a missing step, and loading falls back.
    if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, target.c_str(),
                    RENAME_EXCHANGE) != 0) {
      if (errno != EINVAL && errno != ENOSYS) {
        status = Status::error(target,
                               "cannot replace the checkpoint: " + errnoText());
        removeTree(temp);
        return status;
      }
      discard(dir, target);
      if (::rename(temp.c_str(), target.c_str()) != 0) {
        status = Status::error(target, "cannot move the finished checkpoint "
                                       "into place: " +
                                           errnoText());
        removeTree(temp);
        return status;
      }
    }
  } else if (::rename(temp.c_str(), target.c_str()) != 0) {
    status = Status::error(target, "cannot move the finished checkpoint into "
                                   "place: " +
                                       errnoText());
    removeTree(temp);
    return status;
  }
  removeTree(temp); // the old checkpoint after a swap; nothing otherwise
  status = syncDirectory(dir);
  if (!status.isOk())
    return status;
  status = writeTextFile(join(dir, kLatestFile), name + "\n");
  if (!status.isOk())
    return status;

  // Later steps belong to a timeline a resume abandoned; of the earlier ones
  // keep the newest keep - 1.
  std::vector<uint64_t> steps = stepsIn(dir);
  unsigned kept = 1;
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    if (*it == data.config.step)
      continue;
    if (*it < data.config.step && kept < keep) {
      ++kept;
      continue;
    }
    discard(dir, join(dir, checkpointDirName(*it)));
  }
  return syncDirectory(dir);
}

//===----------------------------------------------------------------------===//
// Loading
//===----------------------------------------------------------------------===//

const Tensor *Checkpoint::weight(const std::string &name) const {
  for (const Tensor &tensor : weights)
    if (tensor.name == name)
      return &tensor;
  return nullptr;
}

const Tensor *Checkpoint::stateTensor(const std::string &name) const {
  for (const Tensor &tensor : state)
    if (tensor.name == name)
      return &tensor;
  return nullptr;
}

static StatusOr<json> readJson(const std::string &path) {
  StatusOr<std::string> text = readTextFile(path);
  if (!text.isOk())
    return text.getStatus();
  json value = json::parse(*text, nullptr, false);
  if (value.is_discarded() || !value.is_object())
    return Status::error(path, "not a JSON object");
  return value;
}

// Files on disk may hold anything: these read a field without throwing, as
// nlohmann's value() does when the type differs.
static std::string stringField(const json &object, const char *key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

static std::optional<uint64_t> unsignedField(const json &object,
                                             const char *key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_unsigned())
    return std::nullopt;
  return it->get<uint64_t>();
}

static const json *objectField(const json &object, const char *key) {
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? &*it : nullptr;
}

/// Checks each file against the size and hash the manifest recorded.
static Status verifyManifest(const std::string &dir, uint64_t &step) {
  std::string path = join(dir, kManifestFile);
  StatusOr<json> manifest = readJson(path);
  if (!manifest.isOk())
    return manifest.getStatus();
  if (stringField(*manifest, "format") != kManifestFormat ||
      unsignedField(*manifest, "version") != uint64_t(kManifestVersion))
    return Status::error(path, std::string("not a version ") +
                                   std::to_string(kManifestVersion) + " " +
                                   kManifestFormat + " manifest");
  std::optional<uint64_t> manifestStep = unsignedField(*manifest, "step");
  const json *files = objectField(*manifest, "files");
  if (!manifestStep || !files)
    return Status::error(path, "manifest lacks the step or the file list");
  step = *manifestStep;
  for (const char *name : {kWeightsFile, kConfigFile, kStateFile}) {
    const json *entry = objectField(*files, name);
    std::optional<uint64_t> bytes =
        entry ? unsignedField(*entry, "bytes") : std::nullopt;
    if (!bytes)
      return Status::error(path, std::string("manifest does not give the "
                                             "size of ") +
                                     name);
    std::string file = join(dir, name);
    StatusOr<MappedFile> mapped = MappedFile::open(file);
    if (!mapped.isOk())
      return mapped.getStatus();
    if (mapped->size() != *bytes)
      return Status::error(file, "file is " + std::to_string(mapped->size()) +
                                     " bytes, the manifest says " +
                                     std::to_string(*bytes));
    std::string hash = hex64(fnv1a64(mapped->data(), mapped->size()));
    if (stringField(*entry, "fnv1a64") != hash)
      return Status::error(file, "content hash " + hash +
                                     " differs from the manifest's '" +
                                     stringField(*entry, "fnv1a64") + "'");
  }
  return Status::ok();
}

static Status readConfig(const std::string &path, CheckpointConfig &config) {
  StatusOr<json> parsed = readJson(path);
  if (!parsed.isOk())
    return parsed.getStatus();
  const json &cfg = *parsed;
  const json *prismFields = objectField(cfg, "prism");
  std::optional<uint64_t> dIn = unsignedField(cfg, "d_in");
  std::optional<uint64_t> dSae = unsignedField(cfg, "d_sae");
  std::optional<uint64_t> step =
      prismFields ? unsignedField(*prismFields, "step") : std::nullopt;
  if (!dIn || !dSae || !step)
    return Status::error(path, "expected d_in, d_sae and prism.step as "
                               "non-negative integers");
  config.architecture = stringField(cfg, "architecture");
  config.dIn = *dIn;
  config.dSae = *dSae;
  config.dtype = stringField(cfg, "dtype");
  config.device = stringField(cfg, "device");
  config.model = stringField(*prismFields, "model");
  config.step = *step;
  config.seed = unsignedField(*prismFields, "seed").value_or(0);
  config.mix = stringField(*prismFields, "mix");
  for (auto item = cfg.begin(); item != cfg.end(); ++item)
    if (std::find(std::begin(kConfigKeys), std::end(kConfigKeys), item.key()) ==
        std::end(kConfigKeys))
      config.extraJson[item.key()] = item->dump();
  return Status::ok();
}

static Status readTensors(const std::string &path, std::vector<Tensor> &out,
                          std::map<std::string, std::string> *metadata) {
  StatusOr<SafeTensorsFile> file = SafeTensorsFile::open(path);
  if (!file.isOk())
    return file.getStatus();
  for (const SafeTensorInfo &info : file->tensors()) {
    StatusOr<std::vector<float>> values = file->readFloat32(info.name);
    if (!values.isOk())
      return values.getStatus();
    out.push_back({info.name, info.shape, values.take()});
  }
  if (metadata)
    *metadata = file->metadata();
  return Status::ok();
}

static Status checkShapes(const std::string &path,
                          const std::vector<Tensor> &tensors,
                          const std::vector<TensorSpec> &specs) {
  for (const TensorSpec &spec : specs) {
    auto found =
        std::find_if(tensors.begin(), tensors.end(), [&](const Tensor &tensor) {
          return tensor.name == spec.name;
        });
    if (found == tensors.end())
      return Status::error(path, "no tensor '" + spec.name +
                                     "' (expected shape " +
                                     shapeString(spec.shape) + ")");
    if (found->shape != spec.shape)
      return Status::error(path, "tensor '" + spec.name + "' has shape " +
                                     shapeString(found->shape) + ", expected " +
                                     shapeString(spec.shape));
  }
  return Status::ok();
}

static Status checkExpectation(const Checkpoint &checkpoint,
                               const CheckpointExpectation &expected) {
  Status status = checkShapes(join(checkpoint.directory, kWeightsFile),
                              checkpoint.weights, expected.weights);
  if (!status.isOk())
    return status;
  return checkShapes(join(checkpoint.directory, kStateFile), checkpoint.state,
                     expected.state);
}

/// Loads and verifies `directory`, without checking any expectation.
static StatusOr<Checkpoint> loadVerified(const std::string &directory) {
  if (!isDirectory(directory))
    return Status::error(directory, "no such checkpoint directory");
  uint64_t manifestStep = 0;
  Status status = verifyManifest(directory, manifestStep);
  if (!status.isOk())
    return status;
  Checkpoint checkpoint;
  checkpoint.directory = directory;
  status = readConfig(join(directory, kConfigFile), checkpoint.config);
  if (!status.isOk())
    return status;
  uint64_t nameStep;
  if (checkpoint.config.step != manifestStep ||
      (parseStepName(baseName(directory), nameStep) &&
       nameStep != manifestStep))
    return Status::error(
        join(directory, kConfigFile),
        "config says step " + std::to_string(checkpoint.config.step) +
            ", the manifest " + std::to_string(manifestStep) +
            ", the directory name '" + baseName(directory) + "'");
  status =
      readTensors(join(directory, kWeightsFile), checkpoint.weights, nullptr);
  if (!status.isOk())
    return status;
  status = readTensors(join(directory, kStateFile), checkpoint.state,
                       &checkpoint.stateMetadata);
  if (!status.isOk())
    return status;
  return checkpoint;
}

StatusOr<Checkpoint>
prism::loadCheckpointDirectory(const std::string &directory,
                               const CheckpointExpectation &expected) {
  StatusOr<Checkpoint> checkpoint = loadVerified(directory);
  if (!checkpoint.isOk())
    return checkpoint;
  Status status = checkExpectation(*checkpoint, expected);
  if (!status.isOk())
    return status;
  return checkpoint;
}

StatusOr<Checkpoint>
prism::loadCheckpoint(const std::string &runDir,
                      const CheckpointExpectation &expected) {
  std::string dir = join(runDir, "checkpoints");
  if (!isDirectory(dir))
    return Status::error(runDir,
                         "no checkpoints (expected a directory " + dir + ")");
  std::vector<std::string> skipped;
  std::string tried;
  std::optional<Checkpoint> chosen;
  // Loads checkpoint `name`, or records why it cannot serve.
  auto tryLoad = [&](const std::string &name) {
    StatusOr<Checkpoint> loaded = loadVerified(join(dir, name));
    if (loaded.isOk())
      chosen = loaded.take();
    else
      skipped.push_back(loaded.getStatus().str());
  };

  std::string latestPath = join(dir, kLatestFile);
  StatusOr<std::string> latest = readTextFile(latestPath);
  uint64_t step;
  if (!latest.isOk()) {
    skipped.push_back(latest.getStatus().str());
  } else {
    std::string name = *latest;
    while (!name.empty() && (name.back() == '\n' || name.back() == '\r'))
      name.pop_back();
    if (!parseStepName(name, step)) {
      skipped.push_back(Status::error(latestPath, "does not name a step-N "
                                                  "checkpoint")
                            .str());
    } else {
      tried = name;
      tryLoad(name);
    }
  }

  if (!chosen) {
    std::vector<uint64_t> steps = stepsIn(dir);
    for (auto it = steps.rbegin(); it != steps.rend() && !chosen; ++it) {
      std::string name = checkpointDirName(*it);
      if (name != tried)
        tryLoad(name);
    }
  }
  if (!chosen) {
    std::string reasons;
    for (const std::string &reason : skipped)
      reasons += "\n  " + reason;
    return Status::error(dir, "no complete checkpoint" +
                                  (reasons.empty() ? "" : ":" + reasons));
  }
  chosen->skipped = std::move(skipped);
  Status status = checkExpectation(*chosen, expected);
  if (!status.isOk())
    return status;
  return std::move(*chosen);
}

std::string prism::formatMetaDouble(double value) {
  char text[64];
  std::snprintf(text, sizeof(text), "%a", value);
  return text;
}

bool prism::readMeta(const std::map<std::string, std::string> &meta,
                     const std::string &key, uint64_t &out) {
  auto it = meta.find(key);
  if (it == meta.end() || it->second.empty())
    return false;
  char *end = nullptr;
  errno = 0;
  out = std::strtoull(it->second.c_str(), &end, 10);
  return errno == 0 && *end == '\0';
}

bool prism::readMeta(const std::map<std::string, std::string> &meta,
                     const std::string &key, double &out) {
  auto it = meta.find(key);
  if (it == meta.end() || it->second.empty())
    return false;
  char *end = nullptr;
  out = std::strtod(it->second.c_str(), &end);
  return *end == '\0';
}
