// _motioncorrection.correct_dataset: mc::runDataset with the GIL released. The job template comes
// from the same parameter table as realign_file (runRequestFrom), so a keyword means the same thing
// for one run and for a dataset. After each finished run a Python callable gets the progress as a
// dict, the GIL taken only for that call; it answering False (or raising), or Ctrl-C, stops the
// dataset: the finished runs stay, the result says cancelled, and an exception is re-raised.
#include "MotionCorrectionDatasetPython.h"

#include <pybind11/stl.h>

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "DatasetRun.h"
#include "DerivativesLayout.h"
#include "RunParameters.h"

namespace py = pybind11;

namespace {

py::dict runDict(const mc::DatasetRunResult& r, const std::string& derivativesRoot, bool estimateOnly) {
  py::dict d;
  d["input"] = r.run.input;
  d["relative_path"] = r.run.relativePath;
  d["stem"] = r.run.stem;
  d["subject"] = r.run.subject;
  d["session"] = r.run.session;
  d["task"] = r.run.task;
  d["run"] = r.run.run;
  d["status"] = std::string(mc::runStatusName(r.status));
  d["reason"] = r.reason;
  d["frames"] = r.motion.frames;
  d["repetition_time"] = r.motion.repetitionTime;
  d["mean_fd"] = r.motion.meanFd;
  d["max_fd"] = r.motion.maxFd;
  d["frames_over"] = r.motion.framesOver;
  d["minutes_over"] = r.motion.minutesOver;
  d["max_translation"] = r.motion.maxTranslation;
  d["max_rotation"] = r.motion.maxRotation;
  d["seconds"] = r.seconds;
  d["rank"] = r.rank;
  // Where the derivatives are (or would be): the one naming rule, DerivativesLayout.h.
  const mc::RunOutputs o = mc::runOutputs(r.run, derivativesRoot, estimateOnly);
  py::dict outputs;
  outputs["folder"] = o.folder;
  outputs["realigned"] = o.realigned;
  outputs["mean"] = o.mean;
  outputs["parameters"] = o.parameters;
  outputs["confounds"] = o.confounds;
  outputs["confounds_sidecar"] = o.confoundsSidecar;
  d["outputs"] = outputs;
  return d;
}

// Calls into Python from whichever thread runDataset reports on; keeps the first exception.
class DatasetBridge {
public:
  DatasetBridge(py::object onRun, std::string derivativesRoot, bool estimateOnly)
      : onRun_(std::move(onRun)), derivativesRoot_(std::move(derivativesRoot)), estimateOnly_(estimateOnly) {}

  mc::DatasetCallback callback() {
    return [this](const mc::DatasetProgress& p) { return onProgress(p); };
  }

  // With the GIL held, after runDataset returned.
  void raiseIfFailed() {
    if (!type_) return;
    PyErr_Restore(type_.release().ptr(), value_.release().ptr(), trace_.release().ptr());
    throw py::error_already_set();
  }

private:
  mc::CallbackReturn onProgress(const mc::DatasetProgress& p) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopped_) return mc::CallbackReturn::Abort;
    py::gil_scoped_acquire gil;
    try {
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
      // The start ("latest" null) is not a finished run: on_run sees runs only.
      if (p.latest == nullptr || onRun_.is_none()) return mc::CallbackReturn::Continue;
      py::dict d;
      d["total"] = p.total;
      d["done"] = p.done;
      d["skipped"] = p.skipped;
      d["failed"] = p.failed;
      d["elapsed_seconds"] = p.elapsedSeconds;
      d["remaining_seconds"] = p.remainingSeconds < 0 ? py::object(py::none()) : py::float_(p.remainingSeconds);
      d["run"] = runDict(*p.latest, derivativesRoot_, estimateOnly_);
      py::object answer = onRun_(d);
      if (answer.is_none() || answer.cast<bool>()) return mc::CallbackReturn::Continue;
    } catch (py::error_already_set& e) {
      type_ = e.type();
      value_ = e.value();
      trace_ = e.trace();
    }
    stopped_ = true;
    return mc::CallbackReturn::Abort;
  }

  py::object onRun_;
  std::string derivativesRoot_;
  bool estimateOnly_;
  py::object type_, value_, trace_;
  bool stopped_ = false;
  std::mutex mutex_;  // MPI ranks' runs may end on different reader threads
};

py::dict correctDataset(const std::string& bidsRoot, const std::string& derivativesRoot,
                        const std::vector<std::string>& participants, const std::vector<std::string>& tasks,
                        double fdThreshold, bool resume, bool report,
                        const std::vector<std::pair<std::string, std::string>>& parameters, py::object onRun) {
  // Throws std::invalid_argument ("--name: problem") for a bad keyword value: ValueError.
  const mc::RunRequest request = mc::runRequestFrom(parameters);
  mc::DatasetOptions options;
  options.bidsRoot = bidsRoot;
  options.derivativesRoot = derivativesRoot;
  options.selection.participants = participants;
  options.selection.tasks = tasks;
  options.job = request.spec;
  options.fdThreshold = fdThreshold;
  options.resume = resume;
  options.report = report;
  options.backend = request.backend;
  options.mpi = request.mpi;
  // Python keeps its own SIGINT handler: Ctrl-C is seen by the bridge and stops the dataset.
  options.mpi.forwardSignals = false;
  options.validate();

  DatasetBridge bridge(std::move(onRun), derivativesRoot, options.job.estimateOnly);
  mc::DatasetResult r;
  {
    py::gil_scoped_release release;
    r = mc::runDataset(options, bridge.callback());
  }
  bridge.raiseIfFailed();
  py::list runs;
  for (const auto& run : r.runs) runs.append(runDict(run, derivativesRoot, options.job.estimateOnly));
  py::dict d;
  d["runs"] = runs;
  d["summary_path"] = r.summaryPath;
  d["report_path"] = r.reportPath;
  d["cancelled"] = r.cancelled;
  return d;
}

}  // namespace

void addDatasetBinding(py::module_& m) {
  m.def("correct_dataset", &correctDataset, py::arg("bids_dir"), py::arg("derivatives_dir"), py::arg("participants"),
        py::arg("tasks"), py::arg("fd_threshold"), py::arg("resume"), py::arg("report"), py::arg("parameters"),
        py::arg("on_run"), "Corrects a BIDS dataset (mc::runDataset); see motioncorrection.correct_dataset.");
}
