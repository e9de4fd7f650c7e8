#pragma once
// The parameter table (ParameterTable.h) applied to a whole RunRequest: the job's entries and the
// run's own (backend, mpi-ranks -> RunRequest::mpi.ranks). What a face with text values calls (the
// CLI, Python, the panel and the Slicer logic).
#include <string>
#include <utility>
#include <vector>

#include "ParameterTable.h"
#include "Run.h"

namespace mc {

// Sets one parameter by its table name ('-' or '_'). Throws std::invalid_argument("--name: problem").
void setRunParameter(RunRequest& request, const std::string& name, const std::string& value);

// Every table parameter of the request as (name, text), in table order; setRunParameter inverts it.
std::vector<std::pair<std::string, std::string>> runParameters(const RunRequest& request);

// A request from (name, text) pairs on top of the defaults.
RunRequest runRequestFrom(const std::vector<std::pair<std::string, std::string>>& parameters);

}  // namespace mc
