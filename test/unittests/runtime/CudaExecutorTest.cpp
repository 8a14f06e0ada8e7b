//===- CudaExecutorTest.cpp - The CUDA back end ---------------------------===//
//
// Everywhere: a machine without a GPU says so, and a CUDA program fails to
// load with that reason. On a GPU (the other tests skip, giving the reason,
// where none answers): cuBLASLt's row-major GEMMs against a CPU reference,
// and a program whose device image (PTX from nvcc) and host image (a shared
// object from the host compiler) are compiled here, run by the executor.
//
//===----------------------------------------------------------------------===//

#include "TestFiles.h"
#include "cuda/CublasLt.h"
#include "cuda/CudaDriver.h"

#include "prism/runtime/CudaExecutor.h"
#include "prism/runtime/SharedImage.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace prism;
using namespace prism::test;

namespace {

void *devicePointer(CUdeviceptr address) {
  return reinterpret_cast<void *>(static_cast<uintptr_t>(address));
}

BufferInfo buffer(std::string name, BufferKind kind,
                  std::vector<int64_t> shape) {
  BufferInfo info;
  info.name = std::move(name);
  info.kind = kind;
  info.shape = std::move(shape);
  return info;
}

/// A CUDA program with one entry point, "step" (symbol "step"), in host
/// image 0; image 1 is PTX for compute_80. Buffers: x (ModelState, [5]),
/// a (Input, [batch, 3]), w (Parameter, [3, 2]), y (Output, [batch, 2]) and
/// b (Parameter, [2]).
ProgramWriter cudaProgram(std::string hostImage, std::string ptx) {
  ProgramWriter writer;
  ProgramInfo &info = writer.info;
  info.modelName = "add_one";
  info.target = ProgramTarget::Cuda;
  info.buffers = {buffer("x", BufferKind::ModelState, {5}),
                  buffer("a", BufferKind::Input, {-1, 3}),
                  buffer("w", BufferKind::Parameter, {3, 2}),
                  buffer("y", BufferKind::Output, {-1, 2}),
                  buffer("b", BufferKind::Parameter, {2})};
  KernelImageInfo host, device;
  host.target = ProgramTarget::Cpu;
  host.arch = hostArchitecture();
  host.format = "so";
  device.target = ProgramTarget::Cuda;
  device.arch = "compute_80";
  device.format = "ptx";
  info.kernels = {host, device};
  writer.blobs = {std::move(hostImage), std::move(ptx)};
  EntryPointInfo step;
  step.name = "step";
  step.symbol = "step";
  step.reads = {0, 1, 2, 4};
  step.writes = {0, 3};
  info.entryPoints = {step};
  return writer;
}

TEST(CudaDeviceTest, AvailabilitySaysWhy) {
  std::string why = "unset";
  bool available = cudaDeviceAvailable(why);
  if (available)
    EXPECT_EQ(why, "");
  else
    EXPECT_EQ(why.rfind("no usable GPU: ", 0), 0u) << why;
  // A CUDA build answers Executor.h's question the same way.
  std::string again;
  EXPECT_EQ(cudaAvailable(again), available);
  EXPECT_EQ(again, why);
}

TEST(CudaDeviceTest, ProgramsFailWithTheReason) {
  TempDir dir;
  std::string path = dir.path("p.prism");
  ASSERT_TRUE(cudaProgram("not a shared object", "not PTX").write(path).isOk());
  StatusOr<Program> program = Program::open(path);
  ASSERT_TRUE(program.isOk()) << program.getStatus().str();
  auto exec = CudaExecutor::create(*program);
  ASSERT_FALSE(exec.isOk()) << "neither image is real";
  std::string message = exec.getStatus().str();
  EXPECT_EQ(message.rfind(path + ": error: ", 0), 0u) << message;
  std::string why;
  if (cudaDeviceAvailable(why))
    return;
  EXPECT_EQ(message, path + ": error: cannot run this CUDA program: " + why);
  auto any = createExecutor(*program);
  ASSERT_FALSE(any.isOk());
  EXPECT_EQ(any.getStatus().str(), message);
}

/// A context, a stream and a CublasLt on device 0.
class CublasLtTest : public testing::Test {
protected:
  void SetUp() override {
    std::string why;
    if (!cudaDeviceAvailable(why))
      GTEST_SKIP() << why;
    driver = *CudaDriver::get();
    CUdevice device = 0;
    ASSERT_EQ(driver->cuDeviceGet(&device, 0), CUDA_SUCCESS);
    ASSERT_EQ(driver->cuDevicePrimaryCtxRetain(&context, device), CUDA_SUCCESS);
    ASSERT_EQ(driver->cuCtxSetCurrent(context), CUDA_SUCCESS);
    ASSERT_EQ(driver->cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING),
              CUDA_SUCCESS);
    auto created = CublasLt::create(*driver);
    ASSERT_TRUE(created.isOk()) << created.getStatus().str();
    blas = created.take();
  }

  void TearDown() override {
    if (!context)
      return;
    blas.reset();
    for (CUdeviceptr allocation : allocations)
      driver->cuMemFree_v2(allocation);
    if (stream)
      driver->cuStreamDestroy_v2(stream);
    CUdevice device = 0;
    driver->cuDeviceGet(&device, 0);
    driver->cuDevicePrimaryCtxRelease_v2(device);
  }

  float *upload(const std::vector<float> &values) {
    CUdeviceptr address = 0;
    size_t bytes = values.size() * sizeof(float);
    EXPECT_EQ(driver->cuMemAlloc_v2(&address, bytes), CUDA_SUCCESS);
    allocations.push_back(address);
    EXPECT_EQ(
        driver->cuMemcpyHtoDAsync_v2(address, values.data(), bytes, stream),
        CUDA_SUCCESS);
    EXPECT_EQ(driver->cuStreamSynchronize(stream), CUDA_SUCCESS);
    return static_cast<float *>(devicePointer(address));
  }

  std::vector<float> download(const float *pointer, size_t count) {
    std::vector<float> values(count);
    CUdeviceptr address = reinterpret_cast<uintptr_t>(pointer);
    EXPECT_EQ(driver->cuMemcpyDtoHAsync_v2(values.data(), address,
                                           count * sizeof(float), stream),
              CUDA_SUCCESS);
    EXPECT_EQ(driver->cuStreamSynchronize(stream), CUDA_SUCCESS);
    return values;
  }

  /// One GEMM of m, n, k = 37, 53, 29 against a double-precision reference:
  /// each element within `tolerance` of the sum of its terms' magnitudes.
  void checkGemm(bool ta, bool tb, bool withBias, bool relu, double tolerance) {
    const int64_t m = 37, n = 53, k = 29;
    std::mt19937 generator(ta * 8 + tb * 4 + withBias * 2 + relu);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    std::vector<float> a(m * k), b(k * n), bias(n);
    for (std::vector<float> *values : {&a, &b, &bias})
      for (float &value : *values)
        value = uniform(generator);
    // op(A)[i][l] and op(B)[l][j] of the row-major operands.
    auto opA = [&](int64_t i, int64_t l) {
      return ta ? a[l * m + i] : a[i * k + l];
    };
    auto opB = [&](int64_t l, int64_t j) {
      return tb ? b[j * k + l] : b[l * n + j];
    };
    float *dA = upload(a), *dB = upload(b), *dBias = upload(bias);
    float *dC = upload(std::vector<float>(m * n, NAN));
    Status status = blas->gemm(ta, tb, m, n, k, dA, dB, dC,
                               withBias ? dBias : nullptr, relu, stream);
    ASSERT_TRUE(status.isOk()) << status.str();
    std::vector<float> c = download(dC, m * n);
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        double sum = withBias ? bias[j] : 0.0;
        double scale = std::fabs(sum);
        for (int64_t l = 0; l < k; ++l) {
          double term = static_cast<double>(opA(i, l)) * opB(l, j);
          sum += term;
          scale += std::fabs(term);
        }
        if (relu)
          sum = std::max(sum, 0.0);
        ASSERT_NEAR(c[i * n + j], sum, tolerance * std::max(scale, 1.0))
            << "C[" << i << ", " << j << "] with ta = " << ta << ", tb = " << tb
            << ", bias = " << withBias << ", relu = " << relu;
      }
    }
  }

  void checkAllGemms(CublasLt::MathMode mode, double tolerance) {
    blas->setMathMode(mode);
    for (bool ta : {false, true})
      for (bool tb : {false, true})
        for (auto [withBias, relu] :
             {std::pair(false, false), std::pair(true, false),
              std::pair(true, true), std::pair(false, true)})
          checkGemm(ta, tb, withBias, relu, tolerance);
  }

  const CudaDriver *driver = nullptr;
  CUcontext context = nullptr;
  CUstream stream = nullptr;
  std::unique_ptr<CublasLt> blas;
  std::vector<CUdeviceptr> allocations;
};

TEST_F(CublasLtTest, RowMajorGemmsTf32) {
  checkAllGemms(CublasLt::MathMode::Tf32, 1e-2);
}

TEST_F(CublasLtTest, RowMajorGemmsFp32) {
  checkAllGemms(CublasLt::MathMode::Fp32, 1e-5);
}

TEST_F(CublasLtTest, EmptyShapes) {
  float *x = upload({1, 2, 3, 4});
  EXPECT_TRUE(blas->gemm(false, false, 0, 2, 2, x, x, x, nullptr, false, stream)
                  .isOk());
  EXPECT_EQ(blas->gemm(false, false, 2, 2, 0, x, x, x, nullptr, false, stream)
                .getMessage(),
            "k = 0 is not supported on the GPU, in the GEMM with m = 2, "
            "n = 2, k = 0");
  EXPECT_EQ(download(x, 4), (std::vector<float>{1, 2, 3, 4}));
}

const char kDeviceSource[] = R"(#include <cstdint>
extern "C" __global__ void add_one(float *x, int64_t n) {
  int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x;
  if (i < n)
    x[i] += 1.0f;
}
)";

// x += 1 through the arena and copies; y = a w + b. KERNEL names the
// kernel the image declares.
const char kHostSource[] = R"(#include "cuda_abi.h"
extern "C" const int prism_cuda_abi_version = PRISM_CUDA_ABI_VERSION;
extern "C" const int prism_cuda_num_kernels = 1;
extern "C" const char *const prism_cuda_kernel_names[] = {KERNEL};
extern "C" int step(const prism_cuda_context *cx, void *const *buffers,
                    const int64_t *dims, const float *scalars) {
  (void)scalars;
  int64_t n = 5, bytes = n * sizeof(float);
  void *scratch = cx->arena(cx->self, bytes);
  if (!scratch)
    return 1;
  int code = cx->copy(cx->self, scratch, buffers[0], bytes);
  void *args[] = {&scratch, &n};
  if (!code)
    code = cx->launch(cx->self, 0, 1, 1, 32, 0, args);
  if (!code)
    code = cx->copy(cx->self, buffers[0], scratch, bytes);
  if (!code)
    code = cx->gemm(cx->self, 0, 0, dims[0], 2, 3, (const float *)buffers[1],
                    (const float *)buffers[2], (float *)buffers[3],
                    (const float *)buffers[4], 0);
  return code;
}
)";

/// Compiles the images of cudaProgram() at test time, on GPU machines only.
class CudaProgramTest : public testing::Test {
protected:
  void SetUp() override {
    std::string why;
    if (!cudaDeviceAvailable(why))
      GTEST_SKIP() << why;
    const char *home = std::getenv("CUDA_HOME");
    for (std::string root :
         {std::string(home ? home : ""), std::string("/usr/local/cuda")})
      if (!root.empty() && ::access((root + "/bin/nvcc").c_str(), X_OK) == 0) {
        nvcc = root + "/bin/nvcc";
        break;
      }
    if (nvcc.empty())
      GTEST_SKIP() << "no nvcc in $CUDA_HOME/bin or /usr/local/cuda/bin";
  }

  /// Runs `command`; on failure, fails the test with its output.
  void compile(const std::string &command) {
    RunResult result = runCommand(command, dir);
    ASSERT_EQ(result.exitCode, 0) << command << "\n" << result.err;
  }

  /// The program with the host image declaring kernel `kernel`.
  StatusOr<std::unique_ptr<CudaExecutor>>
  load(const std::string &kernel = "add_one") {
    writeText(dir.path("add_one.cu"), kDeviceSource);
    writeText(dir.path("host.cc"), kHostSource);
    compile(nvcc + " -ptx -arch=compute_80 -o " + dir.path("add_one.ptx") +
            " " + dir.path("add_one.cu"));
    compile(std::string(PRISM_HOST_CXX) + " -shared -fPIC -O1 -I" +
            PRISM_CUDA_ABI_DIR + " '-DKERNEL=\"" + kernel + "\"' -o " +
            dir.path("host.so") + " " + dir.path("host.cc"));
    if (testing::Test::HasFatalFailure())
      return Status::error("", "compilation failed");
    Status status = cudaProgram(contentsOf(dir.path("host.so")),
                                contentsOf(dir.path("add_one.ptx")))
                        .write(programPath());
    if (!status.isOk())
      return status;
    StatusOr<Program> program = Program::open(programPath());
    if (!program.isOk())
      return program.getStatus();
    return CudaExecutor::create(*program);
  }

  std::string programPath() const { return dir.path("p.prism"); }

  TempDir dir;
  std::string nvcc;
};

TEST_F(CudaProgramTest, RunsAndKeepsTheViewsCoherent) {
  auto exec = load();
  ASSERT_TRUE(exec.isOk()) << exec.getStatus().str();
  CudaExecutor &e = **exec;
  EXPECT_STREQ(e.targetName(), "cuda");
  EXPECT_NE(e.deviceDescription().find("(sm_"), std::string::npos)
      << e.deviceDescription();
  e.setGemmMath(GemmMath::Fp32);
  EXPECT_EQ(e.buffer(1), nullptr) << "batch buffers wait for the batch size";
  ASSERT_TRUE(e.setBatchSize(2).isOk());
  const float w[6] = {1, 2, 3, 4, 5, 6}, b[2] = {0.5f, -0.5f};
  std::copy(w, w + 6, e.buffer(2));
  std::copy(b, b + 2, e.buffer(4));
  ASSERT_TRUE(e.pushState().isOk());
  for (int i = 0; i < 5; ++i)
    e.buffer(0)[i] = static_cast<float>(i);
  // The first call runs the host function, the second captures it, the
  // third replays the graph: each sees the inputs of its own call.
  for (int call = 1; call <= 3; ++call) {
    const float a[6] = {static_cast<float>(call), 0, 0, 1, 1, 1};
    std::copy(a, a + 6, e.buffer(1));
    Status status = e.run("step", {});
    ASSERT_TRUE(status.isOk()) << status.str();
    for (int i = 0; i < 5; ++i)
      EXPECT_EQ(e.buffer(0)[i], static_cast<float>(i + call));
    const float *y = e.buffer(3);
    EXPECT_NEAR(y[0], call * 1.0f + 0.5f, 1e-5);
    EXPECT_NEAR(y[1], call * 2.0f - 0.5f, 1e-5);
    EXPECT_NEAR(y[2], 9.5f, 1e-5);
    EXPECT_NEAR(y[3], 11.5f, 1e-5);
  }
  const char *graphs = std::getenv("PRISM_CUDA_GRAPHS");
  EXPECT_EQ(e.runsAsGraph("step"), !(graphs && std::string(graphs) == "0"));
  e.buffer(0)[0] = 100;
  ASSERT_TRUE(e.run("step", {}).isOk());
  EXPECT_EQ(e.buffer(0)[0], 101.0f) << "host edits of ModelState are sent";

  ASSERT_TRUE(e.setBatchSize(3).isOk());
  EXPECT_FALSE(e.runsAsGraph("step"));
  for (int i = 0; i < 9; ++i)
    ASSERT_EQ(e.buffer(1)[i], 0.0f) << "a new batch buffer starts zeroed";
  e.buffer(1)[8] = 1;
  ASSERT_TRUE(e.run("step", {}).isOk());
  EXPECT_NEAR(e.buffer(3)[4], 5.5f, 1e-5);
  EXPECT_NEAR(e.buffer(3)[5], 5.5f, 1e-5);

  std::fill(e.buffer(2), e.buffer(2) + 6, 0.0f);
  ASSERT_TRUE(e.pullState().isOk());
  EXPECT_EQ(std::vector<float>(e.buffer(2), e.buffer(2) + 6),
            std::vector<float>(w, w + 6));
}

TEST_F(CudaProgramTest, MissingKernelIsNamed) {
  auto exec = load("add_two");
  ASSERT_FALSE(exec.isOk());
  std::string message = exec.getStatus().str();
  EXPECT_NE(message.find("has no kernel 'add_two', kernel 0 of kernel "
                         "image 0"),
            std::string::npos)
      << message;
}

} // namespace
