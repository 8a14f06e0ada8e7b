//===- Checkpoint.h - Crash-safe training checkpoints -----------*- C++ -*-===//
//
// A run directory keeps its checkpoints under `checkpoints/`:
//
//   RUN/checkpoints/latest                  "step-000001200\n"
//   RUN/checkpoints/step-000001200/
//     sae_weights.safetensors               the model, SAELens layout
//     cfg.json                              SAELens-style config + "prism"
//     state.safetensors                     optimizer, counters, RNG, loader
//     manifest.json                         size and hash of the three above
//
// A checkpoint is written into a hidden temporary directory, every file and
// the directory are fsynced, and the directory is renamed into place; only
// then is `latest` replaced (atomically). A `step-*` directory is therefore
// complete or absent, whatever kill or crash interrupts the writer. Loading
// follows `latest`, and falls back to the newest checkpoint that verifies
// when `latest` is missing, damaged, or names a damaged checkpoint.
// docs/formats.md describes the files.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_CHECKPOINT_H
#define PRISM_RUNTIME_CHECKPOINT_H

#include "prism/runtime/Status.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace prism {

/// A float32 tensor the writer borrows: `data` holds product(shape) values.
struct TensorRef {
  std::string name;
  std::vector<uint64_t> shape;
  const float *data = nullptr;
};

/// A float32 tensor owned by a loaded checkpoint.
struct Tensor {
  std::string name;
  std::vector<uint64_t> shape;
  std::vector<float> values;

  TensorRef ref() const { return {name, shape, values.data()}; }
};

/// What cfg.json says. The first fields are SAELens's; `model`, `step`,
/// `seed` and `mix` go under the "prism" key.
struct CheckpointConfig {
  std::string architecture; // SAELens: "standard", "topk", "jumprelu", ...
  uint64_t dIn = 0, dSae = 0;
  std::string dtype = "float32";
  std::string device = "cpu";
  std::string model; // the .sae model the run trained
  uint64_t step = 0;
  uint64_t seed = 0;
  /// The image:text mixture trained on ("3:1", Mixture.h); empty, and
  /// absent from cfg.json, without one.
  std::string mix;
  /// More top-level cfg.json fields, each a JSON value as text, e.g.
  /// {"normalize_activations", "\"none\""} or {"k", "32"}. Read back as the
  /// compact JSON text of the value.
  std::map<std::string, std::string> extraJson;
};

/// A checkpoint to write; the tensors are borrowed.
struct CheckpointData {
  CheckpointConfig config;
  /// Model parameters, SAELens names: W_enc [d_in, d_sae], W_dec [d_sae,
  /// d_in], b_enc [d_sae], b_dec [d_in], threshold [d_sae], ...
  std::vector<TensorRef> weights;
  /// Everything else a resume needs: optimizer moments ("adam.m.W_enc"),
  /// dead-latent counters, ...
  std::vector<TensorRef> state;
  /// Exact scalars (step counter, RNG state, loader position), as decimal
  /// strings in state.safetensors's __metadata__.
  std::map<std::string, std::string> stateMetadata;
};

/// A loaded checkpoint.
struct Checkpoint {
  std::string directory; // RUN/checkpoints/step-...
  CheckpointConfig config;
  std::vector<Tensor> weights;
  std::vector<Tensor> state;
  std::map<std::string, std::string> stateMetadata;
  /// Checkpoints or pointers skipped on the way to this one, one message
  /// each, for the caller to print as warnings.
  std::vector<std::string> skipped;

  const Tensor *weight(const std::string &name) const;
  const Tensor *stateTensor(const std::string &name) const;
};

/// Exact scalars in `stateMetadata`: counters as decimals, doubles as %a
/// hexadecimal floats, which round-trip bit for bit.
std::string formatMetaDouble(double value);

/// Reads `key` of `meta` as written above; false when it is missing or not
/// a whole number (a double).
bool readMeta(const std::map<std::string, std::string> &meta,
              const std::string &key, uint64_t &out);
bool readMeta(const std::map<std::string, std::string> &meta,
              const std::string &key, double &out);

/// The name and shape a caller requires of a tensor.
struct TensorSpec {
  std::string name;
  std::vector<uint64_t> shape;
};

/// What loading must find; empty lists check nothing. Tensors the caller does
/// not list are loaded and returned too.
struct CheckpointExpectation {
  std::vector<TensorSpec> weights;
  std::vector<TensorSpec> state;
};

/// "step-000001200": steps are zero-padded to 9 digits so names sort.
std::string checkpointDirName(uint64_t step);

/// Publishes checkpoints into RUN/checkpoints. One writer per run directory.
class CheckpointWriter {
public:
  /// Keeps the newest `keep` checkpoints (at least 1).
  explicit CheckpointWriter(std::string runDir, unsigned keep = 2);

  /// Writes `data` as the checkpoint for data.config.step and points
  /// `latest` at it. Checkpoints of later steps (an abandoned future, after
  /// a resume from an earlier one) and all but the newest `keep` are
  /// removed, as are leftovers of interrupted writers.
  Status write(const CheckpointData &data);

  const std::string &checkpointsDir() const { return dir; }

private:
  std::string dir;
  unsigned keep;
};

/// Loads the checkpoint of `runDir` that `latest` names, or the newest one
/// that verifies, then checks `expected`: a tensor missing or of another
/// shape is an error naming the file, the tensor and both shapes.
StatusOr<Checkpoint> loadCheckpoint(const std::string &runDir,
                                    const CheckpointExpectation &expected = {});

/// Loads and verifies one checkpoint directory.
StatusOr<Checkpoint>
loadCheckpointDirectory(const std::string &directory,
                        const CheckpointExpectation &expected = {});

/// The steps of the `step-*` directories of `runDir`, ascending. Says nothing
/// about whether they verify.
std::vector<uint64_t> listCheckpointSteps(const std::string &runDir);

} // namespace prism

#endif // PRISM_RUNTIME_CHECKPOINT_H
