//===- LinearBaselinesTest.cpp - PCA, k-means, semi-NMF, ICA, MP ----------===//
//
// Each baseline is checked against planted ground truth (data in a subspace,
// well-separated clusters, independent non-Gaussian sources, an orthonormal
// dictionary) and against a NumPy implementation of the same method run by
// PRISM_PYTHON at test time from the same start, and every diagnostic is
// checked word for word.
//
//===----------------------------------------------------------------------===//

#include "TestDraws.h"
#include "TestFiles.h"

#include "prism/runtime/LinearBaselines.h"
#include "prism/runtime/Random.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <limits>
#include <random>
#include <set>
#include <sstream>

using namespace prism;
using namespace prism::test;

namespace {

/// rows x dim data of rank `rank`: Gaussian factors times a Gaussian basis,
/// plus a per-column offset (a modality-gap-like mean).
std::vector<float> lowRank(size_t rows, size_t dim, size_t rank,
                           uint64_t seed) {
  Draws draws(seed);
  std::vector<float> factors = draws.normals(rows * rank);
  std::vector<float> basis = draws.normals(rank * dim);
  std::vector<float> offset = draws.normals(dim, 3);
  std::vector<float> x(rows * dim);
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < dim; ++c) {
      double sum = offset[c];
      for (size_t i = 0; i < rank; ++i)
        sum += static_cast<double>(factors[r * rank + i]) * basis[i * dim + c];
      x[r * dim + c] = static_cast<float>(sum);
    }
  return x;
}

/// Gaussian rows with column scales 1, 0.8, 0.64, ...: distinct variances.
std::vector<float> anisotropic(size_t rows, size_t dim, uint64_t seed) {
  Draws draws(seed);
  std::vector<float> x = draws.normals(rows * dim);
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < dim; ++c)
      x[r * dim + c] =
          static_cast<float>(x[r * dim + c] * std::pow(0.8, c) + 0.5 * c);
  return x;
}

/// Declares `name` from a StatusOr, ending the test if it holds an error.
#define ASSIGN_OK(type, name, expr)                                            \
  auto name##OrError = (expr);                                                 \
  ASSERT_TRUE(name##OrError.isOk()) << name##OrError.getStatus().str();        \
  type name = name##OrError.take()

template <typename T>
void expectError(const StatusOr<T> &result, const std::string &message) {
  ASSERT_FALSE(result.isOk());
  EXPECT_EQ(result.getStatus().getMessage(), message);
}

//===----------------------------------------------------------------------===//
// The NumPy reference runner
//===----------------------------------------------------------------------===//

const char *kPreamble = R"(
import sys
try:
    import numpy as np
except Exception as e:
    print(e)
    sys.exit(3)
d = sys.argv[1]
def load32(name):
    return np.load(d + '/' + name).astype(np.float64)
def loadtxt(name):
    return np.loadtxt(d + '/' + name, ndmin=2)
def emit(a):
    print(' '.join('%.17g' % v for v in np.ravel(a)))
def r2(x, xhat):
    sse = ((x - xhat) ** 2).sum()
    return [1 - sse / ((x - x.mean(0)) ** 2).sum(),
            1 - sse / ((x - x.mean()) ** 2).sum()]
)";

/// Runs `script` (after the preamble) with the temp dir as argv[1]; returns
/// its output lines as numbers. Sets `skip` if NumPy is missing.
std::vector<std::vector<double>>
runReference(const TempDir &dir, const std::string &script, std::string &skip) {
  writeText(dir.path("reference.py"), std::string(kPreamble) + script);
  std::string command = std::string(PRISM_PYTHON) + " " +
                        dir.path("reference.py") + " " + dir.path("") + " >" +
                        dir.path("out.txt") + " 2>&1";
  int status = std::system(command.c_str());
  std::ifstream in(dir.path("out.txt"));
  std::string line;
  std::vector<std::vector<double>> out;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string all = contentsOf(dir.path("out.txt"));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
      skip = "numpy is not importable by " PRISM_PYTHON ": " + all;
    else
      ADD_FAILURE() << "the NumPy reference script failed: " << all;
    return out;
  }
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::vector<double> values;
    for (double v; fields >> v;)
      values.push_back(v);
    out.push_back(values);
  }
  return out;
}

/// Doubles as text that np.loadtxt reads back exactly.
void writeDoubles(const std::string &path, const std::vector<double> &values,
                  size_t cols) {
  std::ofstream out(path);
  out << std::setprecision(17);
  for (size_t i = 0; i < values.size(); ++i)
    out << values[i] << ((i + 1) % cols == 0 ? "\n" : " ");
}

void expectAllNear(const std::vector<double> &actual,
                   const std::vector<double> &expected, double tolerance,
                   const std::string &what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (size_t i = 0; i < actual.size(); ++i)
    ASSERT_NEAR(actual[i], expected[i],
                tolerance * std::max(1.0, std::fabs(expected[i])))
        << what << " [" << i << "]";
}

} // namespace

//===----------------------------------------------------------------------===//
// PCA
//===----------------------------------------------------------------------===//

TEST(LinearBaselinesTest, PcaRecoversAPlantedSubspace) {
  const size_t rows = 200, dim = 12, rank = 4;
  std::vector<float> x = lowRank(rows, dim, rank, 1);
  ASSIGN_OK(BaselineSweep, sweep, pcaSweep(x.data(), rows, dim, {3, 4, 5}));
  EXPECT_EQ(sweep.method, "pca");
  ASSERT_EQ(sweep.points.size(), 3u);
  EXPECT_EQ(sweep.points[1].size, 4u);
  EXPECT_EQ(sweep.points[1].l0, 4.0);
  EXPECT_NEAR(*sweep.points[1].r2PerDim, 1.0, 1e-6);
  EXPECT_NEAR(*sweep.points[1].r2Global, 1.0, 1e-6);
  EXPECT_NEAR(*sweep.points[2].r2PerDim, 1.0, 1e-6);
  // One planted direction short: a whole factor's variance is missing.
  EXPECT_LT(*sweep.points[0].r2PerDim, 0.95);
}

TEST(LinearBaselinesTest, PcaMatchesNumpySvd) {
  const size_t rows = 60, dim = 10;
  std::vector<float> x = anisotropic(rows, dim, 2);
  TempDir dir;
  writeBytes(dir.path("x.npy"), npyF32(x, rows, dim));
  std::string skip;
  auto reference = runReference(dir, R"(
x = load32('x.npy')
mean = x.mean(0)
u, s, vt = np.linalg.svd(x - mean, full_matrices=False)
for k in (1, 3, 7, 10):
    v = vt[:k]
    emit(r2(x, mean + (x - mean) @ v.T @ v))
emit(s ** 2 / len(x))
emit(vt)
)",
                                skip);
  if (!skip.empty())
    GTEST_SKIP() << skip;
  ASSERT_EQ(reference.size(), 6u);
  ASSIGN_OK(BaselineSweep, sweep, pcaSweep(x.data(), rows, dim, {1, 3, 7, 10}));
  ASSERT_EQ(sweep.points.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(*sweep.points[i].r2PerDim, reference[i][0], 1e-5) << i;
    EXPECT_NEAR(*sweep.points[i].r2Global, reference[i][1], 1e-5) << i;
  }
  ASSIGN_OK(PcaFit, fit, fitPca(x.data(), rows, dim, dim));
  expectAllNear(fit.variances, reference[4], 1e-9, "variances");
  // Eigenvectors agree with the right singular vectors up to sign.
  for (size_t i = 0; i < dim; ++i) {
    double dot = 0;
    for (size_t c = 0; c < dim; ++c)
      dot += fit.components[i * dim + c] * reference[5][i * dim + c];
    EXPECT_NEAR(std::fabs(dot), 1.0, 1e-9) << "component " << i;
  }
}

TEST(LinearBaselinesTest, ConstantDataHasNoR2) {
  std::vector<float> x(5 * 3, 2.5f);
  ASSIGN_OK(BaselineSweep, sweep, pcaSweep(x.data(), 5, 3, {1}));
  ASSERT_EQ(sweep.points.size(), 1u);
  EXPECT_FALSE(sweep.points[0].r2PerDim.has_value());
  EXPECT_FALSE(sweep.points[0].r2Global.has_value());
}

//===----------------------------------------------------------------------===//
// k-means
//===----------------------------------------------------------------------===//

TEST(LinearBaselinesTest, KMeansFindsPlantedClusters) {
  const size_t clusters = 5, perCluster = 40, dim = 8;
  const size_t rows = clusters * perCluster;
  Draws draws(3);
  std::vector<float> centres = draws.normals(clusters * dim, 100);
  std::vector<float> x(rows * dim);
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < dim; ++c)
      x[r * dim + c] = static_cast<float>(centres[(r % clusters) * dim + c] +
                                          0.1 * draws.normal());
  ASSIGN_OK(BaselineSweep, sweep,
            kmeansSweep(x.data(), rows, dim, {clusters, 1}, 7, 100));
  EXPECT_EQ(sweep.method, "kmeans");
  ASSERT_EQ(sweep.points.size(), 2u);
  EXPECT_EQ(sweep.points[0].l0, 1.0);
  EXPECT_GT(*sweep.points[0].r2PerDim, 0.999);
  // One cluster: every row is reconstructed by the mean, R² = 0 exactly.
  EXPECT_NEAR(*sweep.points[1].r2PerDim, 0.0, 1e-6);

  // The partition itself: rows of a planted cluster share one label, and
  // the labels of different clusters differ.
  ASSIGN_OK(std::vector<double>, start,
            kmeansPlusPlus(x.data(), rows, dim, clusters, 11));
  ASSIGN_OK(KMeansFit, fit,
            kmeansLloyd(x.data(), rows, dim, start, clusters, 100));
  EXPECT_TRUE(fit.converged);
  std::set<uint32_t> labels;
  for (size_t c = 0; c < clusters; ++c) {
    labels.insert(fit.assignment[c]);
    for (size_t r = c; r < rows; r += clusters)
      ASSERT_EQ(fit.assignment[r], fit.assignment[c]) << "row " << r;
  }
  EXPECT_EQ(labels.size(), clusters);
}

TEST(LinearBaselinesTest, KMeansPlusPlusPicksDistinctRows) {
  const size_t rows = 30, dim = 4, clusters = 10;
  std::vector<float> x = anisotropic(rows, dim, 4);
  ASSIGN_OK(std::vector<double>, start,
            kmeansPlusPlus(x.data(), rows, dim, clusters, 5));
  std::set<size_t> picked;
  for (size_t c = 0; c < clusters; ++c) {
    size_t match = rows;
    for (size_t r = 0; r < rows && match == rows; ++r) {
      bool same = true;
      for (size_t j = 0; j < dim; ++j)
        same &= start[c * dim + j] == static_cast<double>(x[r * dim + j]);
      if (same)
        match = r;
    }
    ASSERT_LT(match, rows) << "centroid " << c << " is not a row";
    picked.insert(match);
  }
  // A row already taken has D² = 0 and cannot be drawn again.
  EXPECT_EQ(picked.size(), clusters);
  // The same seed gives the same start.
  ASSIGN_OK(std::vector<double>, again,
            kmeansPlusPlus(x.data(), rows, dim, clusters, 5));
  EXPECT_EQ(again, start);
}

TEST(LinearBaselinesTest, KMeansMatchesNumpyLloyd) {
  const size_t rows = 120, dim = 6, clusters = 7;
  std::vector<float> x = anisotropic(rows, dim, 6);
  ASSIGN_OK(std::vector<double>, start,
            kmeansPlusPlus(x.data(), rows, dim, clusters, 9));
  TempDir dir;
  writeBytes(dir.path("x.npy"), npyF32(x, rows, dim));
  writeDoubles(dir.path("init.txt"), start, dim);
  std::string skip;
  auto reference = runReference(dir, R"(
x = load32('x.npy')
c = loadtxt('init.txt')
labels = None
for it in range(100):
    new = ((x[:, None, :] - c[None, :, :]) ** 2).sum(-1).argmin(1)
    if labels is not None and (new == labels).all():
        break
    labels = new
    for j in range(len(c)):
        if (labels == j).any():
            c[j] = x[labels == j].mean(0)
labels = ((x[:, None, :] - c[None, :, :]) ** 2).sum(-1).argmin(1)
emit(labels)
emit(c)
emit(r2(x, c[labels]))
)",
                                skip);
  if (!skip.empty())
    GTEST_SKIP() << skip;
  ASSERT_EQ(reference.size(), 3u);
  ASSIGN_OK(KMeansFit, fit,
            kmeansLloyd(x.data(), rows, dim, start, clusters, 100));
  EXPECT_TRUE(fit.converged);
  std::vector<double> labels(fit.assignment.begin(), fit.assignment.end());
  EXPECT_EQ(labels, reference[0]);
  expectAllNear(fit.centroids, reference[1], 1e-9, "centroids");
}

TEST(LinearBaselinesTest, KMeansStopsAtTheIterationLimit) {
  const size_t rows = 120, dim = 6, clusters = 7;
  std::vector<float> x = anisotropic(rows, dim, 6);
  ASSIGN_OK(std::vector<double>, start,
            kmeansPlusPlus(x.data(), rows, dim, clusters, 9));
  ASSIGN_OK(KMeansFit, one,
            kmeansLloyd(x.data(), rows, dim, start, clusters, 1));
  EXPECT_EQ(one.iterations, 1u);
  // One round: each centroid is the mean of the rows nearest its start.
  for (size_t c = 0; c < clusters; ++c) {
    std::vector<double> sum(dim, 0.0);
    size_t count = 0;
    for (size_t r = 0; r < rows; ++r) {
      size_t best = 0;
      double bestDistance = std::numeric_limits<double>::infinity();
      for (size_t k = 0; k < clusters; ++k) {
        double d = 0;
        for (size_t j = 0; j < dim; ++j)
          d += std::pow(x[r * dim + j] - start[k * dim + j], 2);
        if (d < bestDistance) {
          bestDistance = d;
          best = k;
        }
      }
      if (best != c)
        continue;
      ++count;
      for (size_t j = 0; j < dim; ++j)
        sum[j] += x[r * dim + j];
    }
    for (size_t j = 0; j < dim; ++j)
      EXPECT_NEAR(one.centroids[c * dim + j],
                  count ? sum[j] / count : start[c * dim + j], 1e-9);
  }
}

//===----------------------------------------------------------------------===//
// Semi-NMF
//===----------------------------------------------------------------------===//

TEST(LinearBaselinesTest, SemiNmfMatchesNumpy) {
  const size_t rows = 80, dim = 6, k = 4;
  const unsigned iterations = 30;
  std::vector<float> x = anisotropic(rows, dim, 8);
  // The start the sweep below takes for k (seed 3).
  ASSIGN_OK(
      std::vector<double>, start,
      semiNmfStart(x.data(), rows, dim, k, derivedSeed(3, k), iterations));
  // The start: one indicator per row, plus 0.2 everywhere.
  for (size_t r = 0; r < rows; ++r) {
    double sum = 0;
    for (size_t i = 0; i < k; ++i)
      sum += start[r * k + i];
    EXPECT_NEAR(sum, 1.0 + 0.2 * k, 1e-12);
  }
  TempDir dir;
  writeBytes(dir.path("x.npy"), npyF32(x, rows, dim));
  writeDoubles(dir.path("g0.txt"), start, k);
  std::string skip;
  auto reference = runReference(dir, R"(
x = load32('x.npy')
xc = x - x.mean(0)
g = loadtxt('g0.txt')
pos = lambda m: (np.abs(m) + m) / 2
neg = lambda m: (np.abs(m) - m) / 2
basis = lambda g: np.linalg.solve(g.T @ g, g.T @ xc)
for it in range(30):
    f = basis(g)
    a, b = xc @ f.T, f @ f.T
    num, den = pos(a) + g @ neg(b), neg(a) + g @ pos(b)
    g = np.where(den > 0, g * np.sqrt(num / np.where(den > 0, den, 1)), g)
f = basis(g)
emit(g)
emit(f)
emit(r2(x, x.mean(0) + g @ f) + [(g > 0).sum(1).mean()])
)",
                                skip);
  if (!skip.empty())
    GTEST_SKIP() << skip;
  ASSERT_EQ(reference.size(), 3u);
  ASSIGN_OK(SemiNmfFit, fit,
            semiNmf(x.data(), rows, dim, start, k, iterations));
  expectAllNear(fit.codes, reference[0], 1e-8, "codes");
  expectAllNear(fit.basis, reference[1], 1e-8, "basis");
  for (double g : fit.codes)
    EXPECT_GE(g, 0.0);
  ASSIGN_OK(BaselineSweep, sweep,
            semiNmfSweep(x.data(), rows, dim, {k}, 3, iterations));
  EXPECT_EQ(sweep.method, "semi_nmf");
  ASSERT_EQ(sweep.points.size(), 1u);
  EXPECT_NEAR(*sweep.points[0].r2PerDim, reference[2][0], 1e-5);
  EXPECT_NEAR(*sweep.points[0].r2Global, reference[2][1], 1e-5);
  EXPECT_EQ(sweep.points[0].l0, reference[2][2]);
}

TEST(LinearBaselinesTest, SemiNmfNeverIncreasesTheError) {
  // Ding, Li & Jordan's Theorem 1: with F solved exactly, each G update does
  // not increase ‖Xc − G F‖².
  const size_t rows = 50, dim = 5, k = 3;
  std::vector<float> x = anisotropic(rows, dim, 12);
  ASSIGN_OK(std::vector<double>, start,
            semiNmfStart(x.data(), rows, dim, k, 4, 10));
  double previous = std::numeric_limits<double>::infinity();
  for (unsigned it = 1; it <= 15; ++it) {
    ASSIGN_OK(SemiNmfFit, fit, semiNmf(x.data(), rows, dim, start, k, it));
    double sse = 0;
    for (size_t r = 0; r < rows; ++r)
      for (size_t c = 0; c < dim; ++c) {
        double xhat = fit.mean[c];
        for (size_t i = 0; i < k; ++i)
          xhat += fit.codes[r * k + i] * fit.basis[i * dim + c];
        sse += std::pow(x[r * dim + c] - xhat, 2);
      }
    EXPECT_LE(sse, previous * (1 + 1e-12)) << "iteration " << it;
    previous = sse;
  }
}

//===----------------------------------------------------------------------===//
// ICA
//===----------------------------------------------------------------------===//

namespace {

double correlation(const std::vector<double> &a, const std::vector<double> &b) {
  size_t n = a.size();
  double ma = 0, mb = 0;
  for (size_t i = 0; i < n; ++i) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < n; ++i) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) * (a[i] - ma);
    bb += (b[i] - mb) * (b[i] - mb);
  }
  return ab / std::sqrt(aa * bb);
}

/// The sources s = unmixing (x − mean), [k][rows].
std::vector<std::vector<double>> sourcesOf(const IcaFit &fit,
                                           const std::vector<float> &x,
                                           size_t rows, size_t dim, size_t k) {
  std::vector<std::vector<double>> s(k, std::vector<double>(rows));
  for (size_t i = 0; i < k; ++i)
    for (size_t r = 0; r < rows; ++r)
      for (size_t c = 0; c < dim; ++c)
        s[i][r] += fit.unmixing[i * dim + c] * (x[r * dim + c] - fit.mean[c]);
  return s;
}

} // namespace

TEST(LinearBaselinesTest, IcaUnmixesPlantedSources) {
  // A uniform and a Laplace source (both unit variance) mixed into 4 columns.
  const size_t rows = 2000, dim = 4, k = 2;
  Draws draws(21);
  std::vector<std::vector<double>> planted(2, std::vector<double>(rows));
  for (size_t r = 0; r < rows; ++r) {
    planted[0][r] = draws.uniform(-std::sqrt(3.0), std::sqrt(3.0));
    double u = draws.uniform(-0.5, 0.5);
    planted[1][r] = -std::copysign(1.0, u) * std::log(1 - 2 * std::fabs(u)) /
                    std::sqrt(2.0);
  }
  const double mixing[4][2] = {{1.0, 0.6}, {0.4, 1.2}, {-0.7, 0.5}, {0.3, 0.9}};
  std::vector<float> x(rows * dim);
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < dim; ++c)
      x[r * dim + c] = static_cast<float>(5.0 + mixing[c][0] * planted[0][r] +
                                          mixing[c][1] * planted[1][r]);
  ASSIGN_OK(IcaFit, fit, fitIca(x.data(), rows, dim, k, 17, 200));
  EXPECT_TRUE(fit.converged);
  auto sources = sourcesOf(fit, x, rows, dim, k);
  // Each planted source is found by one recovered source, up to sign and
  // order.
  for (size_t p = 0; p < 2; ++p) {
    double best = 0;
    for (size_t i = 0; i < k; ++i)
      best = std::max(best, std::fabs(correlation(planted[p], sources[i])));
    EXPECT_GT(best, 0.95) << "planted source " << p;
  }
  // And x̂ = mean + mixing s reconstructs the rank-2 data.
  ASSIGN_OK(BaselineSweep, sweep, icaSweep(x.data(), rows, dim, {k}, 17, 200));
  EXPECT_EQ(sweep.method, "ica");
  EXPECT_NEAR(*sweep.points[0].r2PerDim, 1.0, 1e-6);
}

TEST(LinearBaselinesTest, IcaSourcesAreWhiteAndR2IsPcas) {
  const size_t rows = 300, dim = 9, k = 5;
  std::vector<float> x = anisotropic(rows, dim, 31);
  // Gaussian data has no independent components to converge to; the
  // symmetric decorrelation keeps the sources white whether or not the
  // iteration settles, and the subspace, hence R², is PCA's either way.
  ASSIGN_OK(IcaFit, fit, fitIca(x.data(), rows, dim, k, 2, 500));
  auto sources = sourcesOf(fit, x, rows, dim, k);
  for (size_t i = 0; i < k; ++i)
    for (size_t j = 0; j < k; ++j) {
      double cov = 0, mi = 0, mj = 0;
      for (size_t r = 0; r < rows; ++r) {
        mi += sources[i][r] / rows;
        mj += sources[j][r] / rows;
      }
      for (size_t r = 0; r < rows; ++r)
        cov += (sources[i][r] - mi) * (sources[j][r] - mj) / rows;
      EXPECT_NEAR(cov, i == j ? 1.0 : 0.0, 1e-9) << i << "," << j;
    }
  std::vector<uint64_t> sizes = {1, 3, 5, 9};
  ASSIGN_OK(BaselineSweep, ica, icaSweep(x.data(), rows, dim, sizes, 2, 500));
  ASSIGN_OK(BaselineSweep, pca, pcaSweep(x.data(), rows, dim, sizes));
  for (size_t i = 0; i < sizes.size(); ++i) {
    EXPECT_EQ(ica.points[i].l0, static_cast<double>(sizes[i]));
    EXPECT_NEAR(*ica.points[i].r2PerDim, *pca.points[i].r2PerDim, 1e-6);
    EXPECT_NEAR(*ica.points[i].r2Global, *pca.points[i].r2Global, 1e-6);
  }
}

//===----------------------------------------------------------------------===//
// Matching pursuit
//===----------------------------------------------------------------------===//

TEST(LinearBaselinesTest, MatchingPursuitMatchesNumpy) {
  const size_t rows = 40, dim = 8, atoms = 20, steps = 6;
  std::vector<float> x = anisotropic(rows, dim, 41);
  Draws draws(42);
  std::vector<float> dictionary = draws.normals(atoms * dim, 3);
  TempDir dir;
  writeBytes(dir.path("x.npy"), npyF32(x, rows, dim));
  writeBytes(dir.path("d.npy"), npyF32(dictionary, atoms, dim));
  std::string skip;
  auto reference = runReference(dir, R"(
x = load32('x.npy')
d = load32('d.npy')
d /= np.linalg.norm(d, axis=1, keepdims=True)
res = x - x.mean(0)
used = [set() for _ in range(len(x))]
for t in range(6):
    c = res @ d.T
    j = np.abs(c).argmax(1)
    a = c[np.arange(len(x)), j]
    res -= a[:, None] * d[j]
    for r in range(len(x)):
        used[r].add(int(j[r]))
    emit(j)
    emit(a)
    if t + 1 in (1, 3, 6):
        emit(r2(x, x - res) + [np.mean([len(u) for u in used])])
)",
                                skip);
  if (!skip.empty())
    GTEST_SKIP() << skip;
  ASSERT_EQ(reference.size(), 3 * steps - 3);
  ASSIGN_OK(
      MatchingPursuitCodes, codes,
      matchingPursuit(x.data(), rows, dim, dictionary.data(), atoms, steps));
  size_t line = 0;
  std::vector<std::vector<double>> scores;
  for (size_t t = 0; t < steps; ++t) {
    std::vector<double> chosen(rows), coefficients(rows);
    for (size_t r = 0; r < rows; ++r) {
      chosen[r] = codes.atoms[r * steps + t];
      coefficients[r] = codes.coefficients[r * steps + t];
    }
    EXPECT_EQ(chosen, reference[line++]) << "step " << t;
    expectAllNear(coefficients, reference[line++], 1e-9, "coefficients");
    if (t + 1 == 1 || t + 1 == 3 || t + 1 == 6)
      scores.push_back(reference[line++]);
  }
  // The sweep, asked in another order, scores each count as NumPy does.
  ASSIGN_OK(BaselineSweep, sweep,
            matchingPursuitSweep(x.data(), rows, dim, dictionary.data(), atoms,
                                 {6, 1, 3}));
  EXPECT_EQ(sweep.method, "matching_pursuit");
  ASSERT_EQ(sweep.points.size(), 3u);
  const size_t order[] = {2, 0, 1};
  for (size_t i = 0; i < 3; ++i) {
    const BaselinePoint &point = sweep.points[i];
    const std::vector<double> &expected = scores[order[i]];
    EXPECT_NEAR(*point.r2PerDim, expected[0], 1e-5) << point.size;
    EXPECT_NEAR(*point.r2Global, expected[1], 1e-5) << point.size;
    EXPECT_DOUBLE_EQ(point.l0, expected[2]) << point.size;
  }
}

TEST(LinearBaselinesTest, MatchingPursuitOverAnOrthonormalBasisIsExact) {
  // With the (scaled) standard basis as dictionary, dim steps project the
  // centred row onto every axis: the reconstruction is exact, and each step
  // takes a new axis, so L0 = steps.
  const size_t rows = 25, dim = 6;
  std::vector<float> x = anisotropic(rows, dim, 51);
  std::vector<float> basis(dim * dim, 0.0f);
  for (size_t i = 0; i < dim; ++i)
    basis[i * dim + i] = 2.0f;
  ASSIGN_OK(
      BaselineSweep, sweep,
      matchingPursuitSweep(x.data(), rows, dim, basis.data(), dim, {2, dim}));
  EXPECT_EQ(sweep.points[0].l0, 2.0);
  EXPECT_EQ(sweep.points[1].l0, static_cast<double>(dim));
  EXPECT_NEAR(*sweep.points[1].r2PerDim, 1.0, 1e-6);
  EXPECT_NEAR(*sweep.points[1].r2Global, 1.0, 1e-6);
}

//===----------------------------------------------------------------------===//
// The sizes `prism analyze` runs
//===----------------------------------------------------------------------===//

TEST(LinearBaselinesTest, FullSizedSweepsRunInSeconds) {
  // 1000 x 512 rows (the bundled COCO set's shape) of rank-64 data plus
  // noise, and a 4096-atom random dictionary.
  const size_t rows = 1000, dim = 512, atoms = 4096;
  std::vector<float> x = lowRank(rows, dim, 64, 61);
  Draws draws(62);
  for (float &v : x)
    v += static_cast<float>(0.3 * draws.normal());
  std::vector<float> dictionary = draws.normals(atoms * dim);
  auto begin = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         begin)
        .count();
  };
  ASSIGN_OK(BaselineSweep, pca,
            pcaSweep(x.data(), rows, dim, {1, 2, 4, 8, 16, 32, 64, 128, 256}));
  double pcaSeconds = seconds();
  ASSIGN_OK(BaselineSweep, kmeans,
            kmeansSweep(x.data(), rows, dim, {16, 64, 256}, 1, 100));
  double kmeansSeconds = seconds();
  ASSIGN_OK(BaselineSweep, semi,
            semiNmfSweep(x.data(), rows, dim, {8, 32, 128}, 1, 100));
  double semiNmfSeconds = seconds();
  ASSIGN_OK(BaselineSweep, ica, icaSweep(x.data(), rows, dim, {8, 32}, 1, 200));
  double icaSeconds = seconds();
  ASSIGN_OK(BaselineSweep, mp,
            matchingPursuitSweep(x.data(), rows, dim, dictionary.data(), atoms,
                                 {1, 2, 4, 8, 16, 32, 64}));
  double total = seconds();
  std::printf("cumulative seconds: pca %.2f, kmeans %.2f, semi_nmf %.2f, ica "
              "%.2f, matching_pursuit %.2f\n",
              pcaSeconds, kmeansSeconds, semiNmfSeconds, icaSeconds, total);
  std::vector<BaselineSweep> sweeps = {pca, kmeans, semi, ica, mp};
  for (const BaselineSweep &sweep : sweeps) {
    std::printf("%s:", sweep.method.c_str());
    for (const BaselinePoint &p : sweep.points)
      std::printf(" (%llu, l0 %.2f, r2 %.4f/%.4f)",
                  static_cast<unsigned long long>(p.size), p.l0,
                  p.r2PerDim.value_or(NAN), p.r2Global.value_or(NAN));
    std::printf("\n");
  }
  EXPECT_LT(total, 60.0);
  // More components or steps never explain less: PCA's R² is the sum of the
  // top eigenvalues' shares, MP's residual shrinks by a² each step.
  for (size_t m : {0, 4})
    for (size_t i = 1; i < sweeps[m].points.size(); ++i)
      EXPECT_GE(*sweeps[m].points[i].r2PerDim,
                *sweeps[m].points[i - 1].r2PerDim - 1e-9)
          << sweeps[m].method << " " << i;
  // The data has rank 64 plus noise: 64 components explain nearly all of it.
  EXPECT_GT(*sweeps[0].points[6].r2PerDim, 0.9);
}

//===----------------------------------------------------------------------===//
// Diagnostics
//===----------------------------------------------------------------------===//

TEST(LinearBaselinesTest, ErrorOnTooFewRows) {
  std::vector<float> x(4, 1.0f);
  expectError(pcaSweep(x.data(), 1, 4, {1}),
              "pca: needs at least 2 rows of embeddings, got 1");
}

TEST(LinearBaselinesTest, ErrorOnZeroWidth) {
  std::vector<float> x(1, 1.0f);
  expectError(kmeansSweep(x.data(), 3, 0, {1}, 1, 10),
              "kmeans: the embeddings have width 0");
}

TEST(LinearBaselinesTest, ErrorOnNonFiniteRow) {
  std::vector<float> x = anisotropic(5, 3, 1);
  x[2 * 3 + 1] = std::numeric_limits<float>::quiet_NaN();
  expectError(semiNmfSweep(x.data(), 5, 3, {2}, 1, 10),
              "semi_nmf: row 2 of the embeddings holds a non-finite value "
              "(nan at column 1)");
  x[2 * 3 + 1] = 0;
  x[4 * 3 + 0] = -std::numeric_limits<float>::infinity();
  expectError(icaSweep(x.data(), 5, 3, {1}, 1, 10),
              "ica: row 4 of the embeddings holds a non-finite value "
              "(-inf at column 0)");
}

TEST(LinearBaselinesTest, ErrorOnNoSizes) {
  std::vector<float> x = anisotropic(5, 3, 1);
  expectError(pcaSweep(x.data(), 5, 3, {}), "pca: no components given");
}

TEST(LinearBaselinesTest, ErrorOnZeroSize) {
  std::vector<float> x = anisotropic(5, 3, 1);
  std::vector<float> d(3, 1.0f);
  expectError(matchingPursuitSweep(x.data(), 5, 3, d.data(), 1, {2, 0}),
              "matching_pursuit: steps[1] is 0, expected at least 1");
}

TEST(LinearBaselinesTest, ErrorOnMoreComponentsThanWidth) {
  std::vector<float> x = anisotropic(20, 3, 1);
  expectError(pcaSweep(x.data(), 20, 3, {2, 4}),
              "pca: components[1] = 4 exceeds the embedding width 3");
  expectError(fitPca(x.data(), 20, 3, 5),
              "pca: components = 5 exceeds the embedding width 3");
}

TEST(LinearBaselinesTest, ErrorOnMoreClustersThanRows) {
  std::vector<float> x = anisotropic(10, 3, 1);
  expectError(kmeansSweep(x.data(), 10, 3, {11}, 1, 10),
              "kmeans: clusters[0] = 11 exceeds the number of rows 10");
  expectError(semiNmfSweep(x.data(), 10, 3, {4, 12}, 1, 10),
              "semi_nmf: components[1] = 12 exceeds the number of rows 10");
}

TEST(LinearBaselinesTest, ErrorOnZeroIterations) {
  std::vector<float> x = anisotropic(10, 3, 1);
  expectError(icaSweep(x.data(), 10, 3, {1}, 1, 0),
              "ica: iterations is 0, expected at least 1");
}

TEST(LinearBaselinesTest, ErrorOnIcaBeyondTheRank) {
  std::vector<float> x = lowRank(30, 5, 2, 1);
  expectError(icaSweep(x.data(), 30, 5, {2, 3}, 1, 50),
              "ica: components = 3 exceeds the rank 2 of the embeddings");
}

TEST(LinearBaselinesTest, ErrorOnEmptyDictionary) {
  std::vector<float> x = anisotropic(5, 3, 1);
  expectError(matchingPursuitSweep(x.data(), 5, 3, nullptr, 0, {1}),
              "matching_pursuit: the dictionary has no atoms");
}

TEST(LinearBaselinesTest, ErrorOnZeroAtom) {
  std::vector<float> x = anisotropic(5, 3, 1);
  std::vector<float> d = {1, 0, 0, 0, 0, 0};
  expectError(matchingPursuitSweep(x.data(), 5, 3, d.data(), 2, {1}),
              "matching_pursuit: atom 1 of the dictionary has zero norm");
}

TEST(LinearBaselinesTest, ErrorOnNonFiniteAtom) {
  std::vector<float> x = anisotropic(5, 3, 1);
  std::vector<float> d = {1, 0, std::numeric_limits<float>::infinity()};
  expectError(matchingPursuit(x.data(), 5, 3, d.data(), 1, 1),
              "matching_pursuit: atom 0 of the dictionary holds a non-finite "
              "value at column 2");
}

TEST(LinearBaselinesTest, ErrorOnWrongInitialCentroids) {
  std::vector<float> x = anisotropic(5, 3, 1);
  expectError(kmeansLloyd(x.data(), 5, 3, std::vector<double>(5), 2, 10),
              "kmeans: the initial centroids hold 5 values, expected "
              "clusters x width = 6");
  std::vector<double> bad(6, 0.0);
  bad[4] = NAN;
  expectError(kmeansLloyd(x.data(), 5, 3, bad, 2, 10),
              "kmeans: the initial centroids hold a non-finite value");
}

TEST(LinearBaselinesTest, ErrorOnWrongStartingCodes) {
  std::vector<float> x = anisotropic(5, 3, 1);
  expectError(semiNmf(x.data(), 5, 3, std::vector<double>(9, 1.0), 2, 10),
              "semi_nmf: the starting codes hold 9 values, expected rows x "
              "components = 10");
  std::vector<double> start(10, 1.0);
  start[3] = -0.5;
  expectError(semiNmf(x.data(), 5, 3, start, 2, 10),
              "semi_nmf: starting code 1,1 is negative or not finite");
}

TEST(LinearBaselinesTest, ErrorOnSingularCodes) {
  // A code column that is zero on every row makes GᵀG singular.
  std::vector<float> x = anisotropic(5, 3, 1);
  std::vector<double> start(10, 0.0);
  for (size_t r = 0; r < 5; ++r)
    start[r * 2] = 1.0;
  expectError(semiNmf(x.data(), 5, 3, start, 2, 10),
              "semi_nmf: the codes' Gram matrix GᵀG is singular at "
              "iteration 0");
}
