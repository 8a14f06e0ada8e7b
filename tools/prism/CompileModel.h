//===- CompileModel.h - Running prismc from prism ---------------*- C++ -*-===//
//
// `prism train MODEL.sae` and `prism eval --metrics FILE.sae` compile with
// the prismc installed beside prism (the runtime never links the compiler).
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_TOOLS_PRISM_COMPILEMODEL_H
#define PRISM_TOOLS_PRISM_COMPILEMODEL_H

#include "prism/runtime/Status.h"

#include <string>
#include <vector>

namespace prism::cli {

/// Runs `prismc MODEL -emit=program -o OUT EXTRA...`; prismc's diagnostics
/// go straight to our stderr. Errors name `model`.
Status compileModel(const std::string &model, const std::string &out,
                    const std::vector<std::string> &extra = {});

} // namespace prism::cli

#endif // PRISM_TOOLS_PRISM_COMPILEMODEL_H
