#include "JobParameters.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace mc {

const std::vector<std::string>& jobParameterNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& e : parameterTable())
      if (e.scope == ParameterScope::Job) n.push_back(e.name);
    return n;
  }();
  return names;
}

void setJobParameter(JobSpec& spec, const std::string& name, const std::string& value) {
  const ParameterEntry* e = findParameter(name);
  if (!e || name.find('_') != std::string::npos) throw std::invalid_argument("--" + name + ": unknown parameter");
  if (e->scope != ParameterScope::Job)
    throw std::invalid_argument("--" + name + ": a parameter of the run request, not of the job");
  Backend unusedBackend = Backend::Threads;
  int unusedRanks = kDefaultMpiRanks;
  e->set(spec, unusedBackend, unusedRanks, value);
}

std::vector<std::pair<std::string, std::string>> jobParameters(const JobSpec& spec) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : parameterTable())
    if (e.scope == ParameterScope::Job) out.emplace_back(e.name, e.get(spec, Backend::Threads, kDefaultMpiRanks));
  return out;
}

std::string formatJobFile(const JobSpec& spec) {
  std::string out;
  for (const auto& [k, v] : jobParameters(spec)) out += k + "=" + v + "\n";
  return out;
}

JobSpec parseJobFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open job file");
  std::ostringstream text;
  text << in.rdbuf();
  return parseJobText(text.str(), path);
}

JobSpec parseJobText(const std::string& text, const std::string& source) {
  JobSpec spec;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    const auto eq = line.find('=');
    if (eq == std::string::npos)
      throw std::runtime_error(source + ": line " + std::to_string(n) + " is not name=value");
    try {
      setJobParameter(spec, line.substr(0, eq), line.substr(eq + 1));
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(source + ": line " + std::to_string(n) + ": " + e.what());
    }
  }
  return spec;
}

}  // namespace mc
