//===- MatchingPursuit.cpp - Matching pursuit over a dictionary -----------===//
//
// Mallat and Zhang's matching pursuit. The correlations C = R Dᵀ of every
// residual with every atom are formed once by a GEMM; after a step takes
// atom j with coefficient a, the row's correlations change by −a G_j, G_j the
// Gram row D d_j. Gram rows are computed when an atom is first chosen (one
// GEMM per step for the new atoms), so memory grows with the atoms in use,
// not with atoms². Everything is in double so that the choices match a
// direct recomputation of R Dᵀ.
//
//===----------------------------------------------------------------------===//

#include "BaselineSupport.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>

using namespace prism;
using namespace prism::baselines;

namespace {

Status checkDictionary(const float *dictionary, uint64_t atoms, uint32_t dim) {
  if (atoms == 0 || dictionary == nullptr)
    return Status::error("", "matching_pursuit: the dictionary has no atoms");
  for (uint64_t a = 0; a < atoms; ++a) {
    double norm = 0;
    for (uint32_t j = 0; j < dim; ++j) {
      float v = dictionary[a * dim + j];
      if (!std::isfinite(v))
        return Status::error("", "matching_pursuit: atom " + std::to_string(a) +
                                     " of the dictionary holds a non-finite "
                                     "value at column " +
                                     std::to_string(j));
      norm += static_cast<double>(v) * v;
    }
    if (norm == 0)
      return Status::error("", "matching_pursuit: atom " + std::to_string(a) +
                                   " of the dictionary has zero norm");
  }
  return Status::ok();
}

/// The pursuit's state over all rows, advanced one step at a time.
class Pursuit {
public:
  Pursuit(const float *x, uint64_t rows, uint32_t dim, const float *dictionary,
          uint64_t atoms)
      : rows(rows), dim(dim), atoms(atoms), gramSlot(atoms, -1), used(rows),
        chosen(rows), coefficient(rows) {
    std::vector<double> mean = columnMeans(x, rows, dim);
    residual = centred(x, rows, dim, mean);
    unit.resize(atoms * dim);
    for (uint64_t a = 0; a < atoms; ++a) {
      double norm = 0;
      for (uint32_t j = 0; j < dim; ++j)
        norm += static_cast<double>(dictionary[a * dim + j]) *
                dictionary[a * dim + j];
      norm = std::sqrt(norm);
      for (uint32_t j = 0; j < dim; ++j)
        unit[a * dim + j] = dictionary[a * dim + j] / norm;
    }
    correlation.assign(rows * atoms, 0.0);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, atoms, dim, 1.0,
                residual.data(), dim, unit.data(), dim, 0.0, correlation.data(),
                atoms);
  }

  void step() {
    for (uint64_t r = 0; r < rows; ++r) {
      const double *c = &correlation[r * atoms];
      uint64_t best = 0;
      for (uint64_t a = 1; a < atoms; ++a)
        if (std::fabs(c[a]) > std::fabs(c[best]))
          best = a;
      chosen[r] = static_cast<uint32_t>(best);
      coefficient[r] = c[best];
    }
    addGramRows();
    for (uint64_t r = 0; r < rows; ++r) {
      uint32_t j = chosen[r];
      double a = coefficient[r];
      cblas_daxpy(dim, -a, &unit[j * dim], 1, &residual[r * dim], 1);
      cblas_daxpy(atoms, -a, &gram[gramSlot[j] * atoms], 1,
                  &correlation[r * atoms], 1);
      if (std::find(used[r].begin(), used[r].end(), j) == used[r].end())
        used[r].push_back(j);
    }
  }

  const std::vector<uint32_t> &lastAtoms() const { return chosen; }
  const std::vector<double> &lastCoefficients() const { return coefficient; }

  /// Mean count of distinct atoms per row so far.
  double distinctAtoms() const {
    uint64_t total = 0;
    for (const auto &u : used)
      total += u.size();
    return static_cast<double>(total) / static_cast<double>(rows);
  }

  /// x̂ = x − residual.
  void reconstruct(const float *x, std::vector<float> &xhat) const {
    xhat.resize(rows * dim);
    for (uint64_t i = 0; i < rows * dim; ++i)
      xhat[i] = static_cast<float>(x[i] - residual[i]);
  }

private:
  /// Gram rows for the atoms chosen this step that have none yet.
  void addGramRows() {
    std::vector<uint32_t> fresh;
    for (uint32_t j : chosen)
      if (gramSlot[j] < 0) {
        gramSlot[j] = static_cast<int64_t>(gramAtoms + fresh.size());
        fresh.push_back(j);
      }
    if (fresh.empty())
      return;
    std::vector<double> picked(fresh.size() * dim);
    for (size_t i = 0; i < fresh.size(); ++i)
      std::copy_n(&unit[fresh[i] * static_cast<uint64_t>(dim)], dim,
                  &picked[i * dim]);
    gram.resize((gramAtoms + fresh.size()) * atoms);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, fresh.size(), atoms,
                dim, 1.0, picked.data(), dim, unit.data(), dim, 0.0,
                &gram[gramAtoms * atoms], atoms);
    gramAtoms += fresh.size();
  }

  uint64_t rows;
  uint32_t dim;
  uint64_t atoms;
  std::vector<double> unit, residual, correlation, gram;
  std::vector<int64_t> gramSlot; // row of `gram` per atom, -1 if none yet
  uint64_t gramAtoms = 0;
  std::vector<std::vector<uint32_t>> used; // per row, distinct atoms taken
  std::vector<uint32_t> chosen;            // this step's atom per row
  std::vector<double> coefficient;         // and its coefficient
};

Status checkInputs(const float *x, uint64_t rows, uint32_t dim,
                   const float *dictionary, uint64_t atoms) {
  if (Status s = checkEmbeddings("matching_pursuit", x, rows, dim); !s.isOk())
    return s;
  return checkDictionary(dictionary, atoms, dim);
}

} // namespace

StatusOr<MatchingPursuitCodes>
prism::matchingPursuit(const float *x, uint64_t rows, uint32_t dim,
                       const float *dictionary, uint64_t atoms,
                       uint64_t steps) {
  if (Status s = checkInputs(x, rows, dim, dictionary, atoms); !s.isOk())
    return s;
  if (Status s = checkSize("matching_pursuit", "steps", steps, UINT32_MAX,
                           "the largest step count");
      !s.isOk())
    return s;
  Pursuit pursuit(x, rows, dim, dictionary, atoms);
  MatchingPursuitCodes codes;
  codes.steps = steps;
  codes.atoms.resize(rows * steps);
  codes.coefficients.resize(rows * steps);
  for (uint64_t t = 0; t < steps; ++t) {
    pursuit.step();
    for (uint64_t r = 0; r < rows; ++r) {
      codes.atoms[r * steps + t] = pursuit.lastAtoms()[r];
      codes.coefficients[r * steps + t] = pursuit.lastCoefficients()[r];
    }
  }
  pursuit.reconstruct(x, codes.reconstruction);
  return codes;
}

StatusOr<BaselineSweep>
prism::matchingPursuitSweep(const float *x, uint64_t rows, uint32_t dim,
                            const float *dictionary, uint64_t atoms,
                            const std::vector<uint64_t> &steps) {
  if (Status s = checkInputs(x, rows, dim, dictionary, atoms); !s.isOk())
    return s;
  if (Status s = checkSizes("matching_pursuit", "steps", steps, UINT32_MAX,
                            "the largest step count");
      !s.isOk())
    return s;
  // One pursuit to the largest count, scored at each requested count.
  std::vector<uint64_t> order(steps.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](uint64_t a, uint64_t b) { return steps[a] < steps[b]; });
  BaselineSweep sweep;
  sweep.method = "matching_pursuit";
  sweep.points.resize(steps.size());
  Pursuit pursuit(x, rows, dim, dictionary, atoms);
  std::vector<float> xhat;
  uint64_t done = 0;
  for (uint64_t i : order) {
    for (; done < steps[i]; ++done)
      pursuit.step();
    pursuit.reconstruct(x, xhat);
    sweep.points[i] = scorePoint(x, xhat.data(), rows, dim, steps[i],
                                 pursuit.distinctAtoms());
  }
  return sweep;
}
