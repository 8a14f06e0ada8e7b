//===- AssignmentTest.cpp - Linear assignment and dictionary matching -----===//
//
// The solver is checked against brute force over every assignment for small
// problems, against planted answers for larger ones, and against SciPy's
// linear_sum_assignment (run by PRISM_PYTHON at test time) on random costs.
//
//===----------------------------------------------------------------------===//

#include "TestFiles.h"

#include "prism/runtime/Assignment.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <random>
#include <sstream>
#include <sys/wait.h>

using namespace prism;
using namespace prism::test;

namespace {

/// Uniform in [lo, hi) from the raw mt19937_64 stream, which the standard fixes
/// exactly (its distributions are not).
class Uniform {
public:
  explicit Uniform(uint64_t seed) : engine(seed) {}
  double operator()(double lo = 0, double hi = 1) {
    return lo + (hi - lo) * static_cast<double>(engine() >> 11) * 0x1.0p-53;
  }
  size_t below(size_t n) { return static_cast<size_t>(engine() % n); }

private:
  std::mt19937_64 engine;
};

std::vector<double> randomCosts(size_t rows, size_t cols, uint64_t seed,
                                double lo = 0, double hi = 1) {
  Uniform uniform(seed);
  std::vector<double> cost(rows * cols);
  for (double &c : cost)
    c = uniform(lo, hi);
  return cost;
}

std::vector<int> randomPermutation(size_t n, uint64_t seed) {
  Uniform uniform(seed);
  std::vector<int> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  for (size_t i = n; i > 1; --i)
    std::swap(perm[i - 1], perm[uniform.below(i)]);
  return perm;
}

/// The best total over every assignment, by enumerating the permutations of
/// the larger side (at most 7! of them).
double bruteForce(const std::vector<double> &cost, size_t rows, size_t cols,
                  bool maximize) {
  size_t large = std::max(rows, cols), small = std::min(rows, cols);
  std::vector<size_t> perm(large);
  std::iota(perm.begin(), perm.end(), 0);
  double best = maximize ? -std::numeric_limits<double>::infinity()
                         : std::numeric_limits<double>::infinity();
  do {
    double total = 0;
    for (size_t i = 0; i < small; ++i)
      total +=
          rows <= cols ? cost[i * cols + perm[i]] : cost[perm[i] * cols + i];
    best = maximize ? std::max(best, total) : std::min(best, total);
  } while (std::next_permutation(perm.begin(), perm.end()));
  return best;
}

/// Every column used at most once, min(rows, cols) rows matched.
void expectValid(const std::vector<int> &assignment, size_t rows, size_t cols) {
  ASSERT_EQ(assignment.size(), rows);
  std::vector<int> used(cols, 0);
  size_t matched = 0;
  for (int col : assignment) {
    if (col < 0)
      continue;
    ASSERT_LT(static_cast<size_t>(col), cols);
    EXPECT_EQ(used[col]++, 0) << "column " << col << " used twice";
    ++matched;
  }
  EXPECT_EQ(matched, std::min(rows, cols));
}

std::vector<int> solve(const std::vector<double> &cost, size_t rows,
                       size_t cols, bool maximize) {
  StatusOr<std::vector<int>> result =
      solveAssignment(cost.data(), rows, cols, maximize);
  EXPECT_TRUE(result.isOk()) << result.getStatus().str();
  return result.isOk() ? result.take() : std::vector<int>();
}

void expectOptimal(const std::vector<double> &cost, size_t rows, size_t cols,
                   bool maximize) {
  std::vector<int> assignment = solve(cost, rows, cols, maximize);
  expectValid(assignment, rows, cols);
  EXPECT_NEAR(assignmentTotal(cost.data(), cols, assignment),
              bruteForce(cost, rows, cols, maximize), 1e-9)
      << rows << " x " << cols << (maximize ? " maximise" : " minimise");
}

} // namespace

TEST(AssignmentTest, SquareMatchesBruteForce) {
  for (size_t n = 1; n <= 7; ++n)
    for (uint64_t seed = 0; seed < 5; ++seed)
      for (bool maximize : {false, true})
        expectOptimal(randomCosts(n, n, 100 * n + seed), n, n, maximize);
}

TEST(AssignmentTest, RectangularMatchesBruteForce) {
  const size_t shapes[][2] = {{1, 7}, {2, 5}, {3, 7}, {4, 6}, {6, 7},
                              {7, 1}, {5, 2}, {7, 3}, {6, 4}, {7, 6}};
  for (const auto &shape : shapes)
    for (uint64_t seed = 0; seed < 4; ++seed)
      for (bool maximize : {false, true})
        expectOptimal(randomCosts(shape[0], shape[1], seed), shape[0], shape[1],
                      maximize);
}

TEST(AssignmentTest, NegativeAndWideRangedCosts) {
  for (uint64_t seed = 0; seed < 5; ++seed)
    for (bool maximize : {false, true})
      expectOptimal(randomCosts(6, 6, seed, -1e6, 1e6), 6, 6, maximize);
}

TEST(AssignmentTest, PlantedPermutationIsRecovered) {
  const size_t n = 300;
  std::vector<int> planted = randomPermutation(n, 7);
  // Planted entries cost less than any other, so the planted permutation is
  // the unique optimum, and with the costs negated, the unique maximum.
  std::vector<double> cost = randomCosts(n, n, 8, 1, 2);
  Uniform uniform(9);
  for (size_t i = 0; i < n; ++i)
    cost[i * n + planted[i]] = uniform(0, 0.5);
  EXPECT_EQ(solve(cost, n, n, false), planted);
  for (double &c : cost)
    c = -c;
  EXPECT_EQ(solve(cost, n, n, true), planted);
}

TEST(AssignmentTest, PlantedRectangularMatchingIsRecovered) {
  // 40 rows into 90 columns: row i owns column 2i + 1.
  const size_t rows = 40, cols = 90;
  std::vector<double> cost = randomCosts(rows, cols, 3, 5, 6);
  std::vector<int> planted(rows);
  for (size_t i = 0; i < rows; ++i) {
    planted[i] = static_cast<int>(2 * i + 1);
    cost[i * cols + planted[i]] = 0;
  }
  EXPECT_EQ(solve(cost, rows, cols, false), planted);

  // The transpose: column j is owned by row 2j + 1, the other rows stay out.
  std::vector<double> transposed(cols * rows);
  for (size_t i = 0; i < rows; ++i)
    for (size_t j = 0; j < cols; ++j)
      transposed[j * rows + i] = cost[i * cols + j];
  std::vector<int> expected(cols, -1);
  for (size_t i = 0; i < rows; ++i)
    expected[2 * i + 1] = static_cast<int>(i);
  EXPECT_EQ(solve(transposed, cols, rows, false), expected);
}

TEST(AssignmentTest, TiesGiveAnOptimalAssignment) {
  // Every assignment is optimal.
  std::vector<double> flat(36, 2.5);
  std::vector<int> any = solve(flat, 6, 6, false);
  expectValid(any, 6, 6);
  EXPECT_EQ(assignmentTotal(flat.data(), 6, any), 15.0);
  // Identical rows, and small integer costs full of ties.
  std::vector<double> twins = randomCosts(6, 6, 4);
  std::copy(twins.begin(), twins.begin() + 6, twins.begin() + 6);
  for (bool maximize : {false, true})
    expectOptimal(twins, 6, 6, maximize);
  for (uint64_t seed = 0; seed < 10; ++seed) {
    std::vector<double> cost = randomCosts(7, 7, seed);
    for (double &c : cost)
      c = std::floor(3 * c);
    for (bool maximize : {false, true})
      expectOptimal(cost, 7, 7, maximize);
    expectOptimal(std::vector<double>(cost.begin(), cost.begin() + 35), 5, 7,
                  false);
  }
}

TEST(AssignmentTest, EmptyProblems) {
  EXPECT_EQ(solve({}, 0, 0, false), std::vector<int>());
  EXPECT_EQ(solve({}, 0, 4, false), std::vector<int>());
  EXPECT_EQ(solve({}, 3, 0, true), std::vector<int>(3, -1));
}

TEST(AssignmentTest, RejectsNonFiniteCosts) {
  std::vector<double> cost = randomCosts(3, 4, 1);
  cost[1 * 4 + 2] = std::numeric_limits<double>::quiet_NaN();
  StatusOr<std::vector<int>> result = solveAssignment(cost.data(), 3, 4, false);
  ASSERT_FALSE(result.isOk());
  EXPECT_EQ(result.getStatus().str(),
            "error: assignment cost [1, 2] is nan, expected a finite number");
  cost[1 * 4 + 2] = -std::numeric_limits<double>::infinity();
  result = solveAssignment(cost.data(), 3, 4, true);
  ASSERT_FALSE(result.isOk());
  EXPECT_EQ(result.getStatus().str(),
            "error: assignment cost [1, 2] is -inf, expected a finite number");
}

namespace {

struct Problem {
  std::vector<double> cost;
  size_t rows, cols;
};

/// Runs SciPy once over `problems` and returns, for each, its assignment
/// when minimising then when maximising; or nothing, with `skip` set, when
/// SciPy is missing.
std::vector<std::vector<int>>
scipyAssignments(const std::vector<Problem> &problems, std::string &skip) {
  TempDir dir;
  std::ostringstream values;
  values.precision(17);
  for (const Problem &problem : problems) {
    values << problem.rows << "\n" << problem.cols << "\n";
    for (double c : problem.cost)
      values << c << "\n";
  }
  writeText(dir.path("costs.txt"), values.str());
  writeText(dir.path("reference.py"), R"(import sys
try:
    import numpy as np
    from scipy.optimize import linear_sum_assignment
except ImportError as error:
    print(error)
    sys.exit(3)
values = np.loadtxt(sys.argv[1])
at = 0
while at < len(values):
    rows, cols = int(values[at]), int(values[at + 1])
    cost = values[at + 2 : at + 2 + rows * cols].reshape(rows, cols)
    at += 2 + rows * cols
    for maximize in (False, True):
        assignment = [-1] * rows
        for r, c in zip(*linear_sum_assignment(cost, maximize=maximize)):
            assignment[r] = int(c)
        print(" ".join(map(str, assignment)))
)");
  std::string command = std::string(PRISM_PYTHON) + " " +
                        dir.path("reference.py") + " " + dir.path("costs.txt") +
                        " >" + dir.path("out.txt") + " 2>&1";
  int status = std::system(command.c_str());
  std::ifstream in(dir.path("out.txt"));
  std::string line;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::getline(in, line);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
      skip = "scipy is not importable by " PRISM_PYTHON ": " + line;
    else
      ADD_FAILURE() << "the SciPy reference script failed: " << line;
    return {};
  }
  std::vector<std::vector<int>> out;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::vector<int> assignment;
    for (int col; fields >> col;)
      assignment.push_back(col);
    out.push_back(assignment);
  }
  return out;
}

} // namespace

TEST(AssignmentTest, MatchesScipy) {
  std::vector<Problem> problems;
  for (auto [rows, cols] :
       {std::pair<size_t, size_t>{50, 80}, {80, 50}, {64, 64}})
    problems.push_back(
        {randomCosts(rows, cols, rows * 1000 + cols), rows, cols});
  std::string skip;
  std::vector<std::vector<int>> reference = scipyAssignments(problems, skip);
  if (!skip.empty())
    GTEST_SKIP() << skip;
  ASSERT_EQ(reference.size(), 2 * problems.size());
  for (size_t i = 0; i < problems.size(); ++i) {
    const Problem &p = problems[i];
    for (bool maximize : {false, true}) {
      const std::vector<int> &expected = reference[2 * i + maximize];
      std::vector<int> assignment = solve(p.cost, p.rows, p.cols, maximize);
      // Random continuous costs have one optimum almost surely.
      EXPECT_EQ(assignment, expected) << p.rows << " x " << p.cols
                                      << (maximize ? " maximise" : " minimise");
      EXPECT_NEAR(assignmentTotal(p.cost.data(), p.cols, assignment),
                  assignmentTotal(p.cost.data(), p.cols, expected), 1e-9);
    }
  }
}

//===----------------------------------------------------------------------===//
// Cosine matrix and dictionary matching
//===----------------------------------------------------------------------===//

namespace {

std::vector<float> gaussianRows(size_t n, size_t d, uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::normal_distribution<float> normal; // any values will do here
  std::vector<float> m(n * d);
  for (float &x : m)
    x = normal(engine);
  return m;
}

double directCosine(const float *a, const float *b, size_t d) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t k = 0; k < d; ++k) {
    ab += static_cast<double>(a[k]) * b[k];
    aa += static_cast<double>(a[k]) * a[k];
    bb += static_cast<double>(b[k]) * b[k];
  }
  return aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : 0;
}

} // namespace

TEST(DictionaryMatchTest, CosineMatrixMatchesDirectComputation) {
  // Sizes that leave partial row groups and column blocks.
  const size_t na = 37, nb = 301, d = 19;
  std::vector<float> a = gaussianRows(na, d, 1), b = gaussianRows(nb, d, 2);
  std::fill(a.begin() + 5 * d, a.begin() + 6 * d, 0.0f); // a zero row
  StatusOr<std::vector<double>> cosine =
      cosineMatrix(a.data(), na, b.data(), nb, d);
  ASSERT_TRUE(cosine.isOk()) << cosine.getStatus().str();
  ASSERT_EQ(cosine->size(), na * nb);
  for (size_t i = 0; i < na; ++i)
    for (size_t j = 0; j < nb; ++j)
      ASSERT_NEAR((*cosine)[i * nb + j], directCosine(&a[i * d], &b[j * d], d),
                  2e-6)
          << i << ", " << j;
  EXPECT_EQ((*cosine)[5 * nb + 7], 0.0);
}

TEST(DictionaryMatchTest, PermutedNoisyCopyIsRecovered) {
  const size_t n = 200, d = 48;
  std::vector<float> a = gaussianRows(n, d, 3), noise = gaussianRows(n, d, 4);
  std::vector<int> perm = randomPermutation(n, 5);
  std::vector<float> b(n * d);
  for (size_t i = 0; i < n; ++i) // b[perm[i]] = 3 a[i] + noise: same direction
    for (size_t k = 0; k < d; ++k)
      b[perm[i] * d + k] = 3 * a[i * d + k] + 0.05f * noise[i * d + k];
  StatusOr<DictionaryMatch> match =
      matchDictionaries(a.data(), n, b.data(), n, d);
  ASSERT_TRUE(match.isOk()) << match.getStatus().str();
  ASSERT_EQ(match->pairs.size(), n);
  double total = 0;
  for (size_t i = 0; i < n; ++i) {
    EXPECT_EQ(match->pairs[i].a, static_cast<int>(i));
    EXPECT_EQ(match->pairs[i].b, perm[i]);
    EXPECT_GT(match->pairs[i].cosine, 0.99);
    total += match->pairs[i].cosine;
  }
  EXPECT_NEAR(match->meanCosine, total / n, 1e-12);
}

TEST(DictionaryMatchTest, StabilityMatchesBruteForce) {
  const size_t n = 6, d = 5;
  for (uint64_t seed = 0; seed < 5; ++seed) {
    std::vector<float> a = gaussianRows(n, d, 10 + seed),
                       b = gaussianRows(n, d, 20 + seed);
    std::vector<double> cosine(n * n);
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j)
        cosine[i * n + j] = directCosine(&a[i * d], &b[j * d], d);
    StatusOr<DictionaryMatch> match =
        matchDictionaries(a.data(), n, b.data(), n, d);
    ASSERT_TRUE(match.isOk()) << match.getStatus().str();
    EXPECT_NEAR(match->meanCosine, bruteForce(cosine, n, n, true) / n, 1e-6);
  }
}

TEST(DictionaryMatchTest, RectangularDictionaries) {
  const size_t d = 8;
  std::vector<float> small = gaussianRows(5, d, 6),
                     large = gaussianRows(9, d, 7);
  for (bool smallFirst : {true, false}) {
    const std::vector<float> &a = smallFirst ? small : large;
    const std::vector<float> &b = smallFirst ? large : small;
    size_t na = a.size() / d, nb = b.size() / d;
    StatusOr<DictionaryMatch> match =
        matchDictionaries(a.data(), na, b.data(), nb, d);
    ASSERT_TRUE(match.isOk()) << match.getStatus().str();
    ASSERT_EQ(match->pairs.size(), 5u);
    std::vector<int> seenA, seenB;
    for (const MatchedPair &pair : match->pairs) {
      seenA.push_back(pair.a);
      seenB.push_back(pair.b);
      EXPECT_NEAR(pair.cosine, directCosine(&a[pair.a * d], &b[pair.b * d], d),
                  1e-6);
    }
    EXPECT_TRUE(std::is_sorted(seenA.begin(), seenA.end()));
    std::sort(seenB.begin(), seenB.end());
    EXPECT_EQ(std::unique(seenB.begin(), seenB.end()), seenB.end());
  }
}

TEST(DictionaryMatchTest, RejectsNonFiniteValues) {
  std::vector<float> a = gaussianRows(4, 6, 1), b = gaussianRows(4, 6, 2);
  b[2 * 6 + 3] = std::numeric_limits<float>::infinity();
  StatusOr<DictionaryMatch> match =
      matchDictionaries(a.data(), 4, b.data(), 4, 6);
  ASSERT_FALSE(match.isOk());
  EXPECT_EQ(match.getStatus().str(),
            "error: row 2 of dictionary B holds a non-finite value at column "
            "3");
}

// Timing for the 4096-concept case (SCIENCE.md's reference n); run with
// --gtest_also_run_disabled_tests.
TEST(DictionaryMatchTest, DISABLED_Timing4096) {
  const size_t n = 4096, d = 512;
  std::vector<double> cost = randomCosts(n, n, 1);
  auto start = std::chrono::steady_clock::now();
  std::vector<int> assignment = solve(cost, n, n, false);
  std::chrono::duration<double> solveTime =
      std::chrono::steady_clock::now() - start;
  expectValid(assignment, n, n);

  std::vector<float> a = gaussianRows(n, d, 1), b = gaussianRows(n, d, 2);
  start = std::chrono::steady_clock::now();
  StatusOr<std::vector<double>> cosine =
      cosineMatrix(a.data(), n, b.data(), n, d);
  std::chrono::duration<double> cosineTime =
      std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(cosine.isOk());
  start = std::chrono::steady_clock::now();
  StatusOr<DictionaryMatch> match =
      matchDictionaries(a.data(), n, b.data(), n, d);
  std::chrono::duration<double> matchTime =
      std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(match.isOk());
  std::printf("random uniform 4096 x 4096 assignment: %.2f s\n"
              "cosine matrix 4096 x 4096, d = 512: %.2f s\n"
              "matchDictionaries 4096 x 4096, d = 512: %.2f s (mean cosine "
              "%.4f)\n",
              solveTime.count(), cosineTime.count(), matchTime.count(),
              match->meanCosine);
}
