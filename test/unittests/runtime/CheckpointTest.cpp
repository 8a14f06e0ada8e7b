//===- CheckpointTest.cpp - Crash-safe training checkpoints ---------------===//
//
// Round trips, retention, the `latest` fallback, leftovers of a crashed
// writer, and a writer killed with SIGKILL at random moments: whatever the
// moment, the loader must return one complete checkpoint.
//
//===----------------------------------------------------------------------===//

#include "TestFiles.h"

#include "prism/runtime/Checkpoint.h"
#include "prism/runtime/Support.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <random>
#include <sys/stat.h>
#include <sys/wait.h>

using namespace prism;
using namespace prism::test;

namespace {

/// A value every tensor of a checkpoint can be checked against: an integer
/// below 2^24, so exact in float32.
float fillValue(uint64_t step, size_t tensor, size_t i) {
  return static_cast<float>((step * 7919 + tensor * 104729 + i) % 1000003);
}

/// The tensors of a JumpReLU SAE and its Adam state for `step`.
struct Model {
  uint64_t step, dIn, dSae;
  std::vector<Tensor> weights, state;

  Model(uint64_t step, uint64_t dIn, uint64_t dSae)
      : step(step), dIn(dIn), dSae(dSae) {
    weights = {{"W_enc", {dIn, dSae}, {}},
               {"W_dec", {dSae, dIn}, {}},
               {"b_enc", {dSae}, {}},
               {"b_dec", {dIn}, {}},
               {"threshold", {dSae}, {}}};
    state = {{"adam.m.W_enc", {dIn, dSae}, {}},
             {"adam.v.W_enc", {dIn, dSae}, {}},
             {"dead.steps_since_fired", {dSae}, {}}};
    size_t index = 0;
    for (std::vector<Tensor> *list : {&weights, &state})
      for (Tensor &tensor : *list) {
        uint64_t count = 1;
        for (uint64_t dim : tensor.shape)
          count *= dim;
        tensor.values.resize(count);
        for (size_t i = 0; i < count; ++i)
          tensor.values[i] = fillValue(step, index, i);
        ++index;
      }
  }

  CheckpointData data() const {
    CheckpointData out;
    out.config.architecture = "jumprelu";
    out.config.dIn = dIn;
    out.config.dSae = dSae;
    out.config.model = "jumprelu_test";
    out.config.step = step;
    out.config.seed = 18446744073709551615ull;
    out.config.extraJson = {{"normalize_activations", "\"none\""},
                            {"activation_fn_kwargs", "{\"k\": 32}"}};
    for (const Tensor &tensor : weights)
      out.weights.push_back(tensor.ref());
    for (const Tensor &tensor : state)
      out.state.push_back(tensor.ref());
    out.stateMetadata = {
        {"step", std::to_string(step)},
        {"rng", "1 2 3 " + std::to_string(step)},
        {"loader", "seed=1 epoch=0 index=" + std::to_string(step * 64) +
                       " items=100000"}};
    return out;
  }

  CheckpointExpectation expectation() const {
    CheckpointExpectation out;
    for (const Tensor &tensor : weights)
      out.weights.push_back({tensor.name, tensor.shape});
    for (const Tensor &tensor : state)
      out.state.push_back({tensor.name, tensor.shape});
    return out;
  }
};

/// Asserts that `checkpoint` is exactly what Model(step) wrote.
::testing::AssertionResult isModel(const Checkpoint &checkpoint, uint64_t dIn,
                                   uint64_t dSae) {
  uint64_t step = checkpoint.config.step;
  Model expected(step, dIn, dSae);
  if (checkpoint.stateMetadata.count("step") == 0 ||
      checkpoint.stateMetadata.at("step") != std::to_string(step))
    return ::testing::AssertionFailure() << "state metadata of another step";
  for (auto [loaded, wanted] :
       {std::make_pair(&checkpoint.weights, &expected.weights),
        std::make_pair(&checkpoint.state, &expected.state)}) {
    if (loaded->size() != wanted->size())
      return ::testing::AssertionFailure() << "tensor count differs";
    for (const Tensor &want : *wanted) {
      auto found = std::find_if(
          loaded->begin(), loaded->end(),
          [&](const Tensor &tensor) { return tensor.name == want.name; });
      if (found == loaded->end())
        return ::testing::AssertionFailure() << "missing " << want.name;
      if (found->shape != want.shape || found->values != want.values)
        return ::testing::AssertionFailure()
               << want.name << " differs from step " << step;
    }
  }
  return ::testing::AssertionSuccess();
}

TEST(CheckpointTest, RoundTripAndLayout) {
  TempDir dir;
  std::string run = dir.path("run");
  Model model(123, 4, 8);
  CheckpointWriter writer(run);
  ASSERT_TRUE(writer.write(model.data()).isOk());

  std::string ckpts = run + "/checkpoints";
  EXPECT_EQ(listEntries(ckpts),
            (std::vector<std::string>{"latest", "step-000000123"}));
  EXPECT_EQ(contentsOf(ckpts + "/latest"), "step-000000123\n");
  EXPECT_EQ(listEntries(ckpts + "/step-000000123"),
            (std::vector<std::string>{"cfg.json", "manifest.json",
                                      "sae_weights.safetensors",
                                      "state.safetensors"}));

  nlohmann::json cfg =
      nlohmann::json::parse(contentsOf(ckpts + "/step-000000123/cfg.json"));
  EXPECT_EQ(cfg["d_in"], 4);
  EXPECT_EQ(cfg["d_sae"], 8);
  EXPECT_EQ(cfg["architecture"], "jumprelu");
  EXPECT_EQ(cfg["dtype"], "float32");
  EXPECT_EQ(cfg["device"], "cpu");
  EXPECT_EQ(cfg["normalize_activations"], "none");
  EXPECT_EQ(cfg["activation_fn_kwargs"]["k"], 32);
  EXPECT_EQ(cfg["prism"]["model"], "jumprelu_test");
  EXPECT_EQ(cfg["prism"]["step"], 123);

  StatusOr<Checkpoint> loaded = loadCheckpoint(run, model.expectation());
  ASSERT_TRUE(loaded.isOk()) << loaded.getStatus().str();
  EXPECT_EQ(loaded->directory, ckpts + "/step-000000123");
  EXPECT_TRUE(loaded->skipped.empty());
  EXPECT_EQ(loaded->config.architecture, "jumprelu");
  EXPECT_EQ(loaded->config.dIn, 4u);
  EXPECT_EQ(loaded->config.dSae, 8u);
  EXPECT_EQ(loaded->config.model, "jumprelu_test");
  EXPECT_EQ(loaded->config.step, 123u);
  EXPECT_EQ(loaded->config.seed, 18446744073709551615ull);
  EXPECT_EQ(loaded->config.extraJson,
            (std::map<std::string, std::string>{
                {"activation_fn_kwargs", "{\"k\":32}"},
                {"normalize_activations", "\"none\""}}));
  EXPECT_EQ(loaded->stateMetadata, model.data().stateMetadata);
  EXPECT_TRUE(isModel(*loaded, 4, 8));
  ASSERT_NE(loaded->weight("W_enc"), nullptr);
  EXPECT_EQ(loaded->weight("W_enc")->shape, (std::vector<uint64_t>{4, 8}));
  ASSERT_NE(loaded->stateTensor("adam.m.W_enc"), nullptr);
  EXPECT_EQ(loaded->weight("adam.m.W_enc"), nullptr);
}

TEST(CheckpointTest, KeepsTheNewestK) {
  TempDir dir;
  std::string run = dir.path("run");
  CheckpointWriter writer(run);
  for (uint64_t step = 1; step <= 5; ++step)
    ASSERT_TRUE(writer.write(Model(step * 10, 2, 3).data()).isOk());
  EXPECT_EQ(listCheckpointSteps(run), (std::vector<uint64_t>{40, 50}));
  EXPECT_EQ(
      listEntries(run + "/checkpoints"),
      (std::vector<std::string>{"latest", "step-000000040", "step-000000050"}));

  CheckpointWriter three(run, 3);
  ASSERT_TRUE(three.write(Model(60, 2, 3).data()).isOk());
  ASSERT_TRUE(three.write(Model(70, 2, 3).data()).isOk());
  EXPECT_EQ(listCheckpointSteps(run), (std::vector<uint64_t>{50, 60, 70}));
}

TEST(CheckpointTest, RewritingAnEarlierStepDropsTheAbandonedFuture) {
  TempDir dir;
  std::string run = dir.path("run");
  CheckpointWriter writer(run, 5);
  for (uint64_t step : {1, 2, 3})
    ASSERT_TRUE(writer.write(Model(step, 2, 3).data()).isOk());
  // A resume from step 2 writes step 2 again, with other contents.
  Model again(2, 2, 3);
  again.weights[0].values[0] = -42;
  ASSERT_TRUE(writer.write(again.data()).isOk());
  EXPECT_EQ(listCheckpointSteps(run), (std::vector<uint64_t>{1, 2}));
  StatusOr<Checkpoint> loaded = loadCheckpoint(run);
  ASSERT_TRUE(loaded.isOk()) << loaded.getStatus().str();
  EXPECT_EQ(loaded->config.step, 2u);
  EXPECT_EQ(loaded->weight("W_enc")->values[0], -42);
  EXPECT_EQ(
      listEntries(run + "/checkpoints"),
      (std::vector<std::string>{"latest", "step-000000001", "step-000000002"}));
}

TEST(CheckpointTest, FallsBackWhenLatestIsDamaged) {
  TempDir dir;
  std::string run = dir.path("run");
  std::string ckpts = run + "/checkpoints";
  CheckpointWriter writer(run);
  ASSERT_TRUE(writer.write(Model(1, 2, 3).data()).isOk());
  ASSERT_TRUE(writer.write(Model(2, 2, 3).data()).isOk());

  writeText(ckpts + "/latest", "garbage\x01");
  StatusOr<Checkpoint> loaded = loadCheckpoint(run);
  ASSERT_TRUE(loaded.isOk()) << loaded.getStatus().str();
  EXPECT_EQ(loaded->config.step, 2u);
  EXPECT_EQ(loaded->skipped,
            std::vector<std::string>{ckpts + "/latest: error: does not name a "
                                             "step-N checkpoint"});

  writeText(ckpts + "/latest", "step-000000099\n");
  loaded = loadCheckpoint(run);
  ASSERT_TRUE(loaded.isOk()) << loaded.getStatus().str();
  EXPECT_EQ(loaded->config.step, 2u);
  EXPECT_EQ(loaded->skipped,
            std::vector<std::string>{ckpts + "/step-000000099: error: no such "
                                             "checkpoint directory"});

  ::unlink((ckpts + "/latest").c_str());
  loaded = loadCheckpoint(run);
  ASSERT_TRUE(loaded.isOk()) << loaded.getStatus().str();
  EXPECT_EQ(loaded->config.step, 2u);
  ASSERT_EQ(loaded->skipped.size(), 1u);

  // `latest` names a checkpoint whose weights were damaged afterwards.
  writeText(ckpts + "/latest", "step-000000002\n");
  std::string weights = ckpts + "/step-000000002/sae_weights.safetensors";
  std::string bytes = contentsOf(weights);
  bytes[bytes.size() - 1] ^= 0x40;
  writeBytes(weights, bytes);
  loaded = loadCheckpoint(run);
  ASSERT_TRUE(loaded.isOk()) << loaded.getStatus().str();
  EXPECT_EQ(loaded->config.step, 1u);
  ASSERT_EQ(loaded->skipped.size(), 1u);
  EXPECT_NE(loaded->skipped[0].find(weights + ": error: content hash "),
            std::string::npos)
      << loaded->skipped[0];
  EXPECT_TRUE(isModel(*loaded, 2, 3));
}

TEST(CheckpointTest, NothingLoadable) {
  TempDir dir;
  std::string run = dir.path("run");
  StatusOr<Checkpoint> loaded = loadCheckpoint(run);
  ASSERT_FALSE(loaded.isOk());
  EXPECT_EQ(loaded.getStatus().str(),
            run + ": error: no checkpoints (expected a directory " + run +
                "/checkpoints)");

  CheckpointWriter writer(run);
  ASSERT_TRUE(writer.write(Model(5, 2, 3).data()).isOk());
  std::string cfg = run + "/checkpoints/step-000000005/cfg.json";
  size_t cfgBytes = contentsOf(cfg).size();
  writeText(cfg, "{}");
  loaded = loadCheckpoint(run);
  ASSERT_FALSE(loaded.isOk());
  EXPECT_EQ(loaded.getStatus().str(),
            run + "/checkpoints: error: no complete checkpoint:\n  " + cfg +
                ": error: file is 2 bytes, the manifest says " +
                std::to_string(cfgBytes));
}

TEST(CheckpointTest, ConfigOfWrongTypesIsAnErrorNotACrash) {
  TempDir dir;
  std::string run = dir.path("run");
  ASSERT_TRUE(CheckpointWriter(run).write(Model(4, 2, 3).data()).isOk());
  std::string step = run + "/checkpoints/step-000000004";
  // Rewrite cfg.json and keep the manifest in step, as a careless hand edit
  // would.
  auto rewriteConfig = [&](const std::string &text) {
    writeText(step + "/cfg.json", text);
    nlohmann::json manifest =
        nlohmann::json::parse(contentsOf(step + "/manifest.json"));
    char hash[17];
    std::snprintf(
        hash, sizeof(hash), "%016llx",
        static_cast<unsigned long long>(fnv1a64(
            reinterpret_cast<const uint8_t *>(text.data()), text.size())));
    manifest["files"]["cfg.json"] = {{"bytes", text.size()}, {"fnv1a64", hash}};
    writeText(step + "/manifest.json", manifest.dump());
  };

  rewriteConfig(R"({"architecture": 5, "d_in": 2, "d_sae": 3, "dtype": [],
                    "prism": {"step": 4, "model": null, "seed": "x"}})");
  StatusOr<Checkpoint> loaded = loadCheckpointDirectory(step);
  ASSERT_TRUE(loaded.isOk()) << loaded.getStatus().str();
  EXPECT_EQ(loaded->config.architecture, "");
  EXPECT_EQ(loaded->config.seed, 0u);

  rewriteConfig(R"({"d_in": "2", "d_sae": 3, "prism": {"step": 4}})");
  loaded = loadCheckpointDirectory(step);
  ASSERT_FALSE(loaded.isOk());
  EXPECT_EQ(loaded.getStatus().str(),
            step + "/cfg.json: error: expected d_in, d_sae and prism.step as "
                   "non-negative integers");
}

TEST(CheckpointTest, ShapeMismatchNamesTheTensor) {
  TempDir dir;
  std::string run = dir.path("run");
  CheckpointWriter writer(run);
  ASSERT_TRUE(writer.write(Model(3, 4, 8).data()).isOk());

  Model other(3, 4, 16);
  StatusOr<Checkpoint> loaded = loadCheckpoint(run, other.expectation());
  ASSERT_FALSE(loaded.isOk());
  EXPECT_EQ(loaded.getStatus().str(),
            run + "/checkpoints/step-000000003/sae_weights.safetensors: "
                  "error: tensor 'W_enc' has shape [4, 8], expected [4, 16]");

  CheckpointExpectation missing;
  missing.state.push_back({"adam.m.b_dec", {4}});
  loaded = loadCheckpoint(run, missing);
  ASSERT_FALSE(loaded.isOk());
  EXPECT_EQ(loaded.getStatus().str(),
            run + "/checkpoints/step-000000003/state.safetensors: error: no "
                  "tensor 'adam.m.b_dec' (expected shape [4])");
}

TEST(CheckpointTest, LeftoversOfACrashedWriter) {
  TempDir dir;
  std::string run = dir.path("run");
  std::string ckpts = run + "/checkpoints";
  CheckpointWriter writer(run);
  ASSERT_TRUE(writer.write(Model(1, 2, 3).data()).isOk());
  ASSERT_TRUE(writer.write(Model(2, 2, 3).data()).isOk());

  // A writer died while writing step 3: a temporary directory holding a
  // half-written weights file, a half-written `latest` replacement, and a
  // half-deleted old checkpoint.
  std::string temp = ckpts + "/.tmp-step-000000003-Ab12Cd";
  ASSERT_EQ(::mkdir(temp.c_str(), 0777), 0);
  std::string good = contentsOf(ckpts + "/step-000000002/"
                                        "sae_weights.safetensors");
  writeBytes(temp + "/sae_weights.safetensors",
             good.substr(0, good.size() / 2));
  writeText(ckpts + "/latest.tmp.x1Y2z3", "step-0000");
  ASSERT_EQ(::mkdir((ckpts + "/.trash-Q1w2E3").c_str(), 0777), 0);

  StatusOr<Checkpoint> loaded = loadCheckpoint(run);
  ASSERT_TRUE(loaded.isOk()) << loaded.getStatus().str();
  EXPECT_EQ(loaded->config.step, 2u);
  EXPECT_TRUE(loaded->skipped.empty());
  EXPECT_TRUE(isModel(*loaded, 2, 3));

  // The next write clears the hidden leftovers.
  ASSERT_TRUE(writer.write(Model(3, 2, 3).data()).isOk());
  EXPECT_EQ(
      listEntries(ckpts),
      (std::vector<std::string>{"latest", "step-000000002", "step-000000003"}));
}

/// The child of the kill test: resumes from the latest checkpoint and
/// writes one after another until it is killed.
[[noreturn]] void writeForever(const std::string &run, uint64_t dIn,
                               uint64_t dSae) {
  StatusOr<Checkpoint> loaded = loadCheckpoint(run);
  uint64_t step = loaded.isOk() ? loaded->config.step : 0;
  CheckpointWriter writer(run);
  for (;;) {
    ++step;
    if (!writer.write(Model(step, dIn, dSae).data()).isOk())
      ::_exit(3);
  }
}

TEST(CheckpointTest, SurvivesSigkillAtRandomMoments) {
  TempDir dir;
  std::string run = dir.path("run");
  const uint64_t dIn = 256, dSae = 1024; // about 5 MiB a checkpoint
  ASSERT_TRUE(CheckpointWriter(run).write(Model(0, dIn, dSae).data()).isOk());

  std::mt19937 random(12345);
  std::uniform_int_distribution<int> delayMicros(0, 500000);
  uint64_t previous = 0;
  for (int iteration = 0; iteration < 16; ++iteration) {
    std::fflush(nullptr);
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0)
      writeForever(run, dIn, dSae);
    ::usleep(static_cast<useconds_t>(delayMicros(random)));
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status))
        << "the writer stopped by itself, status " << status;

    StatusOr<Checkpoint> loaded = loadCheckpoint(run);
    ASSERT_TRUE(loaded.isOk())
        << "iteration " << iteration << ": " << loaded.getStatus().str();
    EXPECT_TRUE(loaded->skipped.empty())
        << "iteration " << iteration << ": " << loaded->skipped[0];
    EXPECT_TRUE(isModel(*loaded, dIn, dSae)) << "iteration " << iteration;
    EXPECT_GE(loaded->config.step, previous) << "a checkpoint was lost";
    previous = loaded->config.step;
  }
  EXPECT_GT(previous, 0u) << "the writer never finished a checkpoint";
}

} // namespace
