#include "MotionCorrectionRequest.h"

#include <algorithm>
#include <stdexcept>

#include "TableParameters.h"
#include "MotionCorrectionXml.h"  // generated at configure time from MotionCorrectionCLI.xml

namespace mc::cli {

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
  return tableEntryNamed(xmlName);
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
  if (!value("input_multivolume").empty() && !value("input").empty())
    throw std::invalid_argument(c.flagFor(d, "input_multivolume") + ": give either --input or --input_multivolume, not both");
  applyTableParameters(d, c, r, [&](const std::string& xmlName) {
    // An empty input_multivolume must not clear a given --input.
    if (xmlName == "input_multivolume" && value(xmlName).empty()) return std::string();
    return tableParameterFor(xmlName);
  });
  r.progress = value("quiet") == "true" ? "none" : value("progress");
  if (requireRun) r.validate();
  return r;
}

}  // namespace mc::cli
