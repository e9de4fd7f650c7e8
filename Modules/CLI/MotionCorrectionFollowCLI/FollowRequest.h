#pragma once
// What one invocation of the MotionCorrectionFollowCLI module asks for: the follow options (set
// through mc::setFollowParameter, the parameters Python's follow() also takes) and how progress is
// reported.
#include <string>

#include "CommandLine.h"
#include "ExecutionModelDescription.h"
#include "FollowSession.h"

namespace mc::cli {

struct FollowRequest {
  FollowOptions options;
  std::string progress = "auto";  // auto | slicer | text | none, as given
};

// The module description embedded in the executable (MotionCorrectionFollowCLI.xml, byte for byte).
const std::string& followXml();
const ModuleDescription& followDescription();

// XML parameters that are not follow options: progress, quiet.
const std::vector<std::string>& followCliOnlyParameters();

// Applies every value (defaults included), then FollowOptions::validate. Throws
// std::invalid_argument("--flag: problem") naming the flag as typed, or "follow: problem".
FollowRequest followRequestFromCommandLine(const ModuleDescription& d, const CommandLine& c);

}  // namespace mc::cli
