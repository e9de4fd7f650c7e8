#pragma once
// The text form of a JobSpec, derived from the parameter table (ParameterTable.h): the job-scope
// entries by name (the CLI's long flags without "--", the keys of the MPI job file). The run's own
// parameters (backend, mpi-ranks) are set on a RunRequest (RunParameters.h).
#include <string>
#include <utility>
#include <vector>

#include "MotionCorrectionJob.h"
#include "ParameterTable.h"

namespace mc {

// Sets one parameter from its text form. Throws std::invalid_argument("--name: problem") for an
// unknown name (or a run parameter) or a bad value (negative FWHM, quality outside (0, 1], unknown reference, ...).
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
