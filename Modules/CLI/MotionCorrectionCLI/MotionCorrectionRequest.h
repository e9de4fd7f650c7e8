#pragma once
// What one invocation of the MotionCorrectionCLI module asks for: the engine's JobSpec (filled through
// mc::setJobParameter, the one name<->JobSpec map) plus the CLI's own execution choices.
#include <string>
#include <vector>

#include "CommandLine.h"
#include "ModuleDescription.h"
#include "MotionCorrectionJob.h"

namespace mc::cli {

enum class Backend { Serial, Threads, Mpi };
enum class ProgressMode { Slicer, Text, None };

struct MotionCorrectionRequest {
  JobSpec spec;
  Backend backend = Backend::Threads;
  int mpiRanks = 2;
  std::string progress = "auto";  // auto | slicer | text | none, as given
};

// The module description embedded in the executable (MotionCorrectionCLI.xml, byte for byte).
const std::string& motionCorrectionXml();
const ModuleDescription& motionCorrectionDescription();

// The job parameter (mc::jobParameterNames()) an XML parameter sets, or "" for the CLI's own
// parameters. XML names are C identifiers (Slicer rejects '-'), so "reslice_interp" sets
// "reslice-interp"; input_multivolume is Slicer's alternative way to pass "input".
std::string jobParameterFor(const std::string& xmlName);
// XML parameters that are not job parameters: backend, mpi_ranks, progress, quiet.
const std::vector<std::string>& cliOnlyParameters();

// Applies every value (defaults included) through mc::setJobParameter. Throws
// std::invalid_argument("--flag: problem") naming the flag as the user typed it. With requireRun,
// also checks that an input and at least one output were given.
MotionCorrectionRequest requestFromCommandLine(const ModuleDescription& d, const CommandLine& c, bool requireRun = true);

// auto: MC_PROGRESS (slicer|text|none) if set, else text on a terminal and the Slicer protocol
// otherwise (Slicer reads stdout through a pipe).
ProgressMode resolveProgressMode(const std::string& setting, const char* environment, bool stdoutIsTerminal);

}  // namespace mc::cli
