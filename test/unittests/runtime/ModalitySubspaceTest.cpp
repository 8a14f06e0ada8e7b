//===- ModalitySubspaceTest.cpp - LDA-INLP subspace, 1-D classifiers -----===//
//
// Checked against planted ground truth (Gaussian classes whose Bayes
// accuracy follows from the normal CDF, hand-built data whose subspace is
// known exactly) and against a NumPy implementation of the same fit and a
// brute-force sweep over every threshold, run by PRISM_PYTHON at test time.
//
//===----------------------------------------------------------------------===//

#include "TestDraws.h"
#include "TestFiles.h"

#include "prism/runtime/ModalitySubspace.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <sstream>

using namespace prism;
using namespace prism::test;

namespace {

std::vector<double> randomUnit(uint32_t dim, Draws &draws) {
  std::vector<double> v(dim);
  double norm = 0;
  for (double &value : v) {
    value = draws.normal();
    norm += value * value;
  }
  for (double &value : v)
    value /= std::sqrt(norm);
  return v;
}

double cosine(const double *a, const std::vector<double> &b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t k = 0; k < b.size(); ++k) {
    ab += a[k] * b[k];
    aa += a[k] * a[k];
    bb += b[k] * b[k];
  }
  return ab / std::sqrt(aa * bb);
}

/// The standard normal CDF.
double phi(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

/// Two Gaussian classes: the first `images` rows are images, with mean
/// +shift/2, the rest texts with mean −shift/2; noise N(0, I) whose
/// coordinate k is then scaled by scale[k].
struct Planted {
  std::vector<float> x;
  std::vector<uint8_t> isImage;
};

Planted planted(uint64_t rows, uint64_t images,
                const std::vector<double> &shift,
                const std::vector<double> &scale, uint64_t seed) {
  Draws draws(seed);
  uint32_t dim = static_cast<uint32_t>(shift.size());
  Planted p;
  p.x.resize(rows * dim);
  p.isImage.resize(rows);
  for (uint64_t r = 0; r < rows; ++r) {
    p.isImage[r] = r < images;
    double side = r < images ? 0.5 : -0.5;
    for (uint32_t k = 0; k < dim; ++k)
      p.x[r * dim + k] =
          static_cast<float>(side * shift[k] + scale[k] * draws.normal());
  }
  return p;
}

template <typename T> T expectOk(StatusOr<T> result) {
  EXPECT_TRUE(result.isOk()) << result.getStatus().str();
  return result.isOk() ? result.take() : T();
}

std::vector<float> toFloat(const std::vector<double> &v) {
  return std::vector<float>(v.begin(), v.end());
}

} // namespace

TEST(ModalitySubspaceTest, BestThresholdAccuracyByHand) {
  const double ordered[4] = {1, 2, 3, 4};
  const uint8_t textsLow[4] = {0, 0, 1, 1}, imagesLow[4] = {1, 1, 0, 0};
  EXPECT_EQ(bestThresholdAccuracy(ordered, 4, textsLow), 1.0);
  EXPECT_EQ(bestThresholdAccuracy(ordered, 4, imagesLow), 1.0);
  // Tied scores cannot be split: only "all one modality" remains.
  const double tied[4] = {1, 1, 1, 1};
  EXPECT_EQ(bestThresholdAccuracy(tied, 4, textsLow), 0.5);
  // Thresholds below 0, in [0, 1), [1, 2) and above 2 get 2, 3, 3, 2 right.
  const double partTied[4] = {0, 1, 1, 2};
  const uint8_t alternating[4] = {0, 1, 0, 1};
  EXPECT_EQ(bestThresholdAccuracy(partTied, 4, alternating), 0.75);
  // Unbalanced: 3 images, 1 text in the middle; the best is all images.
  const uint8_t mostlyImages[4] = {1, 0, 1, 1};
  EXPECT_EQ(bestThresholdAccuracy(ordered, 4, mostlyImages), 0.75);
}

TEST(ModalitySubspaceTest, PlantedDirectionAndBayesAccuracy) {
  // Isotropic unit noise, means ±g (distance 2 along g): the Bayes rule
  // thresholds x·g at 0 and is right with probability Φ(1).
  const uint32_t dim = 16;
  const uint64_t rows = 8000;
  Draws draws(11);
  std::vector<double> g = randomUnit(dim, draws), shift(dim);
  for (uint32_t k = 0; k < dim; ++k)
    shift[k] = 2 * g[k];
  Planted p = planted(rows, rows / 2, shift, std::vector<double>(dim, 1.0), 12);
  ModalitySubspace m = expectOk(fitModalitySubspace(
      p.x.data(), rows, dim, p.isImage.data(), 3, kDefaultModalityShrinkage));
  ASSERT_EQ(m.dim, dim);
  ASSERT_EQ(m.dims(), 3u);
  ASSERT_EQ(m.accuracy.size(), 3u);
  // Oriented towards the images.
  EXPECT_GT(cosine(m.basis.data(), g), 0.99);
  EXPECT_NEAR(m.accuracy[0], phi(1.0), 0.015);
  // Nothing separates the classes off g: chance, plus the optimism of
  // picking the best threshold and direction on the training data.
  EXPECT_LT(m.accuracy[1], 0.56);
  EXPECT_LT(m.accuracy[2], 0.56);
  // Orthonormal rows.
  for (uint32_t a = 0; a < 3; ++a)
    for (uint32_t b = 0; b < 3; ++b) {
      double ab = 0;
      for (uint32_t k = 0; k < dim; ++k)
        ab += m.basis[a * dim + k] * m.basis[b * dim + k];
      EXPECT_NEAR(ab, a == b ? 1.0 : 0.0, 1e-12) << a << ", " << b;
    }

  // Atoms: g; 3g (norms are of normalised rows); a direction orthogonal to
  // the fitted subspace; a direction orthogonal to g only; zero.
  std::vector<double> off = randomUnit(dim, draws), offG = off;
  for (uint32_t b = 0; b < 3; ++b) {
    double along = 0;
    for (uint32_t k = 0; k < dim; ++k)
      along += m.basis[b * dim + k] * off[k];
    for (uint32_t k = 0; k < dim; ++k)
      off[k] -= along * m.basis[b * dim + k];
  }
  double alongG = 0;
  for (uint32_t k = 0; k < dim; ++k)
    alongG += g[k] * offG[k];
  for (uint32_t k = 0; k < dim; ++k)
    offG[k] -= alongG * g[k];
  std::vector<float> dictionary;
  for (const std::vector<double> &atom :
       {g, shift, off, offG, std::vector<double>(dim, 0.0)}) {
    std::vector<float> row = toFloat(atom);
    dictionary.insert(dictionary.end(), row.begin(), row.end());
  }
  std::vector<double> norms = expectOk(subspaceNorms(m, dictionary.data(), 5));
  ASSERT_EQ(norms.size(), 5u);
  EXPECT_GT(norms[0], 0.99);
  EXPECT_LE(norms[0], 1.0);
  EXPECT_NEAR(norms[1], norms[0], 1e-6);
  EXPECT_LT(norms[2], 1e-6);
  EXPECT_EQ(norms[4], 0.0);

  std::vector<double> accuracy = expectOk(directionAccuracies(
      p.x.data(), rows, dim, p.isImage.data(), dictionary.data(), 5));
  ASSERT_EQ(accuracy.size(), 5u);
  EXPECT_NEAR(accuracy[0], phi(1.0), 0.015);
  EXPECT_EQ(accuracy[1], accuracy[0]); // the same order of the rows
  EXPECT_LT(accuracy[3], 0.53);
  EXPECT_EQ(accuracy[4], 0.5); // every score 0: all one modality
}

TEST(ModalitySubspaceTest, LdaWhitensAnisotropicNoise) {
  // Noise of standard deviation 3 along e0 and 1 elsewhere, mean difference
  // δ = (2, 2, 0, ...). LDA's direction is Σ⁻¹δ ∝ (1/9, 1, 0, ...), not δ,
  // and the Bayes accuracy is Φ(Δ/2) with Δ² = δᵀΣ⁻¹δ = 4/9 + 4.
  const uint32_t dim = 6;
  const uint64_t rows = 10000;
  std::vector<double> shift(dim, 0.0), scale(dim, 1.0);
  shift[0] = shift[1] = 2;
  scale[0] = 3;
  Planted p = planted(rows, 4000, shift, scale, 21);
  ModalitySubspace m = expectOk(fitModalitySubspace(
      p.x.data(), rows, dim, p.isImage.data(), 1, kDefaultModalityShrinkage));
  ASSERT_EQ(m.dims(), 1u);
  std::vector<double> lda(dim, 0.0);
  lda[0] = 1.0 / 9;
  lda[1] = 1;
  EXPECT_GT(cosine(m.basis.data(), lda), 0.995);
  EXPECT_LT(cosine(m.basis.data(), shift), 0.8); // cos(Σ⁻¹δ, δ) ≈ 0.78
  EXPECT_NEAR(m.accuracy[0], phi(std::sqrt(4.0 / 9 + 4) / 2), 0.015);
}

TEST(ModalitySubspaceTest, StopsWhenTheMeansCoincide) {
  // Images at e0 ± e1 and e0 ± e2, texts at −e0 ± e1 and −e0 ± e2: class
  // means ±e0, within-class covariance diag(0, 1/2, 1/2) exactly. The first
  // direction is e0 with accuracy 1; off e0 the means are equal, so the fit
  // stops at one dimension of the three asked for.
  const float x[8 * 3] = {1,  1, 0, 1,  -1, 0, 1,  0, 1, 1,  0, -1,
                          -1, 1, 0, -1, -1, 0, -1, 0, 1, -1, 0, -1};
  const uint8_t isImage[8] = {1, 1, 1, 1, 0, 0, 0, 0};
  ModalitySubspace m = expectOk(
      fitModalitySubspace(x, 8, 3, isImage, 3, kDefaultModalityShrinkage));
  ASSERT_EQ(m.dims(), 1u);
  EXPECT_NEAR(m.basis[0], 1.0, 1e-12);
  EXPECT_NEAR(m.basis[1], 0.0, 1e-12);
  EXPECT_NEAR(m.basis[2], 0.0, 1e-12);
  ASSERT_EQ(m.accuracy.size(), 1u);
  EXPECT_EQ(m.accuracy[0], 1.0);

  // Mirrored classes: both means are 0, no direction at all.
  const float mirrored[4 * 2] = {1, 2, -1, -2, 3, 1, -3, -1};
  const uint8_t halves[4] = {1, 1, 0, 0};
  m = expectOk(fitModalitySubspace(mirrored, 4, 2, halves, 2, 0.1));
  EXPECT_EQ(m.dims(), 0u);
  EXPECT_TRUE(m.accuracy.empty());
}

TEST(ModalitySubspaceTest, NoWithinClassSpreadUsesTheMeanDifference) {
  // Each class is one repeated point: no covariance to invert, the
  // direction is the normalised mean difference (3, 4) / 5.
  const float x[4 * 2] = {2, 3, 2, 3, -1, -1, -1, -1};
  const uint8_t isImage[4] = {1, 1, 0, 0};
  ModalitySubspace m = expectOk(
      fitModalitySubspace(x, 4, 2, isImage, 2, kDefaultModalityShrinkage));
  ASSERT_EQ(m.dims(), 1u);
  EXPECT_NEAR(m.basis[0], 0.6, 1e-12);
  EXPECT_NEAR(m.basis[1], 0.8, 1e-12);
  EXPECT_EQ(m.accuracy[0], 1.0);
}

//===----------------------------------------------------------------------===//
// NumPy references
//===----------------------------------------------------------------------===//

namespace {

/// Runs `script` with PRISM_PYTHON on arguments `args` and returns the
/// numbers it printed, one per line; sets `skip` when NumPy is missing
/// (exit status 3).
std::vector<double> runReference(const TempDir &dir, const std::string &script,
                                 const std::string &args, std::string &skip) {
  writeText(dir.path("reference.py"), script);
  RunResult run = runCommand(std::string(PRISM_PYTHON) + " " +
                                 dir.path("reference.py") + " " + args,
                             dir);
  if (run.exitCode == 3) {
    skip = "numpy is not importable by " PRISM_PYTHON ": " + run.out;
    return {};
  }
  EXPECT_EQ(run.exitCode, 0) << "the NumPy reference failed: " << run.err;
  std::istringstream in(run.out);
  std::vector<double> out;
  for (double value; in >> value;)
    out.push_back(value);
  return out;
}

void writeInputs(const TempDir &dir, const std::vector<float> &x, uint64_t rows,
                 uint32_t dim, const std::vector<uint8_t> &isImage) {
  writeBytes(dir.path("x.npy"), npyF32(x, rows, dim));
  writeBytes(dir.path("labels.npy"),
             npyBytes("|u1", "(" + std::to_string(rows) + ",)",
                      std::string(isImage.begin(), isImage.end())));
}

const char *const kPrelude = R"(import sys
try:
    import numpy as np
except ImportError as error:
    print(error)
    sys.exit(3)
where = sys.argv[1]
x = np.load(where + "/x.npy").astype(np.float64)
image = np.load(where + "/labels.npy") == 1
n, dim = x.shape

def best_threshold(s):
    # Every rule "image iff s > t", t = -inf or one of the values; the count
    # right for the flipped rule is n minus it.
    thresholds = np.concatenate([[-np.inf], np.unique(s)])
    right = ((s[None, :] > thresholds[:, None]) == image[None, :]).sum(axis=1)
    return max(right.max(), (n - right).max()) / n
)";

} // namespace

TEST(ModalitySubspaceTest, FitMatchesNumpy) {
  // Unbalanced classes, correlated noise (a random mixing matrix) and a
  // mean difference spread over several directions.
  const uint32_t dim = 12;
  const uint64_t rows = 600, images = 250;
  Draws draws(31);
  std::vector<double> mixing(dim * dim), shift(dim);
  for (double &value : mixing)
    value = draws.normal() / std::sqrt(double(dim));
  for (uint32_t k = 0; k < dim; ++k)
    shift[k] = k < 4 ? 1.5 / (k + 1) : 0.1 * draws.normal();
  std::vector<float> x(rows * dim);
  std::vector<uint8_t> isImage(rows);
  std::vector<double> noise(dim);
  for (uint64_t r = 0; r < rows; ++r) {
    isImage[r] = r % 12 < 5; // 250 images, interleaved
    for (double &value : noise)
      value = draws.normal();
    for (uint32_t k = 0; k < dim; ++k) {
      double value = (isImage[r] ? 0.5 : -0.5) * shift[k];
      for (uint32_t j = 0; j < dim; ++j)
        value += mixing[k * dim + j] * noise[j];
      x[r * dim + k] = static_cast<float>(value + 3.0); // a common offset
    }
  }
  TempDir dir;
  writeInputs(dir, x, rows, dim, isImage);
  std::string script = std::string(kPrelude) + R"(
dims, shrinkage = int(sys.argv[2]), float(sys.argv[3])
mu_image, mu_text = x[image].mean(axis=0), x[~image].mean(axis=0)
diff = mu_image - mu_text
centred = np.where(image[:, None], x - mu_image, x - mu_text)
within = centred.T @ centred / n
basis, accuracy = np.zeros((0, dim)), []
for _ in range(dims):
    p = np.eye(dim) - basis.T @ basis
    s = p @ within @ p
    m = p @ diff
    if np.linalg.norm(m) <= 1e-9 * np.linalg.norm(diff):
        break
    w = np.linalg.solve(s + shrinkage * np.trace(s) / dim * np.eye(dim), m)
    for _ in range(2):
        w = w - basis.T @ (basis @ w)
    w /= np.linalg.norm(w)
    if w @ diff < 0:
        w = -w
    accuracy.append(best_threshold(x @ w))
    basis = np.vstack([basis, w])
print(len(accuracy))
for value in list(basis.ravel()) + accuracy:
    print(repr(float(value)))
)";
  for (double shrinkage : {kDefaultModalityShrinkage, 0.5}) {
    const uint32_t dims = 6;
    std::string skip;
    std::vector<double> reference = runReference(
        dir, script, dir.path("") + " 6 " + std::to_string(shrinkage), skip);
    if (!skip.empty())
      GTEST_SKIP() << skip;
    ASSERT_EQ(reference.size(), 1 + dims * dim + dims);
    ASSERT_EQ(reference[0], dims);
    ModalitySubspace m = expectOk(fitModalitySubspace(
        x.data(), rows, dim, isImage.data(), dims, shrinkage));
    ASSERT_EQ(m.dims(), dims);
    for (uint32_t b = 0; b < dims; ++b) {
      // Same orientation by construction; compare up to sign anyway, and
      // the sign separately.
      double sign = m.basis[b * dim] * reference[1 + b * dim] < 0 ? -1 : 1;
      EXPECT_EQ(sign, 1) << "direction " << b << ", shrinkage " << shrinkage;
      for (uint32_t k = 0; k < dim; ++k)
        EXPECT_NEAR(m.basis[b * dim + k], sign * reference[1 + b * dim + k],
                    1e-6)
            << "direction " << b << ", coordinate " << k << ", shrinkage "
            << shrinkage;
      // Scores can differ in the last bits: one row across the cut at most.
      EXPECT_NEAR(m.accuracy[b], reference[1 + dims * dim + b],
                  1.0 / rows + 1e-12)
          << "direction " << b << ", shrinkage " << shrinkage;
    }
    // The first direction separates well, later ones less.
    EXPECT_GT(m.accuracy[0], 0.8);
  }
}

namespace {

const char *const kBruteForce = R"(
dictionary = np.load(where + "/dictionary.npy").astype(np.float64)
for atom in dictionary:
    print(repr(float(best_threshold(x @ atom))))
)";

} // namespace

TEST(ModalitySubspaceTest, DirectionAccuraciesMatchBruteForceExactly) {
  // Small integers: every projection is exact in float32 and in float64, so
  // ties are real ties on both sides and the accuracies must agree exactly.
  // Repeated rows and atoms with few non-zeros make many ties.
  const uint32_t dim = 10;
  const uint64_t rows = 300, atoms = 41;
  Draws draws(41);
  std::vector<float> x(rows * dim), dictionary(atoms * dim, 0.0f);
  std::vector<uint8_t> isImage(rows);
  for (uint64_t r = 0; r < rows; ++r) {
    isImage[r] = draws.uniform() < 0.43;
    for (uint32_t k = 0; k < dim; ++k)
      x[r * dim + k] =
          r >= 20 && r % 7 == 0
              ? x[(r - 20) * dim + k]
              : float(draws.integer(-3, 3) + (isImage[r] && k < 3));
  }
  for (uint64_t a = 0; a + 1 < atoms; ++a) // the last atom stays zero
    for (uint32_t k = 0; k < dim; ++k)
      dictionary[a * dim + k] =
          a % 3 == 0 && k % 4 != 0 ? 0.0f : float(draws.integer(-2, 2));
  TempDir dir;
  writeInputs(dir, x, rows, dim, isImage);
  writeBytes(dir.path("dictionary.npy"), npyF32(dictionary, atoms, dim));
  std::string skip;
  std::vector<double> reference = runReference(
      dir, std::string(kPrelude) + kBruteForce, dir.path(""), skip);
  if (!skip.empty())
    GTEST_SKIP() << skip;
  ASSERT_EQ(reference.size(), atoms);
  std::vector<double> accuracy = expectOk(directionAccuracies(
      x.data(), rows, dim, isImage.data(), dictionary.data(), atoms));
  ASSERT_EQ(accuracy.size(), atoms);
  for (uint64_t a = 0; a < atoms; ++a)
    EXPECT_EQ(accuracy[a], reference[a]) << "atom " << a;
}

TEST(ModalitySubspaceTest, DirectionAccuraciesMatchBruteForceOnGaussians) {
  const uint32_t dim = 24;
  const uint64_t rows = 400, atoms = 60;
  Draws draws(51);
  std::vector<double> shift(dim);
  for (double &value : shift)
    value = 0.4 * draws.normal();
  Planted p = planted(rows, 200, shift, std::vector<double>(dim, 1.0), 52);
  std::vector<float> dictionary(atoms * dim);
  for (float &value : dictionary)
    value = static_cast<float>(draws.normal());
  TempDir dir;
  writeInputs(dir, p.x, rows, dim, p.isImage);
  writeBytes(dir.path("dictionary.npy"), npyF32(dictionary, atoms, dim));
  std::string skip;
  std::vector<double> reference = runReference(
      dir, std::string(kPrelude) + kBruteForce, dir.path(""), skip);
  if (!skip.empty())
    GTEST_SKIP() << skip;
  ASSERT_EQ(reference.size(), atoms);
  std::vector<double> accuracy = expectOk(directionAccuracies(
      p.x.data(), rows, dim, p.isImage.data(), dictionary.data(), atoms));
  size_t exact = 0;
  for (uint64_t a = 0; a < atoms; ++a) {
    // float32 against float64 projections: a near tie may swap two rows.
    EXPECT_NEAR(accuracy[a], reference[a], 1.0 / rows + 1e-12) << "atom " << a;
    exact += accuracy[a] == reference[a];
    EXPECT_GE(accuracy[a], 0.5);
  }
  EXPECT_GE(exact, atoms - 2);
}

TEST(ModalitySubspaceTest, BlocksOfAtomsAgreeWithOneAtomAtATime) {
  // 20000 rows x 900 atoms of float32 projections is 72 MB: two blocks.
  // Integer data keeps every projection exact, so the block an atom falls
  // in cannot change its accuracy.
  const uint32_t dim = 4;
  const uint64_t rows = 20000, atoms = 900;
  Draws draws(61);
  std::vector<float> x(rows * dim), dictionary(atoms * dim);
  std::vector<uint8_t> isImage(rows);
  for (uint64_t r = 0; r < rows; ++r) {
    isImage[r] = r % 2;
    for (uint32_t k = 0; k < dim; ++k)
      x[r * dim + k] = float(draws.integer(-5, 5) + (k == 0 && isImage[r]));
  }
  for (float &value : dictionary)
    value = float(draws.integer(-3, 3));
  std::vector<double> accuracy = expectOk(directionAccuracies(
      x.data(), rows, dim, isImage.data(), dictionary.data(), atoms));
  ASSERT_EQ(accuracy.size(), atoms);
  for (uint64_t a : {0ull, 1ull, 837ull, 838ull, 839ull, 899ull}) {
    std::vector<double> one = expectOk(directionAccuracies(
        x.data(), rows, dim, isImage.data(), dictionary.data() + a * dim, 1));
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(accuracy[a], one[0]) << "atom " << a;
    std::vector<double> score(rows);
    for (uint64_t r = 0; r < rows; ++r)
      for (uint32_t k = 0; k < dim; ++k)
        score[r] += double(x[r * dim + k]) * dictionary[a * dim + k];
    EXPECT_EQ(accuracy[a],
              bestThresholdAccuracy(score.data(), rows, isImage.data()))
        << "atom " << a;
  }
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

namespace {

const float kX[6 * 2] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3};
const uint8_t kLabels[6] = {1, 0, 1, 0, 1, 0};

std::string fitError(const float *x, uint64_t rows, uint32_t dim,
                     const uint8_t *isImage, uint32_t dims, double shrinkage) {
  StatusOr<ModalitySubspace> m =
      fitModalitySubspace(x, rows, dim, isImage, dims, shrinkage);
  EXPECT_FALSE(m.isOk());
  return m.isOk() ? "" : m.getStatus().str();
}

} // namespace

TEST(ModalitySubspaceTest, RejectsTooManyDimensions) {
  EXPECT_EQ(fitError(kX, 6, 2, kLabels, 3, 1e-3),
            "error: modality subspace of 3 dimensions requested for "
            "embeddings of dimension 2, expected 1 to 2");
  EXPECT_EQ(fitError(kX, 6, 2, kLabels, 0, 1e-3),
            "error: modality subspace of 0 dimensions requested for "
            "embeddings of dimension 2, expected 1 to 2");
  EXPECT_EQ(fitError(kX, 6, 0, kLabels, 1, 1e-3),
            "error: embeddings of dimension 0, expected at least 1");
}

TEST(ModalitySubspaceTest, RejectsBadShrinkage) {
  EXPECT_EQ(fitError(kX, 6, 2, kLabels, 1, 0),
            "error: modality subspace shrinkage is 0, expected a finite "
            "number > 0");
  EXPECT_EQ(fitError(kX, 6, 2, kLabels, 1, -0.5),
            "error: modality subspace shrinkage is -0.5, expected a finite "
            "number > 0");
  EXPECT_EQ(
      fitError(kX, 6, 2, kLabels, 1, std::numeric_limits<double>::quiet_NaN()),
      "error: modality subspace shrinkage is nan, expected a finite "
      "number > 0");
}

TEST(ModalitySubspaceTest, RejectsOneModality) {
  const uint8_t images[6] = {1, 1, 1, 1, 1, 1};
  EXPECT_EQ(fitError(kX, 6, 2, images, 1, 1e-3),
            "error: expected rows of both modalities, got 6 image rows and 0 "
            "text rows");
  EXPECT_EQ(fitError(nullptr, 0, 2, nullptr, 1, 1e-3),
            "error: expected rows of both modalities, got 0 image rows and 0 "
            "text rows");
  const uint8_t texts[6] = {0, 0, 0, 0, 0, 0};
  const float atom[2] = {1, 0};
  StatusOr<std::vector<double>> accuracy =
      directionAccuracies(kX, 6, 2, texts, atom, 1);
  ASSERT_FALSE(accuracy.isOk());
  EXPECT_EQ(accuracy.getStatus().str(),
            "error: expected rows of both modalities, got 0 image rows and 6 "
            "text rows");
}

TEST(ModalitySubspaceTest, RejectsBadLabels) {
  const uint8_t labels[6] = {1, 0, 1, 2, 1, 0};
  EXPECT_EQ(fitError(kX, 6, 2, labels, 1, 1e-3),
            "error: modality label of row 3 is 2, expected 0 (text) or 1 "
            "(image)");
}

TEST(ModalitySubspaceTest, RejectsNonFiniteEmbeddings) {
  std::vector<float> x(kX, kX + 12);
  x[2 * 2 + 1] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(fitError(x.data(), 6, 2, kLabels, 1, 1e-3),
            "error: row 2 of the embeddings holds a non-finite value (nan) at "
            "column 1");
  x[2 * 2 + 1] = 0;
  x[5 * 2] = -std::numeric_limits<float>::infinity();
  const float atom[2] = {1, 0};
  StatusOr<std::vector<double>> accuracy =
      directionAccuracies(x.data(), 6, 2, kLabels, atom, 1);
  ASSERT_FALSE(accuracy.isOk());
  EXPECT_EQ(accuracy.getStatus().str(),
            "error: row 5 of the embeddings holds a non-finite value (-inf) "
            "at column 0");
}

TEST(ModalitySubspaceTest, RejectsNonFiniteDictionaries) {
  ModalitySubspace m =
      expectOk(fitModalitySubspace(kX, 6, 2, kLabels, 1, 1e-3));
  const float dictionary[3 * 2] = {1, 0, std::numeric_limits<float>::infinity(),
                                   1, 0, 1};
  StatusOr<std::vector<double>> norms = subspaceNorms(m, dictionary, 3);
  ASSERT_FALSE(norms.isOk());
  EXPECT_EQ(norms.getStatus().str(),
            "error: row 1 of the dictionary holds a non-finite value (inf) at "
            "column 0");
  StatusOr<std::vector<double>> accuracy =
      directionAccuracies(kX, 6, 2, kLabels, dictionary, 3);
  ASSERT_FALSE(accuracy.isOk());
  EXPECT_EQ(accuracy.getStatus().str(), norms.getStatus().str());
}

TEST(ModalitySubspaceTest, RejectsOverflowingProjections) {
  const float x[2 * 2] = {3e38f, 3e38f, 1, 1};
  const uint8_t labels[2] = {1, 0};
  const float atom[2] = {2, 2};
  StatusOr<std::vector<double>> accuracy =
      directionAccuracies(x, 2, 2, labels, atom, 1);
  ASSERT_FALSE(accuracy.isOk());
  EXPECT_EQ(accuracy.getStatus().str(),
            "error: the projection of embedding row 0 onto dictionary row 0 is "
            "inf, expected a finite number (float32 overflow)");
}

TEST(ModalitySubspaceTest, RejectsAMalformedBasis) {
  ModalitySubspace m;
  m.dim = 3;
  m.basis = {1, 0, 0, 0};
  const float atom[3] = {1, 0, 0};
  StatusOr<std::vector<double>> norms = subspaceNorms(m, atom, 1);
  ASSERT_FALSE(norms.isOk());
  EXPECT_EQ(norms.getStatus().str(),
            "error: modality subspace basis holds 4 values, expected a "
            "multiple of its dimension 3");
}

// The COCO-sized case of the brief (4096 atoms, 1000 rows, dim 512); run with
// --gtest_also_run_disabled_tests.
TEST(ModalitySubspaceTest, DISABLED_Timing4096) {
  const uint32_t dim = 512;
  const uint64_t rows = 1000, atoms = 4096;
  Draws draws(71);
  std::vector<double> shift(dim);
  for (double &value : shift)
    value = 0.2 * draws.normal();
  Planted p = planted(rows, 500, shift, std::vector<double>(dim, 1.0), 72);
  std::vector<float> dictionary(atoms * dim);
  for (float &value : dictionary)
    value = static_cast<float>(draws.normal());
  auto start = std::chrono::steady_clock::now();
  ModalitySubspace m = expectOk(fitModalitySubspace(
      p.x.data(), rows, dim, p.isImage.data(), 8, kDefaultModalityShrinkage));
  std::chrono::duration<double> fitTime =
      std::chrono::steady_clock::now() - start;
  start = std::chrono::steady_clock::now();
  std::vector<double> norms =
      expectOk(subspaceNorms(m, dictionary.data(), atoms));
  std::chrono::duration<double> normTime =
      std::chrono::steady_clock::now() - start;
  start = std::chrono::steady_clock::now();
  std::vector<double> accuracy = expectOk(directionAccuracies(
      p.x.data(), rows, dim, p.isImage.data(), dictionary.data(), atoms));
  std::chrono::duration<double> accuracyTime =
      std::chrono::steady_clock::now() - start;
  std::printf("fit 8 dims, 1000 x 512: %.3f s (accuracy[0] %.3f)\n"
              "subspaceNorms 4096 atoms: %.3f s\n"
              "directionAccuracies 4096 atoms x 1000 rows: %.3f s\n",
              fitTime.count(), m.accuracy[0], normTime.count(),
              accuracyTime.count());
}
