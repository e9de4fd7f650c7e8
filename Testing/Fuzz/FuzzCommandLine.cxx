// Fuzz target: the CLI's argument layer, from the command line to a checked request. The input is
// split into arguments at NUL bytes and read against the real MotionCorrectionCLI.xml; every bad
// command line must end in std::invalid_argument (the CLI's one-line "--flag: problem"), never a
// crash. The request is built without touching files (no run is read, nothing is written).
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "CommandLine.h"
#include "MotionCorrectionRequest.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args(1);
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0) args.emplace_back();
    else args.back() += char(data[i]);
  }
  const auto& d = mc::cli::motionCorrectionDescription();
  try {
    const mc::cli::CommandLine c = mc::cli::parseCommandLine(d, args);
    if (c.help) (void)mc::cli::formatHelp(d, "MotionCorrectionCLI");
    const auto request = mc::cli::requestFromCommandLine(d, c, false);
    (void)request;
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
