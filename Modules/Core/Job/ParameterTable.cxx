#include "ParameterTable.h"
#include "ParameterText.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace mc {
namespace {

[[noreturn]] void bad(const std::string& name, const std::string& why) {
  throw std::invalid_argument("--" + name + ": " + why);
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

std::string boolText(bool b) { return b ? "true" : "false"; }

// The shortest text that reads back as the same double (0.9, not 0.90000000000000002).
std::string num(double v) {
  for (int precision = 15; precision <= 17; ++precision) {
    std::ostringstream os;
    os.precision(precision);
    os << v;
    if (precision == 17 || std::stod(os.str()) == v) return os.str();
  }
  return {};
}

int positiveInt(const std::string& name, const std::string& v) {
  std::size_t used = 0;
  int n = 0;
  try {
    n = std::stoi(v, &used);
  } catch (...) {
    used = 0;
  }
  if (used != v.size() || n < 1) bad(name, "expected a whole number >= 1, got '" + v + "'");
  return n;
}

void setReference(EstimationOptions& e, const std::string& name, const std::string& v) {
  if (v == "first" || v == "mean") {
    e.referenceFrame = 0;
    e.registerToMean = v == "mean";
    return;
  }
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

std::string referenceText(const EstimationOptions& e) {
  if (e.referenceFrame != 0) return std::to_string(e.referenceFrame);
  return e.registerToMean ? "mean" : "first";
}

using Setter = std::function<void(JobSpec&, Backend&, int&, const std::string&)>;
using Getter = std::function<std::string(const JobSpec&, Backend, int)>;

ParameterEntry entry(std::string name, ParameterType type, Setter set, Getter get, std::string label, std::string help) {
  ParameterEntry e;
  e.name = std::move(name);
  e.type = type;
  e.scope = ParameterScope::Job;
  e.set = std::move(set);
  e.get = std::move(get);
  e.label = std::move(label);
  e.help = std::move(help);
  return e;
}

ParameterEntry ranged(ParameterEntry e, double minimum, double maximum, double step) {
  e.minimum = minimum;
  e.maximum = maximum;
  e.step = step;
  return e;
}

// A path field of JobSpec.
ParameterEntry path(std::string name, std::string JobSpec::*field, bool output, std::string label, std::string help) {
  ParameterEntry e = entry(
      std::move(name), ParameterType::Path, [field](JobSpec& s, Backend&, int&, const std::string& v) { s.*field = v; },
      [field](const JobSpec& s, Backend, int) { return s.*field; }, std::move(label), std::move(help));
  e.isOutput = output;
  return e;
}

std::vector<ParameterEntry> buildTable() {
  using T = ParameterType;
  std::vector<ParameterEntry> t;
  t.push_back(path("input", &JobSpec::input, false, "Input 4D run",
                   "The 4D fMRI run to correct: NIfTI (.nii, .nii.gz) or NRRD with a list axis (Slicer's .seq.nrrd "
                   "volume sequences)."));
  t.push_back(path("output", &JobSpec::realignedOutput, true, "Realigned run",
                   "The realigned 4D run, every frame resliced into the reference grid. .nrrd/.seq.nrrd writes a "
                   "Slicer volume sequence."));
  t.push_back(path("mean", &JobSpec::meanOutput, true, "Mean image", "The mean of the realigned run (3D)."));
  t.push_back(path("params", &JobSpec::parametersOutput, true, "Motion parameters (rp)",
                   "SPM rp_*.txt: one row per frame, x y z (mm) pitch roll yaw (rad)."));
  t.push_back(path("transforms", &JobSpec::transformsOutput, true, "Transforms",
                   "One row per frame: the 16 entries of the frame's world (RAS mm) motion matrix, row-major."));
  t.push_back(path("confounds", &JobSpec::confoundsOutput, true, "Confounds table",
                   "Tab-separated, fMRIPrep column names: trans_x trans_y trans_z rot_x rot_y rot_z "
                   "framewise_displacement."));
  t.push_back(path("weight", &JobSpec::weightImage, false, "Weight image",
                   "Optional weighting (or mask) image on the run's voxel grid; voxels weighted 0 are ignored during "
                   "estimation."));

  t.push_back(ranged(entry(
      "quality", T::Number,
      [](JobSpec& s, Backend&, int&, const std::string& v) {
        s.estimation.quality = parameterNumber("quality", v);
        if (!(s.estimation.quality > 0 && s.estimation.quality <= 1)) bad("quality", "must be in (0, 1], got " + v);
      },
      [](const JobSpec& s, Backend, int) { return num(s.estimation.quality); }, "Quality",
      "Fraction of the sample points' information kept, in (0, 1]; lower is faster and less accurate."),
      0.01, 1, 0.05));
  t.push_back(ranged(entry(
      "sep", T::Number,
      [](JobSpec& s, Backend&, int&, const std::string& v) {
        s.estimation.separation = parameterNumber("sep", v);
        if (!(s.estimation.separation > 0)) bad("sep", "must be > 0 mm, got " + v);
      },
      [](const JobSpec& s, Backend, int) { return num(s.estimation.separation); }, "Separation (mm)",
      "Distance between the sample points, in mm (> 0)."),
      0.5, 20, 0.5));
  t.push_back(ranged(entry(
      "fwhm", T::Number,
      [](JobSpec& s, Backend&, int&, const std::string& v) {
        s.estimation.fwhm = parameterNumber("fwhm", v);
        if (!(s.estimation.fwhm >= 0)) bad("fwhm", "must be >= 0 mm, got " + v);
      },
      [](const JobSpec& s, Backend, int) { return num(s.estimation.fwhm); }, "Smoothing FWHM (mm)",
      "Gaussian smoothing applied before estimation, in mm (>= 0)."),
      0, 20, 0.5));
  t.push_back(ranged(entry(
      "interp", T::Integer,
      [](JobSpec& s, Backend&, int&, const std::string& v) {
        s.estimation.interpolation = parameterInteger("interp", v);
        if (s.estimation.interpolation < 1 || s.estimation.interpolation > 7)
          bad("interp", "B-spline degree must be 1..7, got " + v);
      },
      [](const JobSpec& s, Backend, int) { return std::to_string(s.estimation.interpolation); },
      "Estimation interpolation", "B-spline degree used during estimation, 1..7."),
      1, 7, 1));
  t.push_back(entry(
      "wrap", T::AxisFlags,
      [](JobSpec& s, Backend&, int&, const std::string& v) { s.estimation.wrap = toWrap("wrap", v); },
      [](const JobSpec& s, Backend, int) { return wrapText(s.estimation.wrap); }, "Estimation wrapping",
      "Wrap-around per voxel axis, e.g. 0,1,0 for phase-encode wrapping along y."));
  t.push_back(entry(
      "reference", T::Text,
      [](JobSpec& s, Backend&, int&, const std::string& v) { setReference(s.estimation, "reference", v); },
      [](const JobSpec& s, Backend, int) { return referenceText(s.estimation); }, "Reference",
      "first: register to the first frame; mean: two passes, then register to the mean (SPM's default); or a "
      "0-based frame index."));

  t.push_back(ranged(entry(
      "reslice-interp", T::Integer,
      [](JobSpec& s, Backend&, int&, const std::string& v) {
        s.reslice.interpolation = parameterInteger("reslice-interp", v);
        if (s.reslice.interpolation < 0 || s.reslice.interpolation > 7)
          bad("reslice-interp", "B-spline degree must be 0..7, got " + v);
      },
      [](const JobSpec& s, Backend, int) { return std::to_string(s.reslice.interpolation); }, "Reslice interpolation",
      "B-spline degree used for reslicing, 0..7 (0 nearest, 1 trilinear)."),
      0, 7, 1));
  t.push_back(entry(
      "reslice-wrap", T::AxisFlags,
      [](JobSpec& s, Backend&, int&, const std::string& v) { s.reslice.wrap = toWrap("reslice-wrap", v); },
      [](const JobSpec& s, Backend, int) { return wrapText(s.reslice.wrap); }, "Reslice wrapping",
      "Wrap-around per voxel axis when reslicing, e.g. 0,1,0."));
  ParameterEntry mask = entry(
      "mask", T::Choice, [](JobSpec& s, Backend&, int&, const std::string& v) { s.reslice.mask = toBool("mask", v); },
      [](const JobSpec& s, Backend, int) { return boolText(s.reslice.mask); }, "Mask",
      "true: zero the voxels that some frame did not see (SPM's mask); false: keep them.");
  mask.choices = {"true", "false"};
  t.push_back(mask);
  t.push_back(entry(
      "keep-datatype", T::Boolean,
      [](JobSpec& s, Backend&, int&, const std::string& v) { s.keepDataType = toBool("keep-datatype", v); },
      [](const JobSpec& s, Backend, int) { return boolText(s.keepDataType); }, "Keep input data type",
      "Write the realigned run in the input's data type (rounded and clamped) instead of float32."));
  t.push_back(entry(
      "estimate-only", T::Boolean,
      [](JobSpec& s, Backend&, int&, const std::string& v) { s.estimateOnly = toBool("estimate-only", v); },
      [](const JobSpec& s, Backend, int) { return boolText(s.estimateOnly); }, "Estimate only",
      "Estimate the motion and write the parameter files only; no realigned run or mean."));

  t.push_back(ranged(entry(
      "threads", T::Integer,
      [](JobSpec& s, Backend&, int&, const std::string& v) {
        s.threads = parameterInteger("threads", v);
        if (s.threads < 0) bad("threads", "must be >= 0 (0 = all cores), got " + v);
      },
      [](const JobSpec& s, Backend, int) { return std::to_string(s.threads); }, "Threads",
      "Worker threads; 0 = all cores. With the mpi backend: threads per rank."),
      0, 256, 1));
  ParameterEntry backend = entry(
      "backend", T::Choice, [](JobSpec&, Backend& b, int&, const std::string& v) { b = parseBackend(v); },
      [](const JobSpec&, Backend b, int) { return std::string(backendName(b)); }, "Backend",
      "serial: one thread; threads: a pool of --threads workers; mpi: frames spread over --mpi_ranks MPI processes "
      "(only when the MPI backend is built).");
  backend.scope = ParameterScope::Run;
  backend.choices = {"serial", "threads", "mpi"};
  t.push_back(backend);
  ParameterEntry ranks = ranged(entry(
      "mpi-ranks", T::Integer, [](JobSpec&, Backend&, int& n, const std::string& v) { n = positiveInt("mpi-ranks", v); },
      [](const JobSpec&, Backend, int n) { return std::to_string(n); }, "MPI ranks",
      "Number of MPI processes for the mpi backend."),
      1, 1024, 1);
  ranks.scope = ParameterScope::Run;
  t.push_back(ranks);

  // Defaults are read off a default request, so they cannot drift from the engine's.
  const JobSpec defaults;
  for (auto& e : t) e.defaultValue = e.get(defaults, Backend::Threads, kDefaultMpiRanks);
  return t;
}

}  // namespace

double parameterNumber(const std::string& name, const std::string& v) {
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

int parameterInteger(const std::string& name, const std::string& v) {
  const double d = parameterNumber(name, v);
  if (d != std::floor(d)) bad(name, "expected a whole number, got '" + v + "'");
  // Found by FuzzJobFile: converting a double past INT_MAX to int is undefined behaviour.
  if (std::fabs(d) > 1e9) bad(name, "expected a whole number below 1e9, got '" + v + "'");
  return int(d);
}

const std::vector<ParameterEntry>& parameterTable() {
  static const std::vector<ParameterEntry> table = buildTable();
  return table;
}

const ParameterEntry* findParameter(const std::string& name) {
  std::string n = name;
  std::replace(n.begin(), n.end(), '_', '-');
  for (const auto& e : parameterTable())
    if (e.name == n) return &e;
  return nullptr;
}

}  // namespace mc
