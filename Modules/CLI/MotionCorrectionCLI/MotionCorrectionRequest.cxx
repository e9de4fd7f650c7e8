#include "MotionCorrectionRequest.h"

#include <algorithm>
#include <stdexcept>

#include "JobParameters.h"
#include "MotionCorrectionXml.h"  // generated at configure time from MotionCorrectionCLI.xml

namespace mc::cli {
namespace {

// setJobParameter's messages start with "--<job name>:"; name the flag the user typed instead.
std::invalid_argument renamed(const std::invalid_argument& e, const std::string& jobName, const std::string& flag) {
  const std::string prefix = "--" + jobName + ":";
  std::string m = e.what();
  if (m.rfind(prefix, 0) == 0) m = flag + ":" + m.substr(prefix.size());
  return std::invalid_argument(m);
}

int positiveInt(const std::string& flag, const std::string& v) {
  std::size_t used = 0;
  int n = 0;
  try {
    n = std::stoi(v, &used);
  } catch (...) {
    used = 0;
  }
  if (used != v.size() || n < 1) throw std::invalid_argument(flag + ": expected a whole number >= 1, got '" + v + "'");
  return n;
}

}  // namespace

const std::string& motionCorrectionXml() {
  static const std::string xml(kMotionCorrectionXml);
  return xml;
}

const ModuleDescription& motionCorrectionDescription() {
  static const ModuleDescription d = parseModuleDescription(motionCorrectionXml());
  return d;
}

std::string jobParameterFor(const std::string& xmlName) {
  if (xmlName == "input_multivolume") return "input";
  std::string n = xmlName;
  std::replace(n.begin(), n.end(), '_', '-');
  const auto& names = jobParameterNames();
  return std::find(names.begin(), names.end(), n) != names.end() ? n : std::string();
}

const std::vector<std::string>& cliOnlyParameters() {
  static const std::vector<std::string> names = {"backend", "mpi_ranks", "progress", "quiet"};
  return names;
}

MotionCorrectionRequest requestFromCommandLine(const ModuleDescription& d, const CommandLine& c, bool requireRun) {
  MotionCorrectionRequest r;
  const auto value = [&](const std::string& name) {
    const auto it = c.values.find(name);
    return it == c.values.end() ? std::string() : it->second;
  };
  for (const auto* p : d.parameters()) {
    const std::string job = jobParameterFor(p->name);
    const std::string v = value(p->name);
    if (job.empty()) continue;
    if (p->name == "input_multivolume") {
      if (v.empty()) continue;
      if (!value("input").empty())
        throw std::invalid_argument(c.flagFor(d, p->name) + ": give either --input or --input_multivolume, not both");
    }
    try {
      setJobParameter(r.spec, job, v);
    } catch (const std::invalid_argument& e) {
      throw renamed(e, job, c.flagFor(d, p->name));
    }
  }
  const std::string backend = value("backend");
  r.backend = backend == "serial" ? Backend::Serial : backend == "mpi" ? Backend::Mpi : Backend::Threads;
  r.mpiRanks = positiveInt(c.flagFor(d, "mpi_ranks"), value("mpi_ranks"));
  r.progress = value("quiet") == "true" ? "none" : value("progress");
  if (requireRun) {
    const JobSpec& s = r.spec;
    if (s.input.empty()) throw std::invalid_argument("--input: required (the 4D run to correct)");
    if (s.realignedOutput.empty() && s.meanOutput.empty() && s.parametersOutput.empty() &&
        s.transformsOutput.empty() && s.confoundsOutput.empty())
      throw std::invalid_argument("--output: no output requested (give --output, --mean, --params, --transforms or --confounds)");
  }
  return r;
}

ProgressMode resolveProgressMode(const std::string& setting, const char* environment, bool stdoutIsTerminal) {
  std::string s = setting;
  if (s == "auto" && environment && *environment) {
    s = environment;
    if (s != "slicer" && s != "text" && s != "none" && s != "auto")
      throw std::invalid_argument("MC_PROGRESS: expected slicer, text, none or auto, got '" + s + "'");
  }
  if (s == "slicer") return ProgressMode::Slicer;
  if (s == "text") return ProgressMode::Text;
  if (s == "none") return ProgressMode::None;
  return stdoutIsTerminal ? ProgressMode::Text : ProgressMode::Slicer;
}

}  // namespace mc::cli
