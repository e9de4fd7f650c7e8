#include "FollowParameters.h"

#include <algorithm>
#include <functional>
#include <sstream>
#include <stdexcept>

#include "ParameterTable.h"
#include "ParameterText.h"

namespace mc {
namespace {

// The parameter table's entries follow mode shares: applied to a JobSpec holding the options'
// estimation, reslicing and thread count.
const std::vector<std::string>& tableNames() {
  static const std::vector<std::string> names = {"quality", "sep",          "fwhm",        "interp",
                                                 "wrap",    "reslice-interp", "reslice-wrap", "threads"};
  return names;
}

JobSpec specOf(const FollowOptions& o) {
  JobSpec s;
  s.estimation = o.estimation;
  s.reslice = o.reslice;
  s.threads = o.threads;
  return s;
}

std::string number(double v) {
  std::ostringstream os;
  os.precision(15);
  os << v;
  return os.str();
}

std::vector<double> numbers(const std::string& name, const std::string& text) {
  std::vector<double> v;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) v.push_back(parameterNumber(name, item));
  if (v.empty()) throw std::invalid_argument("--" + name + ": expected numbers like 0.2,0.3,0.5, got '" + text + "'");
  return v;
}

struct Own {
  const char* name;
  std::function<void(FollowOptions&, const std::string&)> set;
  std::function<std::string(const FollowOptions&)> get;
};

const std::vector<Own>& own() {
  static const std::vector<Own> entries = {
      {"folder", [](FollowOptions& o, const std::string& v) { o.folder = v; }, [](const FollowOptions& o) { return o.folder; }},
      {"reference", [](FollowOptions& o, const std::string& v) { o.reference = v; },
       [](const FollowOptions& o) { return o.reference; }},
      {"params", [](FollowOptions& o, const std::string& v) { o.params = v; }, [](const FollowOptions& o) { return o.params; }},
      {"confounds", [](FollowOptions& o, const std::string& v) { o.confounds = v; },
       [](const FollowOptions& o) { return o.confounds; }},
      {"realigned-folder", [](FollowOptions& o, const std::string& v) { o.realignedFolder = v; },
       [](const FollowOptions& o) { return o.realignedFolder; }},
      {"frames", [](FollowOptions& o, const std::string& v) { o.frames = parameterInteger("frames", v); },
       [](const FollowOptions& o) { return std::to_string(o.frames); }},
      {"end-marker", [](FollowOptions& o, const std::string& v) { o.endMarker = v; },
       [](const FollowOptions& o) { return o.endMarker; }},
      {"timeout", [](FollowOptions& o, const std::string& v) { o.timeoutSeconds = parameterNumber("timeout", v); },
       [](const FollowOptions& o) { return number(o.timeoutSeconds); }},
      {"fd-threshold", [](FollowOptions& o, const std::string& v) { o.fdThreshold = parameterNumber("fd-threshold", v); },
       [](const FollowOptions& o) { return number(o.fdThreshold); }},
      {"fd-levels", [](FollowOptions& o, const std::string& v) { o.fdLevels = numbers("fd-levels", v); },
       [](const FollowOptions& o) {
         std::string s;
         for (std::size_t i = 0; i < o.fdLevels.size(); ++i) s += (i ? "," : "") + number(o.fdLevels[i]);
         return s;
       }},
      {"tr", [](FollowOptions& o, const std::string& v) { o.repetitionTime = parameterNumber("tr", v); },
       [](const FollowOptions& o) { return number(o.repetitionTime); }},
      {"poll", [](FollowOptions& o, const std::string& v) { o.pollSeconds = parameterNumber("poll", v); },
       [](const FollowOptions& o) { return number(o.pollSeconds); }},
  };
  return entries;
}

std::string canonical(std::string name) {
  std::replace(name.begin(), name.end(), '_', '-');
  return name;
}

}  // namespace

void setFollowParameter(FollowOptions& o, const std::string& name, const std::string& value) {
  const std::string n = canonical(name);
  for (const Own& e : own())
    if (n == e.name) return e.set(o, value);
  if (std::find(tableNames().begin(), tableNames().end(), n) != tableNames().end()) {
    JobSpec s = specOf(o);
    Backend backend = Backend::Threads;
    int ranks = kDefaultMpiRanks;
    findParameter(n)->set(s, backend, ranks, value);
    o.estimation = s.estimation;
    o.reslice = s.reslice;
    o.threads = s.threads;
    return;
  }
  throw std::invalid_argument("--" + n + ": not a follow-mode parameter");
}

std::vector<std::pair<std::string, std::string>> followParameters(const FollowOptions& o) {
  std::vector<std::pair<std::string, std::string>> p;
  for (const Own& e : own()) p.emplace_back(e.name, e.get(o));
  const JobSpec s = specOf(o);
  for (const std::string& n : tableNames()) p.emplace_back(n, findParameter(n)->get(s, Backend::Threads, kDefaultMpiRanks));
  return p;
}

}  // namespace mc
