#include "TableParameters.h"

#include <stdexcept>

#include "RunParameters.h"

namespace mc::cli {

std::string tableEntryNamed(const std::string& xmlName) {
  const ParameterEntry* e = findParameter(xmlName);
  return e ? e->name : std::string();
}

void applyTableParameters(const ModuleDescription& d, const CommandLine& c, RunRequest& request,
                          const std::function<std::string(const std::string& xmlName)>& tableName) {
  for (const auto* p : d.parameters()) {
    const std::string name = tableName(p->name);
    if (name.empty()) continue;
    const auto it = c.values.find(p->name);
    try {
      setRunParameter(request, name, it == c.values.end() ? std::string() : it->second);
    } catch (const std::invalid_argument& e) {
      // The table's messages start with "--<table name>:"; name the flag the user typed instead.
      const std::string prefix = "--" + name + ":";
      std::string m = e.what();
      if (m.rfind(prefix, 0) == 0) m = c.flagFor(d, p->name) + ":" + m.substr(prefix.size());
      throw std::invalid_argument(m);
    }
  }
}

}  // namespace mc::cli
