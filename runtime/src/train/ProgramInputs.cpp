//===- ProgramInputs.cpp - Filling a program's per-batch inputs -----------===//

#include "prism/runtime/ProgramInputs.h"

using namespace prism;

Status prism::checkDatasetWidth(const ProgramInfo &info,
                                const std::string &path, const Dataset &data) {
  const BufferInfo &x = info.buffers[info.findBuffer("x")];
  if (static_cast<uint64_t>(x.shape[1]) == data.dim())
    return Status::ok();
  return Status::error(data.path(),
                       "dataset dimension " + std::to_string(data.dim()) +
                           " does not match the program's input x[batch, " +
                           std::to_string(x.shape[1]) + "] (" + path + ")");
}

int prism::findModalityInput(const ProgramInfo &info) {
  int index = info.findBuffer("modality");
  return index >= 0 && info.buffers[index].kind == BufferKind::Input ? index
                                                                     : -1;
}

void prism::writeModalityCodes(const Modality *modality, uint64_t rows,
                               float *out) {
  for (uint64_t r = 0; r < rows; ++r)
    out[r] = static_cast<float>(modality[r]);
}
