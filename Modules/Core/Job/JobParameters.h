#pragma once
// The one map between parameter names (the CLI's long flags without "--", the keys of the MPI job
// file, the Python keyword arguments with '-' as '_') and JobSpec fields. Every face converts
// through here, so a parameter means the same everywhere.
#include <string>
#include <utility>
#include <vector>

#include "MotionCorrectionJob.h"

namespace mc {

// Sets one parameter from its text form. Throws std::invalid_argument("--name: problem") for an
// unknown name or a bad value (negative FWHM, quality outside (0, 1], unknown reference, ...).
void setJobParameter(JobSpec& spec, const std::string& name, const std::string& value);

// All parameters of spec as (name, value) text, in a fixed order; setJobParameter inverts it.
std::vector<std::pair<std::string, std::string>> jobParameters(const JobSpec& spec);

// The names setJobParameter understands.
const std::vector<std::string>& jobParameterNames();

// name=value lines (the MPI worker's job file).
std::string formatJobFile(const JobSpec& spec);
JobSpec parseJobFile(const std::string& path);  // throws std::runtime_error naming the file and line
JobSpec parseJobText(const std::string& text, const std::string& source);  // source names it in errors

}  // namespace mc
