//===- ProgramInputs.h - Filling a program's per-batch inputs ---*- C++ -*-===//
//
// What training and evaluation both do before running an entry point on a
// batch: check that the dataset fits the program's `x`, and find and fill
// the optional per-row `modality` input.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_PROGRAMINPUTS_H
#define PRISM_RUNTIME_PROGRAMINPUTS_H

#include "prism/runtime/Dataset.h"
#include "prism/runtime/Program.h"
#include "prism/runtime/Status.h"

#include <cstdint>

namespace prism {

/// An error naming the dataset when its dimension is not the width of the
/// program's input `x` (which must exist).
Status checkDatasetWidth(const ProgramInfo &info, const std::string &path,
                         const Dataset &data);

/// The index of the program's Input buffer `modality`, or -1.
int findModalityInput(const ProgramInfo &info);

/// Writes each row's modality code (1 image, 2 text, 0 unspecified) as the
/// float the kernels compare with.
void writeModalityCodes(const Modality *modality, uint64_t rows, float *out);

} // namespace prism

#endif // PRISM_RUNTIME_PROGRAMINPUTS_H
