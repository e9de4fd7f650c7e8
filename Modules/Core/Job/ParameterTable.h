#pragma once
// The one parameter table: every parameter of a run, with its type, default, range, label and help,
// and how it is read from and written to a request. Every face derives from it: the text map
// (setJobParameter, jobParameters, the MPI job file), the CLI (its XML is checked against it by a
// test), the Python keywords (name with '-' as '_'), the panel's widgets and the Slicer defaults.
// Names are the CLI's long flags without "--"; the rank count is "mpi-ranks" in every face.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "Backend.h"
#include "JobSpec.h"

namespace mc {

enum class ParameterType {
  Path,      // a file name; empty: not given (isOutput: written by the run)
  Number,    // real
  Integer,   // whole number
  Boolean,   // true / false
  Choice,    // one of `choices`
  Text,      // free text with its own syntax (reference: first, mean or a frame index)
  AxisFlags  // three booleans per voxel axis, "0,1,0"
};

// JobSpec fields travel to the MPI worker in its job file; the run's own choices (backend, rank
// count) are parameters of the RunRequest (Run.h) only.
enum class ParameterScope { Job, Run };

struct ParameterEntry {
  std::string name;          // "reslice-interp"
  ParameterType type;
  ParameterScope scope;
  std::string defaultValue;  // as text, what `get` gives for a default request
  // The range interfaces offer (the CLI XML's constraints, the panel's spin boxes). `set` checks the
  // engine's own limits, which may be wider (quality (0, 1], sep > 0); unset: no bound.
  std::optional<double> minimum, maximum, step;
  std::vector<std::string> choices;  // Choice: the allowed texts
  bool isOutput = false;             // Path: written by the run (else read)
  std::string label, help;           // short label and one-paragraph help (the CLI XML's)
  // Text in, checked ("--name: problem" as std::invalid_argument); text out, in the form set reads.
  std::function<void(JobSpec&, Backend&, int& mpiRanks, const std::string&)> set;
  std::function<std::string(const JobSpec&, Backend, int mpiRanks)> get;
};

// Every parameter, in a fixed order (paths, estimation, reslicing, execution).
const std::vector<ParameterEntry>& parameterTable();
// The entry called name (with '-' or '_'), or nullptr.
const ParameterEntry* findParameter(const std::string& name);

// The rank count's default (the table's and MpiOptions's).
constexpr int kDefaultMpiRanks = 2;

}  // namespace mc
