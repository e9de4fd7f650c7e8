// Fuzz target: an Execution Model XML description (what `--xml` prints and Slicer reads). Malformed
// documents must end in std::runtime_error naming the line, never a crash.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "ExecutionModelDescription.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto d = mc::cli::parseModuleDescription(std::string(reinterpret_cast<const char*>(data), size));
    for (const auto* p : d.parameters()) (void)d.find(p->name);
  } catch (const std::runtime_error&) {
  }
  return 0;
}
