#include "JobParameters.h"

#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace mc {
namespace {

[[noreturn]] void bad(const std::string& name, const std::string& why) {
  throw std::invalid_argument("--" + name + ": " + why);
}

double toNumber(const std::string& name, const std::string& v) {
  std::size_t used = 0;
  double d = 0;
  try {
    d = std::stod(v, &used);
  } catch (...) {
    bad(name, "expected a number, got '" + v + "'");
  }
  if (used != v.size() || !std::isfinite(d)) bad(name, "expected a number, got '" + v + "'");
  return d;
}

int toInt(const std::string& name, const std::string& v) {
  const double d = toNumber(name, v);
  if (d != std::floor(d)) bad(name, "expected a whole number, got '" + v + "'");
  return int(d);
}

bool toBool(const std::string& name, const std::string& v) {
  if (v == "true" || v == "1" || v == "on" || v == "yes" || v.empty()) return true;
  if (v == "false" || v == "0" || v == "off" || v == "no") return false;
  bad(name, "expected true or false, got '" + v + "'");
}

std::array<bool, 3> toWrap(const std::string& name, const std::string& v) {
  std::array<bool, 3> w{false, false, false};
  std::stringstream ss(v);
  std::string item;
  int i = 0;
  while (std::getline(ss, item, ',')) {
    if (i >= 3) bad(name, "expected three values like 0,0,0, got '" + v + "'");
    w[i++] = toBool(name, item);
  }
  if (i != 3) bad(name, "expected three values like 0,0,0, got '" + v + "'");
  return w;
}

std::string wrapText(const std::array<bool, 3>& w) {
  return std::string(w[0] ? "1" : "0") + "," + (w[1] ? "1" : "0") + "," + (w[2] ? "1" : "0");
}

std::string num(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}

}  // namespace

const std::vector<std::string>& jobParameterNames() {
  static const std::vector<std::string> names = {
      "input", "output", "mean", "params", "transforms", "confounds", "weight", "quality", "sep", "fwhm",
      "interp", "wrap", "reference", "reslice-interp", "reslice-wrap", "mask", "estimate-only", "keep-datatype",
      "threads"};
  return names;
}

void setJobParameter(JobSpec& s, const std::string& name, const std::string& v) {
  auto& e = s.estimation;
  auto& r = s.reslice;
  if (name == "input") s.input = v;
  else if (name == "output") s.realignedOutput = v;
  else if (name == "mean") s.meanOutput = v;
  else if (name == "params") s.parametersOutput = v;
  else if (name == "transforms") s.transformsOutput = v;
  else if (name == "confounds") s.confoundsOutput = v;
  else if (name == "weight") s.weightImage = v;
  else if (name == "quality") {
    e.quality = toNumber(name, v);
    if (!(e.quality > 0 && e.quality <= 1)) bad(name, "must be in (0, 1], got " + v);
  } else if (name == "sep") {
    e.separation = toNumber(name, v);
    if (!(e.separation > 0)) bad(name, "must be > 0 mm, got " + v);
  } else if (name == "fwhm") {
    e.fwhm = toNumber(name, v);
    if (!(e.fwhm >= 0)) bad(name, "must be >= 0 mm, got " + v);
  } else if (name == "interp") {
    e.interpolation = toInt(name, v);
    if (e.interpolation < 1 || e.interpolation > 7) bad(name, "B-spline degree must be 1..7, got " + v);
  } else if (name == "wrap") e.wrap = toWrap(name, v);
  else if (name == "reference") {
    if (v == "first") {
      e.referenceFrame = 0;
      e.registerToMean = false;
    } else if (v == "mean") {
      e.referenceFrame = 0;
      e.registerToMean = true;
    } else {
      std::size_t used = 0;
      int idx = -1;
      try {
        idx = std::stoi(v, &used);
      } catch (...) {
        used = 0;
      }
      if (used != v.size() || idx < 0) bad(name, "expected first, mean or a frame index >= 0, got '" + v + "'");
      e.referenceFrame = idx;
      e.registerToMean = false;
    }
  } else if (name == "reslice-interp") {
    r.interpolation = toInt(name, v);
    if (r.interpolation < 0 || r.interpolation > 7) bad(name, "B-spline degree must be 0..7, got " + v);
  } else if (name == "reslice-wrap") r.wrap = toWrap(name, v);
  else if (name == "mask") r.mask = toBool(name, v);
  else if (name == "estimate-only") s.estimateOnly = toBool(name, v);
  else if (name == "keep-datatype") s.keepDataType = toBool(name, v);
  else if (name == "threads") {
    s.threads = toInt(name, v);
    if (s.threads < 0) bad(name, "must be >= 0 (0 = all cores), got " + v);
  } else {
    throw std::invalid_argument("--" + name + ": unknown parameter");
  }
}

std::vector<std::pair<std::string, std::string>> jobParameters(const JobSpec& s) {
  const auto& e = s.estimation;
  const auto& r = s.reslice;
  std::string reference = e.registerToMean ? (e.referenceFrame == 0 ? "mean" : std::to_string(e.referenceFrame))
                                           : (e.referenceFrame == 0 ? "first" : std::to_string(e.referenceFrame));
  return {{"input", s.input},
          {"output", s.realignedOutput},
          {"mean", s.meanOutput},
          {"params", s.parametersOutput},
          {"transforms", s.transformsOutput},
          {"confounds", s.confoundsOutput},
          {"weight", s.weightImage},
          {"quality", num(e.quality)},
          {"sep", num(e.separation)},
          {"fwhm", num(e.fwhm)},
          {"interp", std::to_string(e.interpolation)},
          {"wrap", wrapText(e.wrap)},
          {"reference", reference},
          {"reslice-interp", std::to_string(r.interpolation)},
          {"reslice-wrap", wrapText(r.wrap)},
          {"mask", r.mask ? "true" : "false"},
          {"estimate-only", s.estimateOnly ? "true" : "false"},
          {"keep-datatype", s.keepDataType ? "true" : "false"},
          {"threads", std::to_string(s.threads)}};
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
