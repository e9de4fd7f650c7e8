// Fuzz target: an MPI job file (key = value lines, possibly hand-written). Bad files end in
// std::runtime_error or std::invalid_argument naming the line, never a crash; a file that parses
// formats back to text that parses to the same job.
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "JobParameters.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mc::JobSpec spec;
  try {
    spec = mc::parseJobText(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
  } catch (const std::exception&) {
    return 0;
  }
  const std::string text = mc::formatJobFile(spec);
  if (mc::formatJobFile(mc::parseJobText(text, "formatted")) != text) std::abort();  // round trip
  return 0;
}
