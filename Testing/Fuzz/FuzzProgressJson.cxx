// Fuzz target: one line of the MPI worker's JSON progress protocol as the launcher reads it. A line
// that is not a message gives std::nullopt; nothing may crash or throw out of the parser.
#include <cstdint>
#include <string>

#include "ProgressJson.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto m = mc::parseProgressMessage(std::string(reinterpret_cast<const char*>(data), size));
  if (m) (void)mc::formatProgressMessage(*m);
  return 0;
}
