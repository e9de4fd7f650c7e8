#pragma once
// What one invocation of the MotionCorrectionCLI module asks for: a RunRequest (filled through the
// parameter table, mc::setRunParameter) plus how progress is reported.
#include <string>
#include <vector>

#include "CommandLine.h"
#include "ExecutionModelDescription.h"
#include "ProgressReporter.h"
#include "Run.h"

namespace mc::cli {

struct MotionCorrectionRequest : RunRequest {
  std::string progress = "auto";  // auto | slicer | text | none, as given
};

// The module description embedded in the executable (MotionCorrectionCLI.xml, byte for byte).
const std::string& motionCorrectionXml();
const ModuleDescription& motionCorrectionDescription();

// The table parameter (mc::parameterTable()) an XML parameter sets, or "" for the CLI's own
// parameters. XML names are C identifiers (Slicer rejects '-'), so "reslice_interp" sets
// "reslice-interp"; input_multivolume is Slicer's alternative way to pass "input".
std::string tableParameterFor(const std::string& xmlName);
// XML parameters that are not in the table: progress, quiet (and input_multivolume, another
// spelling of input).
const std::vector<std::string>& cliOnlyParameters();

// Applies every value (defaults included) through mc::setRunParameter. Throws
// std::invalid_argument("--flag: problem") naming the flag as the user typed it. With requireRun,
// also checks the whole request (RunRequest::validate: an input, at least one output, the job).
MotionCorrectionRequest requestFromCommandLine(const ModuleDescription& d, const CommandLine& c, bool requireRun = true);

}  // namespace mc::cli
