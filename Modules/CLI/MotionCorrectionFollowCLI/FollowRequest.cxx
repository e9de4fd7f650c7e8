#include "FollowRequest.h"

#include <algorithm>
#include <stdexcept>

#include "FollowParameters.h"
#include "MotionCorrectionFollowXml.h"  // generated at configure time from MotionCorrectionFollowCLI.xml

namespace mc::cli {

const std::string& followXml() {
  static const std::string xml(kMotionCorrectionFollowXml);
  return xml;
}

const ModuleDescription& followDescription() {
  static const ModuleDescription d = parseModuleDescription(followXml());
  return d;
}

const std::vector<std::string>& followCliOnlyParameters() {
  static const std::vector<std::string> names = {"progress", "quiet"};
  return names;
}

FollowRequest followRequestFromCommandLine(const ModuleDescription& d, const CommandLine& c) {
  FollowRequest r;
  const auto& cliOnly = followCliOnlyParameters();
  for (const auto* p : d.parameters()) {
    if (std::find(cliOnly.begin(), cliOnly.end(), p->name) != cliOnly.end()) continue;
    const auto it = c.values.find(p->name);
    try {
      setFollowParameter(r.options, p->name, it == c.values.end() ? std::string() : it->second);
    } catch (const std::invalid_argument& e) {
      // The core names the parameter "--fd-threshold:"; name the flag as the user typed it.
      std::string m = e.what();
      const auto colon = m.find(':');
      if (m.rfind("--", 0) == 0 && colon != std::string::npos) m = c.flagFor(d, p->name) + m.substr(colon);
      throw std::invalid_argument(m);
    }
  }
  const auto value = [&](const char* name) {
    const auto it = c.values.find(name);
    return it == c.values.end() ? std::string() : it->second;
  };
  r.progress = value("quiet") == "true" ? "none" : value("progress");
  r.options.validate();
  return r;
}

}  // namespace mc::cli
