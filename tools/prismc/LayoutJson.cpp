//===- LayoutJson.cpp - A program's buffer table as JSON ------------------===//

#include "LayoutJson.h"

#include "llvm/Support/JSON.h"

using namespace llvm;
using namespace prism;
using namespace prism::prismc;

const char *prism::prismc::roleName(target::BufferRole role) {
  switch (role) {
  case target::BufferRole::Parameter:
    return "Parameter";
  case target::BufferRole::OptimizerState:
    return "OptimizerState";
  case target::BufferRole::ModelState:
    return "ModelState";
  case target::BufferRole::Input:
    return "Input";
  case target::BufferRole::Output:
    return "Output";
  case target::BufferRole::Accumulator:
    return "Metric";
  }
  llvm_unreachable("unknown buffer role");
}

template <typename T>
static void writeArray(json::OStream &json, StringRef key,
                       const std::vector<T> &values) {
  json.attributeArray(key, [&] {
    for (const T &value : values)
      json.value(value);
  });
}

void prism::prismc::writeLayoutJson(const target::ProgramLayout &layout,
                                    raw_ostream &os) {
  os << "{\n  \"buffers\": [";
  for (auto [i, buffer] : llvm::enumerate(layout.buffers)) {
    os << (i ? ",\n    " : "\n    ");
    json::OStream json(os);
    json.object([&] {
      json.attribute("name", buffer.name);
      json.attribute("role", roleName(buffer.role));
      writeArray(json, "shape", buffer.shape);
    });
  }
  os << (layout.buffers.empty() ? "],\n" : "\n  ],\n");
  os << "  \"entries\": [";
  for (auto [i, entry] : llvm::enumerate(layout.entries)) {
    os << (i ? ",\n    " : "\n    ");
    json::OStream json(os);
    json.object([&] {
      json.attribute("name", entry.name);
      json.attribute("symbol", entry.symbol);
      writeArray(json, "scalars", entry.scalars);
      writeArray(json, "reads", entry.reads);
      writeArray(json, "writes", entry.writes);
    });
  }
  os << (layout.entries.empty() ? "]\n}\n" : "\n  ]\n}\n");
}
