#include "RunParameters.h"

#include <stdexcept>

namespace mc {

void setRunParameter(RunRequest& request, const std::string& name, const std::string& value) {
  const ParameterEntry* e = findParameter(name);
  if (!e) throw std::invalid_argument("--" + name + ": unknown parameter");
  e->set(request.spec, request.backend, request.mpi.ranks, value);
}

std::vector<std::pair<std::string, std::string>> runParameters(const RunRequest& request) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : parameterTable()) out.emplace_back(e.name, e.get(request.spec, request.backend, request.mpi.ranks));
  return out;
}

RunRequest runRequestFrom(const std::vector<std::pair<std::string, std::string>>& parameters) {
  RunRequest r;
  for (const auto& [name, value] : parameters) setRunParameter(r, name, value);
  return r;
}

}  // namespace mc
