//===- TrainCommandTest.cpp - `prism train` end to end --------------------===//
//
// Trains programs around the hand-written least-squares kernel
// (Inputs/LsqKernel.c) with the real `prism` binary, and checks the result
// against a NumPy reference, the metrics, dead-latent tracking, divergence,
// resuming bit for bit, the .sae path through prismc, and the errors.
//
//===----------------------------------------------------------------------===//

#include "LsqProgram.h"
#include "TestFiles.h"

#include "prism/runtime/Checkpoint.h"
#include "prism/runtime/Dataset.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <sys/stat.h>
#include <sys/wait.h>

using namespace prism;
using namespace prism::test;

namespace {

class TrainCommandTest : public testing::Test {
protected:
  RunResult run(const std::string &args,
                const std::string &tool = PRISM_TOOL_PATH) {
    return runCommand(tool + " " + args, logs);
  }

  std::string program(const ProgramWriter &writer,
                      const std::string &name = "p.prism") {
    std::string path = dir.path(name);
    EXPECT_TRUE(writer.write(path).isOk());
    return path;
  }

  std::string dataset(const DatasetContents &contents,
                      const std::string &name = "d.pemb") {
    std::string path = dir.path(name);
    EXPECT_TRUE(writeDataset(path, contents).isOk());
    return path;
  }

  /// The latest checkpoint of `runDir`; fails the test if there is none.
  Checkpoint checkpoint(const std::string &runDir) {
    StatusOr<Checkpoint> loaded = loadCheckpoint(runDir);
    EXPECT_TRUE(loaded.isOk()) << loaded.getStatus().str();
    return loaded.isOk() ? loaded.take() : Checkpoint();
  }

  std::vector<nlohmann::json> metrics(const std::string &runDir) {
    std::vector<nlohmann::json> lines;
    std::ifstream in(runDir + "/metrics.jsonl");
    std::string line;
    while (std::getline(in, line))
      lines.push_back(nlohmann::json::parse(line));
    return lines;
  }

  std::string lastLine(const std::string &text) {
    size_t end =
        text.size() && text.back() == '\n' ? text.size() - 1 : text.size();
    size_t start = text.rfind('\n', end ? end - 1 : 0);
    return text.substr(start == std::string::npos ? 0 : start + 1,
                       end - (start == std::string::npos ? 0 : start + 1));
  }

  TempDir dir, logs;
};

/// The reference numbers printed by Inputs/lsq_adam_reference.py.
struct Reference {
  std::vector<double> adam, lstsq, loss;
};

Reference numpyReference(const std::string &npy, int steps, double lr,
                         const std::string &schedule, int warmup, double minLr,
                         const std::string &out) {
  std::string command =
      std::string(PRISM_PYTHON) + " " + PRISM_TEST_INPUTS +
      "/lsq_adam_reference.py " + npy + " " + std::to_string(kLsqP) + " " +
      std::to_string(steps) + " " + std::to_string(lr) + " " + schedule + " " +
      std::to_string(warmup) + " " + std::to_string(minLr) + " > " + out;
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  Reference reference;
  std::vector<double> *section = nullptr;
  std::ifstream in(out);
  std::string word;
  while (in >> word) {
    if (word == "adam" || word == "lstsq" || word == "loss") {
      section = word == "adam"    ? &reference.adam
                : word == "lstsq" ? &reference.lstsq
                                  : &reference.loss;
      continue;
    }
    section->push_back(std::stod(word));
  }
  return reference;
}

TEST_F(TrainCommandTest, LeastSquaresMatchesNumpyAdam) {
  ProgramWriter writer = lsqProgram(PRISM_LSQ_KERNEL);
  writer.info.train->schedule = "cosine";
  writer.info.train->warmupSteps = 20;
  writer.info.train->lr = 0.05;
  std::string p = program(writer);
  DatasetContents contents = lsqDataset(64);
  std::string d = dataset(contents);
  std::string runDir = dir.path("run");
  RunResult result = run("train " + p + " --data " + d +
                         " --steps 300 --batch 64 --log-every 10 -o " + runDir);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(result.out.substr(0, 8), "trained ");

  // The whole dataset is one batch, so every step sees the same rows (in a
  // shuffled order, which only changes the rounding of the sums).
  std::string npy = dir.path("data.npy");
  writeBytes(npy, npyF32(contents.values, 64, kLsqP + kLsqQ));
  Reference ref =
      numpyReference(npy, 300, 0.05, "cosine", 20, 0.0, dir.path("ref.txt"));
  ASSERT_EQ(ref.adam.size(), 8u);
  ASSERT_EQ(ref.loss.size(), 300u);

  std::vector<nlohmann::json> lines = metrics(runDir);
  ASSERT_EQ(lines.size(), 30u);
  std::vector<std::string> keys;
  for (auto it = lines[0].begin(); it != lines[0].end(); ++it)
    keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"dead_fraction", "l0", "loss", "lr",
                                            "step", "steps_per_s"}));
  EXPECT_EQ(
      contentsOf(runDir + "/metrics.jsonl").rfind("{\"step\":10,\"loss\":", 0),
      0u)
      << "keys in the documented order";
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i]["step"], 10 * (i + 1));
    // Each line averages the loss of its 10 steps. The kernel keeps W and
    // Adam's moments in float32, NumPy in float64: mid-run, while the loss
    // falls fast, the weights differ by ~1e-6 and the loss by up to ~5e-5
    // of itself (observed); 2e-4 is four times that.
    double expected = 0;
    for (size_t s = 10 * i; s < 10 * i + 10; ++s)
      expected += ref.loss[s] / 10;
    EXPECT_NEAR(lines[i]["loss"].get<double>(), expected, 2e-4 * expected)
        << "metrics line " << i;
  }
  EXPECT_DOUBLE_EQ(lines[0]["lr"].get<double>(), 0.05 * 10 / 20);
  EXPECT_DOUBLE_EQ(lines.back()["lr"].get<double>(), 0.0);
  EXPECT_GT(lines[0]["loss"].get<double>(),
            100 * lines.back()["loss"].get<double>())
      << "the loss decreases";
  EXPECT_EQ(lines.back()["l0"].get<double>(), 4.0);
  EXPECT_EQ(lines.back()["dead_fraction"].get<double>(), 0.0);

  Checkpoint last = checkpoint(runDir);
  EXPECT_EQ(last.config.step, 300u);
  const Tensor *W = last.weight("W");
  ASSERT_NE(W, nullptr);
  ASSERT_EQ(W->values.size(), 8u);
  for (int i = 0; i < 8; ++i) {
    // Float32 Adam against float64 Adam on the same schedule: the float32
    // weights (|W| <= 2, one ulp = 2.4e-7) end within 7e-7 (observed) of
    // the float64 ones, as the decay to lr = 0 stops rounding errors from
    // accumulating. 1e-5 is about 40 ulps.
    EXPECT_NEAR(W->values[i], ref.adam[i], 1e-5) << "W element " << i;
    // And Adam has reached the least-squares solution: 300 steps end 3e-5
    // (observed) from NumPy's lstsq, far inside the solution's own
    // uncertainty from the planted noise (0.01 / sqrt(64) ~ 1e-3).
    EXPECT_NEAR(W->values[i], ref.lstsq[i], 1e-4) << "W element " << i;
  }

  std::ifstream in(runDir + "/run.json");
  nlohmann::json runJson = nlohmann::json::parse(in);
  EXPECT_EQ(runJson["status"], "completed");
  EXPECT_EQ(runJson["steps"], 300);
  EXPECT_EQ(runJson["steps_done"], 300);
  EXPECT_EQ(runJson["seed"], 7);
  EXPECT_EQ(runJson["dataset"], d);
  EXPECT_EQ(runJson["program"], runDir + "/program.prism");
  EXPECT_EQ(runJson["final_metrics"]["step"], 300);
  EXPECT_TRUE(runJson["resumed_from_step"].is_null());
  EXPECT_EQ(contentsOf(runDir + "/program.prism"), contentsOf(p))
      << "the run keeps its own copy of the program";
}

TEST_F(TrainCommandTest, EpochsAndHoldout) {
  std::string p = program(lsqProgram(PRISM_LSQ_KERNEL));
  std::string d = dataset(lsqDataset(64));
  std::string runDir = dir.path("run");
  // 64 rows, a quarter held out: 48 training rows, 3 batches of 16.
  RunResult result = run("train " + p + " --data " + d +
                         " --epochs 2 --holdout 0.25 --seed 3 -o " + runDir);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  std::ifstream in(runDir + "/run.json");
  nlohmann::json runJson = nlohmann::json::parse(in);
  EXPECT_EQ(runJson["steps"], 6);
  EXPECT_EQ(runJson["steps_per_epoch"], 3);
  EXPECT_EQ(runJson["batch"], 16);
  EXPECT_EQ(runJson["seed"], 3);
  EXPECT_EQ(runJson["holdout"], 0.25);
  EXPECT_EQ(checkpoint(runDir).config.step, 6u);
}

TEST_F(TrainCommandTest, DeadLatents) {
  // Feature 3 is 0 in every row, so latent 3 never fires. Batches of 16 and
  // a window of 100 samples: after step 7 (112 samples) it is dead.
  std::string p = program(lsqProgram(PRISM_LSQ_KERNEL));
  std::string d = dataset(lsqDataset(64, 0.01, {3}));
  std::string runDir = dir.path("run");
  RunResult result = run("train " + p + " --data " + d +
                         " --steps 7 --log-every 1 -o " + runDir);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  std::vector<nlohmann::json> lines = metrics(runDir);
  ASSERT_EQ(lines.size(), 7u);
  for (size_t i = 0; i < 7; ++i) {
    EXPECT_EQ(lines[i]["dead_fraction"].get<double>(), i < 6 ? 0.0 : 0.25)
        << "step " << i + 1;
    EXPECT_EQ(lines[i]["l0"].get<double>(), 3.0);
  }
  Checkpoint at7 = checkpoint(runDir);
  EXPECT_EQ(at7.stateTensor("dead_mask")->values,
            (std::vector<float>{0, 0, 0, 1}));
  EXPECT_EQ(at7.stateTensor("dead_seen")->values,
            (std::vector<float>{0, 0, 0, 0}))
      << "step 7 ran with the mask after step 6 (96 samples)";
  EXPECT_EQ(at7.stateTensor("runtime.samples_since_fired")->values,
            (std::vector<float>{0, 0, 0, 0, 0, 0, 0, 100}))
      << "counts saturate at the window";

  result = run("train " + p + " --data " + d +
               " --steps 8 --log-every 1 --resume -o " + runDir);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  Checkpoint at8 = checkpoint(runDir);
  EXPECT_EQ(at8.config.step, 8u);
  EXPECT_EQ(at8.stateTensor("dead_seen")->values,
            (std::vector<float>{0, 0, 0, 1}))
      << "the kernel sees the dead latent from step 8 on";
}

TEST_F(TrainCommandTest, ResumeIsBitIdentical) {
  ProgramWriter writer = lsqProgram(PRISM_LSQ_KERNEL);
  writer.info.train->schedule = "cosine";
  writer.info.train->warmupSteps = 5;
  std::string p = program(writer);
  std::string d = dataset(lsqDataset(64));
  std::string flags =
      " --data " + d + " --steps 30 --log-every 4 --checkpoint-every 10 -o ";
  std::string whole = dir.path("whole"), split = dir.path("split");
  RunResult result = run("train " + p + flags + whole);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  // Stop in the middle of the fourth epoch (4 batches each) and of a
  // metrics interval, then continue.
  result = run("train " + p + flags + split + " --stop-at 14");
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(result.out.substr(0, 8), "stopped ");
  EXPECT_EQ(checkpoint(split).config.step, 14u);
  result = run("train " + p + flags + split + " --resume");
  ASSERT_EQ(result.exitCode, 0) << result.err;

  std::string last = "/checkpoints/" + checkpointDirName(30) + "/";
  for (const char *file : {"sae_weights.safetensors", "state.safetensors"}) {
    std::string a = contentsOf(whole + last + file);
    ASSERT_FALSE(a.empty()) << file;
    EXPECT_TRUE(a == contentsOf(split + last + file))
        << file << " differs between the whole and the resumed run";
  }
  std::vector<nlohmann::json> a = metrics(whole), b = metrics(split);
  ASSERT_EQ(a.size(), 8u); // steps 4, 8, ..., 28 and the last, 30
  ASSERT_EQ(b.size(), a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    a[i].erase("steps_per_s");
    b[i].erase("steps_per_s");
    EXPECT_EQ(a[i], b[i]) << "metrics line " << i;
  }
  std::ifstream in(split + "/run.json");
  nlohmann::json runJson = nlohmann::json::parse(in);
  EXPECT_EQ(runJson["resumed_from_step"], 14);
  EXPECT_EQ(runJson["status"], "completed");
}

TEST_F(TrainCommandTest, DivergedLoss) {
  // The kernel reports a NaN loss at its 7th call.
  std::string p = program(lsqProgram(PRISM_LSQ_KERNEL_NAN_LOSS));
  std::string d = dataset(lsqDataset(64));
  std::string runDir = dir.path("run");
  RunResult result = run("train " + p + " --data " + d +
                         " --steps 20 --checkpoint-every 5 -o " + runDir);
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_EQ(lastLine(result.err),
            runDir + ": error: training diverged at step 7: loss is nan");
  Checkpoint good = checkpoint(runDir);
  EXPECT_EQ(good.config.step, 5u) << "the last good checkpoint is kept";
  for (float value : good.weight("W")->values)
    EXPECT_TRUE(std::isfinite(value));
  std::ifstream in(runDir + "/run.json");
  nlohmann::json runJson = nlohmann::json::parse(in);
  EXPECT_EQ(runJson["status"], "diverged");
  EXPECT_EQ(runJson["error"], "training diverged at step 7: loss is nan");
}

TEST_F(TrainCommandTest, DivergedParameter) {
  // The kernel writes NaN into W[1, 1] at its 7th call (the loss of that
  // call is still finite; the next one's would not be). Parameters are
  // checked at metrics steps (every 7 here) and before checkpoints.
  std::string p = program(lsqProgram(PRISM_LSQ_KERNEL_NAN_PARAM));
  std::string d = dataset(lsqDataset(64));
  std::string runDir = dir.path("run");
  RunResult result =
      run("train " + p + " --data " + d +
          " --steps 20 --log-every 7 --checkpoint-every 5 -o " + runDir);
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_EQ(lastLine(result.err),
            runDir + ": error: training diverged at step 7: parameter 'W' "
                     "has a non-finite value at [1, 1]");
  EXPECT_EQ(checkpoint(runDir).config.step, 5u);
  EXPECT_TRUE(metrics(runDir).empty()) << "step 7 diverged before its line";

  // Without a check at step 7, step 8's loss gives it away.
  result =
      run("train " + p + " --data " + d + " --steps 20 -o " + dir.path("run2"));
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_EQ(lastLine(result.err), dir.path("run2") +
                                      ": error: training diverged at step 8: "
                                      "loss is nan");
}

TEST_F(TrainCommandTest, KernelFailure) {
  std::string p = program(lsqProgram(PRISM_LSQ_KERNEL_FAIL));
  std::string d = dataset(lsqDataset(64));
  std::string runDir = dir.path("run");
  RunResult result =
      run("train " + p + " --data " + d + " --steps 5 -o " + runDir);
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_EQ(lastLine(result.err),
            runDir + "/program.prism: error: entry point 'train_step' (symbol "
                     "'lsq_train_step') returned 7");
}

TEST_F(TrainCommandTest, Errors) {
  std::string p = program(lsqProgram(PRISM_LSQ_KERNEL));
  std::string d = dataset(lsqDataset(64));
  std::string runDir = dir.path("run");

  DatasetContents narrow = lsqDataset(8);
  narrow.dim = 3;
  narrow.rows = 16;
  narrow.modality.assign(16, Modality::Unspecified);
  narrow.pairId.assign(16, -1);
  std::string n = dataset(narrow, "narrow.pemb");
  RunResult result =
      run("train " + p + " --data " + n + " --steps 5 -o " + runDir);
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_EQ(result.err, n +
                            ": error: dataset dimension 3 does not match the "
                            "program's input x[batch, 6] (" +
                            runDir + "/program.prism)\n");

  ProgramWriter noFired = lsqProgram(PRISM_LSQ_KERNEL);
  noFired.info.buffers[7].name = "fires";
  std::string bad = program(noFired, "bad.prism");
  result =
      run("train " + bad + " --data " + d + " --steps 5 -o " + dir.path("bad"));
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_EQ(result.err, dir.path("bad") +
                            "/program.prism: error: the program has no "
                            "buffer 'fired'; train_step needs Output fired[n] "
                            "(docs/formats.md, \"Program entry points\")\n");

  ProgramWriter oddScalar = lsqProgram(PRISM_LSQ_KERNEL);
  oddScalar.info.entryPoints[0].scalars[2] = "temperature";
  bad = program(oddScalar, "odd.prism");
  result =
      run("train " + bad + " --data " + d + " --steps 5 -o " + dir.path("odd"));
  EXPECT_EQ(result.err, dir.path("odd") +
                            "/program.prism: error: entry point 'train_step' "
                            "asks for the scalar 'temperature'; the runtime "
                            "provides lr, bias_correction1 and "
                            "bias_correction2\n");

  result =
      run("train " + p + " --data " + d + " --steps 5 --resume -o " + runDir);
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("no checkpoints"), std::string::npos) << result.err;

  ASSERT_EQ(
      run("train " + p + " --data " + d + " --steps 2 -o " + runDir).exitCode,
      0);
  result = run("train " + p + " --data " + d + " --steps 2 -o " + runDir);
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_EQ(result.err, runDir + ": error: already holds a training run "
                                 "(checkpoints/); pass --resume to continue "
                                 "it, or choose another directory\n");
  result = run("train " + p + " --data " + d +
               " --steps 4 --batch 8 --resume -o " + runDir);
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_EQ(result.err, runDir + "/checkpoints/" + checkpointDirName(2) +
                            ": error: the run used batch 16; resuming with "
                            "batch 8 would not continue it (drop --batch)\n");

  struct Case {
    std::string args, message;
  };
  for (const Case &c : std::vector<Case>{
           {"train " + p + " -o " + runDir,
            "prism train: error: no dataset: pass --data DATA"},
           {"train --data " + d + " -o " + runDir,
            "prism train: error: no model: pass MODEL.sae or PROGRAM.prism"},
           {"train " + p + " --data " + d,
            "prism train: error: no run directory: pass -o RUN_DIR"},
           {"train " + p + " --data " + d + " --steps 0 -o " + runDir,
            "prism train: error: option '--steps' expects a positive "
            "integer, got '0'"},
           {"train " + p + " --data " + d + " --steps 2 --epochs 1 -o " +
                runDir,
            "prism train: error: --steps and --epochs are exclusive"},
           {"train " + p + " --data " + d + " --lr -1 -o " + runDir,
            "prism train: error: option '--lr' expects a positive number, "
            "got '-1'"},
           {"train " + p + " --data " + d + " --holdout 1 -o " + runDir,
            "prism train: error: option '--holdout' expects a fraction in "
            "[0, 1), got '1'"},
           {"train " + p + " --data " + d + " --target tpu -o " + runDir,
            "prism train: error: unknown target 'tpu' (expected cpu, cuda "
            "or auto)"},
           {"train " + p + " --data " + d + " --bogus 1 -o " + runDir,
            "prism train: error: unknown option '--bogus'; see `prism train "
            "--help`"},
       }) {
    result = run(c.args);
    EXPECT_EQ(result.exitCode, 1) << c.args;
    EXPECT_EQ(result.err, c.message + "\n") << c.args;
  }
  result = run("train --help");
  EXPECT_EQ(result.exitCode, 0);
  EXPECT_EQ(result.out.substr(0, 13), "usage: prism ");
}

/// lsqDataset(64) with rows 0-39 images and rows 40-63 texts.
DatasetContents lsqMixedDataset() {
  DatasetContents contents = lsqDataset(64);
  for (uint64_t r = 0; r < 64; ++r)
    contents.modality[r] = r < 40 ? Modality::Image : Modality::Text;
  return contents;
}

TEST_F(TrainCommandTest, MixRecordsTheMixture) {
  std::string p = program(lsqProgram(PRISM_LSQ_KERNEL));
  std::string d = dataset(lsqMixedDataset());
  std::string runDir = dir.path("run");
  // 40 images, 24 texts, 1:1: every text and 24 images, 48 rows, 3 batches
  // of 16.
  RunResult result = run("train " + p + " --data " + d +
                         " --epochs 2 --mix 1:1 --seed 3 -o " + runDir);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(result.out.substr(0, result.out.find('\n') + 1),
            "mix 1:1: training on 24 image and 24 text rows\n");
  std::ifstream in(runDir + "/run.json");
  nlohmann::json runJson = nlohmann::json::parse(in);
  EXPECT_EQ(runJson["steps_per_epoch"], 3);
  EXPECT_EQ(runJson["steps"], 6);
  EXPECT_EQ(runJson["mix"],
            (nlohmann::json{
                {"ratio", "1:1"}, {"image_rows", 24}, {"text_rows", 24}}));
  Checkpoint saved = checkpoint(runDir);
  EXPECT_EQ(saved.config.mix, "1:1");
  EXPECT_EQ(saved.stateMetadata["mix"], "1:1");

  // 3:1 keeps all 40 images and round(40 / 3) = 13 texts: 53 rows.
  std::string other = dir.path("other");
  result = run("train " + p + " --data " + d +
               " --steps 1 --mix 3:1 --holdout 0 -o " + other);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("mix 3:1: training on 40 image and 13 text rows"),
            std::string::npos)
      << result.out;

  // No --mix: no mixture anywhere.
  std::string plain = dir.path("plain");
  result = run("train " + p + " --data " + d + " --steps 1 -o " + plain);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(result.out.find("mix"), std::string::npos) << result.out;
  std::ifstream plainIn(plain + "/run.json");
  EXPECT_TRUE(nlohmann::json::parse(plainIn)["mix"].is_null());
  saved = checkpoint(plain);
  EXPECT_EQ(saved.config.mix, "");
  EXPECT_EQ(saved.stateMetadata.count("mix"), 0u);
  EXPECT_EQ(
      contentsOf(plain + "/checkpoints/" + checkpointDirName(1) + "/cfg.json")
          .find("mix"),
      std::string::npos);
}

TEST_F(TrainCommandTest, MixOfTheWholeDataTrainsAsWithout) {
  // 40:24 = 5:3 is the data's own ratio, so every row is kept: the loader
  // visits the same rows in the same order, and the weights are the same.
  std::string p = program(lsqProgram(PRISM_LSQ_KERNEL));
  std::string d = dataset(lsqMixedDataset());
  std::string mixed = dir.path("mixed"), plain = dir.path("plain");
  std::string flags = " --data " + d + " --steps 10 --seed 4 -o ";
  RunResult result = run("train " + p + flags + mixed + " --mix 5:3");
  ASSERT_EQ(result.exitCode, 0) << result.err;
  result = run("train " + p + flags + plain);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  std::string weights =
      "/checkpoints/" + checkpointDirName(10) + "/sae_weights.safetensors";
  std::string a = contentsOf(mixed + weights);
  ASSERT_FALSE(a.empty());
  EXPECT_TRUE(a == contentsOf(plain + weights));

  // 1:1 drops 16 images, so it trains on other batches.
  std::string half = dir.path("half");
  result = run("train " + p + flags + half + " --mix 1:1");
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_FALSE(a == contentsOf(half + weights));
}

TEST_F(TrainCommandTest, MixErrors) {
  std::string p = program(lsqProgram(PRISM_LSQ_KERNEL));
  std::string d = dataset(lsqMixedDataset());
  std::string runDir = dir.path("run");
  for (const char *bad : {"1", "0:0", "-1:1", "a:b", "1:1:1", "1:inf"}) {
    RunResult result = run("train " + p + " --data " + d + " --mix '" + bad +
                           "' --steps 2 -o " + runDir);
    EXPECT_EQ(result.exitCode, 1) << bad;
    EXPECT_EQ(result.err, std::string("prism train: error: option '--mix' "
                                      "expects I:T, two non-negative numbers "
                                      "not both zero, got '") +
                              bad + "'\n");
  }

  std::string u = dataset(lsqDataset(64), "unspecified.pemb");
  RunResult result =
      run("train " + p + " --data " + u + " --mix 1:1 --steps 2 -o " + runDir);
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_EQ(result.err, u + ": error: 64 of 64 rows have unspecified "
                            "modality; --mix 1:1 needs every row to be image "
                            "or text\n");

  // 1:0 keeps the 40 images: fewer than a batch of 64.
  result = run("train " + p + " --data " + d +
               " --mix 1:0 --batch 64 --steps 2 -o " + runDir);
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_EQ(result.err, d + ": error: the training split has 40 rows in "
                            "mixture 1:0, fewer than one batch of 64 (keep "
                            "the last partial batch, or use a smaller "
                            "batch)\n");
}

TEST_F(TrainCommandTest, ResumeRefusesAnotherMix) {
  std::string p = program(lsqProgram(PRISM_LSQ_KERNEL));
  std::string d = dataset(lsqMixedDataset());
  std::string runDir = dir.path("run"), plain = dir.path("plain");
  ASSERT_EQ(
      run("train " + p + " --data " + d + " --steps 2 --mix 1:1 -o " + runDir)
          .exitCode,
      0);
  std::string at2 = runDir + "/checkpoints/" + checkpointDirName(2);
  RunResult result = run("train " + p + " --data " + d +
                         " --steps 4 --mix 3:1 --resume -o " + runDir);
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_EQ(result.err, at2 + ": error: the run used --mix 1:1; resuming "
                              "with --mix 3:1 would not continue it\n");
  result =
      run("train " + p + " --data " + d + " --steps 4 --resume -o " + runDir);
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_EQ(result.err, at2 + ": error: the run used --mix 1:1; resuming "
                              "with no --mix would not continue it\n");

  ASSERT_EQ(
      run("train " + p + " --data " + d + " --steps 2 -o " + plain).exitCode,
      0);
  result = run("train " + p + " --data " + d +
               " --steps 4 --mix 1:1 --resume -o " + plain);
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_EQ(result.err, plain + "/checkpoints/" + checkpointDirName(2) +
                            ": error: the run used no --mix; resuming with "
                            "--mix 1:1 would not continue it\n");

  // The same mixture continues the run.
  result = run("train " + p + " --data " + d +
               " --steps 4 --mix 1:1 --resume -o " + runDir);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(checkpoint(runDir).config.step, 4u);
  EXPECT_EQ(checkpoint(runDir).stateMetadata["mix"], "1:1");
}

/// `prism` copied into a directory of its own, beside a fake `prismc`.
class CompileTest : public TrainCommandTest {
protected:
  void SetUp() override {
    ::mkdir(dir.path("bin").c_str(), 0777);
    writeBytes(tool(), contentsOf(PRISM_TOOL_PATH));
    ::chmod(tool().c_str(), 0755);
    writeText(dir.path("model.sae"), "model lsq() {}\n");
  }
  std::string tool() const { return dir.path("bin/prism"); }
  void fakePrismc(const std::string &script) {
    writeText(dir.path("bin/prismc"), "#!/bin/sh\n" + script);
    ::chmod(dir.path("bin/prismc").c_str(), 0755);
  }
};

TEST_F(CompileTest, MissingPrismc) {
  std::string d = dataset(lsqDataset(64));
  std::string model = dir.path("model.sae");
  RunResult result = run("train " + model + " --data " + d + " --steps 2 -o " +
                             dir.path("run"),
                         tool());
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_EQ(result.err,
            model +
                ": error: compiling a .sae model needs prismc beside "
                "prism, but " +
                dir.path("bin/prismc") +
                " is missing; compile it where prismc is installed (prismc " +
                model + " -emit=program -o PROGRAM) and use PROGRAM\n");
}

TEST_F(CompileTest, PrismcErrorsPassThrough) {
  fakePrismc("echo \"$1:1:1: error: unknown model 'lsq'\" >&2\nexit 1\n");
  std::string d = dataset(lsqDataset(64));
  std::string model = dir.path("model.sae");
  RunResult result = run("train " + model + " --data " + d + " --steps 2 -o " +
                             dir.path("run"),
                         tool());
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_EQ(result.err, model + ":1:1: error: unknown model 'lsq'\n" + model +
                            ": error: prismc failed to compile the model "
                            "(exit status 1)\n");
}

TEST_F(CompileTest, CompilesThenTrains) {
  std::string p = program(lsqProgram(PRISM_LSQ_KERNEL));
  fakePrismc("echo \"$@\" > " + dir.path("prismc-args") + "\ncp " + p +
             " \"$4\"\n");
  std::string d = dataset(lsqDataset(64));
  std::string model = dir.path("model.sae"), runDir = dir.path("run");
  RunResult result = run(
      "train " + model + " --data " + d + " --steps 3 -o " + runDir, tool());
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(contentsOf(dir.path("prismc-args")),
            model + " -emit=program -o " + runDir + "/program.prism\n");
  EXPECT_EQ(checkpoint(runDir).config.step, 3u);
}

} // namespace
