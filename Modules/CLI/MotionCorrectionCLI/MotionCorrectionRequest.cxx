#include "MotionCorrectionRequest.h"

#include <algorithm>
#include <stdexcept>

#include "RunParameters.h"
#include "MotionCorrectionXml.h"  // generated at configure time from MotionCorrectionCLI.xml

namespace mc::cli {
namespace {

// The table's messages start with "--<table name>:"; name the flag the user typed instead.
std::invalid_argument renamed(const std::invalid_argument& e, const std::string& jobName, const std::string& flag) {
  const std::string prefix = "--" + jobName + ":";
  std::string m = e.what();
  if (m.rfind(prefix, 0) == 0) m = flag + ":" + m.substr(prefix.size());
  return std::invalid_argument(m);
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

std::string tableParameterFor(const std::string& xmlName) {
  if (xmlName == "input_multivolume") return "input";
  const ParameterEntry* e = findParameter(xmlName);
  return e ? e->name : std::string();
}

const std::vector<std::string>& cliOnlyParameters() {
  static const std::vector<std::string> names = {"progress", "quiet"};
  return names;
}

MotionCorrectionRequest requestFromCommandLine(const ModuleDescription& d, const CommandLine& c, bool requireRun) {
  MotionCorrectionRequest r;
  const auto value = [&](const std::string& name) {
    const auto it = c.values.find(name);
    return it == c.values.end() ? std::string() : it->second;
  };
  for (const auto* p : d.parameters()) {
    const std::string name = tableParameterFor(p->name);
    const std::string v = value(p->name);
    if (name.empty()) continue;
    if (p->name == "input_multivolume") {
      if (v.empty()) continue;
      if (!value("input").empty())
        throw std::invalid_argument(c.flagFor(d, p->name) + ": give either --input or --input_multivolume, not both");
    }
    try {
      setRunParameter(r, name, v);
    } catch (const std::invalid_argument& e) {
      throw renamed(e, name, c.flagFor(d, p->name));
    }
  }
  r.progress = value("quiet") == "true" ? "none" : value("progress");
  if (requireRun) r.validate();
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
