// _motioncorrection.follow: mc::followFolder with the GIL released. Each aligned volume is handed
// to a Python callable as a dict (motion, FD, latency, the summary so far) from the follow thread,
// the GIL taken only for that call; notices go to a second callable. The callable answering False
// (or raising), or Ctrl-C, ends the run as cancelled; an exception is re-raised on return.
#include "MotionCorrectionFollowPython.h"

#include <pybind11/stl.h>

#include <string>
#include <utility>
#include <vector>

#include "FollowParameters.h"
#include "FollowSession.h"

namespace py = pybind11;

namespace {

py::dict summaryDict(const mc::FollowSummary& s) {
  py::dict d;
  d["volumes"] = s.volumes;
  py::dict under;
  for (std::size_t i = 0; i < s.levels.size(); ++i) under[py::float_(s.levels[i])] = s.under[i];
  d["under"] = under;  // {0.2: count, 0.3: count, 0.5: count}
  d["usable"] = s.usable;
  d["usable_minutes"] = s.usableMinutes;
  d["repetition_time"] = s.repetitionTime;
  d["mean_fd"] = s.meanFd;
  d["max_fd"] = s.maxFd;
  return d;
}

py::dict volumeDict(const mc::FollowVolume& v) {
  py::dict d;
  d["frame"] = v.frame;
  d["path"] = v.path;
  d["parameters"] = std::vector<double>(v.motion.parameters.values.begin(), v.motion.parameters.values.end());
  d["fd"] = v.fd;
  d["latency"] = v.latencySeconds;
  d["warning"] = v.motion.warning;
  d["summary"] = summaryDict(v.summary);
  return d;
}

// Calls into Python from the follow thread; keeps the first exception for the caller.
class FollowBridge {
public:
  FollowBridge(py::object onVolume, py::object onNotice, py::object onWait)
      : onVolume_(std::move(onVolume)), onNotice_(std::move(onNotice)), onWait_(std::move(onWait)) {}

  mc::FollowCallbacks callbacks() {
    mc::FollowCallbacks cb;
    cb.onVolume = [this](const mc::FollowVolume& v) {
      return call([&] {
        if (onVolume_.is_none()) return true;
        py::object answer = onVolume_(volumeDict(v));
        return answer.is_none() || answer.cast<bool>();
      });
    };
    cb.onNotice = [this](const std::string& line) {
      call([&] {
        if (!onNotice_.is_none()) onNotice_(line);
        return true;
      });
    };
    // Every look at the folder: a pending Ctrl-C (seen when called on the main thread) or onWait
    // answering False stops it.
    cb.onWait = [this] {
      return call([&] {
        if (onWait_.is_none()) return true;
        py::object answer = onWait_();
        return answer.is_none() || answer.cast<bool>();
      });
    };
    return cb;
  }

  // With the GIL held, after followFolder returned.
  void raiseIfFailed() {
    if (!type_) return;
    PyErr_Restore(type_.release().ptr(), value_.release().ptr(), trace_.release().ptr());
    throw py::error_already_set();
  }

private:
  template <class F>
  mc::CallbackReturn call(F&& f) {
    if (stopped_) return mc::CallbackReturn::Abort;
    py::gil_scoped_acquire gil;
    try {
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
      if (f()) return mc::CallbackReturn::Continue;
    } catch (py::error_already_set& e) {
      type_ = e.type();
      value_ = e.value();
      trace_ = e.trace();
    }
    stopped_ = true;
    return mc::CallbackReturn::Abort;
  }

  py::object onVolume_, onNotice_, onWait_;
  py::object type_, value_, trace_;
  bool stopped_ = false;  // only touched by the follow thread (followFolder calls back on it)
};

py::dict follow(const std::vector<std::pair<std::string, std::string>>& parameters, py::object onVolume,
                py::object onNotice, py::object onWait) {
  mc::FollowOptions options;
  for (const auto& [name, value] : parameters) mc::setFollowParameter(options, name, value);
  FollowBridge bridge(std::move(onVolume), std::move(onNotice), std::move(onWait));
  mc::FollowResult r;
  {
    py::gil_scoped_release release;
    r = mc::followFolder(options, bridge.callbacks());
  }
  bridge.raiseIfFailed();
  py::list volumes;
  for (const auto& v : r.volumes) volumes.append(volumeDict(v));
  py::dict d;
  d["end"] = mc::followEndName(r.end);
  d["volumes"] = volumes;
  d["notices"] = r.notices;
  d["skipped"] = r.skipped;
  d["summary"] = r.volumes.empty() ? summaryDict(mc::FollowSummary{}) : summaryDict(r.volumes.back().summary);
  return d;
}

}  // namespace

void addFollowBinding(py::module_& m) {
  m.def("follow", &follow, py::arg("parameters"), py::arg("on_volume"), py::arg("on_notice"), py::arg("on_wait"),
        "Follows a folder (mc::followFolder); see motioncorrection.follow.");
  m.def(
      "follow_parameter_names",
      [] {
        std::vector<std::string> names;
        for (const auto& [name, value] : mc::followParameters(mc::FollowOptions{})) names.push_back(name);
        return names;
      },
      "The follow-mode parameter names (the follow CLI's long flags without --).");
  m.def("follow_defaults", [] { return mc::followParameters(mc::FollowOptions{}); },
        "(name, value) text of every follow parameter's default.");
}
