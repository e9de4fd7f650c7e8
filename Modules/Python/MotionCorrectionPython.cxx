// The compiled half of the `motioncorrection` Python module: runs mc::run (any backend, MPI included)
// on a NumPy array or a file with the GIL released, and hands the JobResult back as NumPy arrays. Keyword
// handling, array checks and the result class live in motioncorrection/__init__.py.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "ImageIO.h"
#include "MotionCorrectionDatasetPython.h"
#include "MotionCorrectionFollowPython.h"
#include "Run.h"
#include "RunParameters.h"

namespace py = pybind11;

namespace {

using ParameterList = std::vector<std::pair<std::string, std::string>>;

// The request the keywords describe (through the parameter table); the result always carries the
// images, which Python returns as arrays.
mc::RunRequest requestFrom(const ParameterList& parameters) {
  mc::RunRequest request = mc::runRequestFrom(parameters);
  request.keepImages = true;
  // Python keeps its own SIGINT handler: Ctrl-C is seen by the progress bridge and stops the run.
  request.mpi.forwardSignals = false;
  return request;
}

// Bridges engine progress events (arriving on OpenMP worker threads, serialized by the engine) to a
// Python callable. The GIL is taken only here. An exception raised by the callable, a False answer
// or a pending Ctrl-C turns into CallbackReturn::Abort; the exception is kept and re-raised on the
// calling thread once the engine has unwound.
class ProgressBridge {
public:
  explicit ProgressBridge(py::object callable) : callable_(std::move(callable)) {}

  mc::ProgressCallback callback() {
    return [this](const mc::ProgressEvent& e) { return onEvent(e); };
  }

  // Called with the GIL held, after the engine threw mc::Cancelled.
  [[noreturn]] void raiseStoredOrCancelled(py::handle cancelledType) {
    if (type_) {
      PyErr_Restore(type_.release().ptr(), value_.release().ptr(), trace_.release().ptr());
      throw py::error_already_set();
    }
    PyErr_SetString(cancelledType.ptr(), "motion correction cancelled by the progress callback");
    throw py::error_already_set();
  }

private:
  mc::CallbackReturn onEvent(const mc::ProgressEvent& e) {
    // Stage-level events (frame -1) are not per-frame work; the Python callback sees frames only.
    std::lock_guard<std::mutex> lock(mutex_);
    // The engine may still report frames that were in flight when the run was stopped (mean and
    // reslice stages); the callable is not called again once it asked to stop.
    if (aborted_) return mc::CallbackReturn::Abort;
    py::gil_scoped_acquire gil;
    try {
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
      if (e.frame < 0 || callable_.is_none()) return mc::CallbackReturn::Continue;
      py::object answer = callable_(mc::stageName(e.stage), e.frame, e.fraction);
      if (!answer.is_none() && !answer.cast<bool>()) {
        aborted_ = true;
        return mc::CallbackReturn::Abort;
      }
      return mc::CallbackReturn::Continue;
    } catch (py::error_already_set& err) {
      aborted_ = true;
      type_ = err.type();
      value_ = err.value();
      trace_ = err.trace();
      return mc::CallbackReturn::Abort;
    } catch (const std::exception& err) {
      aborted_ = true;
      type_ = py::reinterpret_borrow<py::object>(PyExc_RuntimeError);
      value_ = py::str(std::string("progress callback: ") + err.what());
      trace_ = py::none();
      return mc::CallbackReturn::Abort;
    }
  }

  py::object callable_;
  py::object type_, value_, trace_;
  bool aborted_ = false;
  std::mutex mutex_;
};

// A NumPy array that owns a moved-in std::vector<float>: the engine's output is not copied.
py::array_t<float> arrayOwning(std::vector<float>&& voxels, const std::vector<py::ssize_t>& shape) {
  auto* owned = new std::vector<float>(std::move(voxels));
  py::capsule free(owned, [](void* p) { delete static_cast<std::vector<float>*>(p); });
  // Fortran order: x fastest, as the core (and nibabel) lay voxels out.
  std::vector<py::ssize_t> strides(shape.size());
  py::ssize_t step = sizeof(float);
  for (std::size_t i = 0; i < shape.size(); ++i) {
    strides[i] = step;
    step *= shape[i];
  }
  return py::array_t<float>(shape, strides, owned->data(), free);
}

py::array_t<double> matrixArray(const mc::Matrix4& m) {
  py::array_t<double> a({4, 4});
  std::memcpy(a.mutable_data(), m.m.data(), 16 * sizeof(double));
  return a;
}

py::dict resultDict(mc::JobResult&& r, bool resliced) {
  const py::ssize_t n = py::ssize_t(r.parameters.size());
  py::array_t<double> parameters({n, py::ssize_t(6)});
  py::array_t<double> matrices({n, py::ssize_t(4), py::ssize_t(4)});
  py::array_t<double> fd(n), dispMean(n), dispMax(n);
  py::array_t<int> iterations(n);
  // Under MPI from a file the run is not in this process: no displacement (NaN), see mc::run.
  const bool hasDisplacement = py::ssize_t(r.displacement.size()) == n;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (py::ssize_t j = 0; j < n; ++j) {
    for (int k = 0; k < 6; ++k) parameters.mutable_at(j, k) = r.parameters[j][k];
    std::memcpy(matrices.mutable_data(j, 0, 0), r.motion.frames[j].transform.m.data(), 16 * sizeof(double));
    fd.mutable_at(j) = j < py::ssize_t(r.framewiseDisplacement.size()) ? r.framewiseDisplacement[j] : 0.0;
    dispMean.mutable_at(j) = hasDisplacement ? r.displacement[j].mean : nan;
    dispMax.mutable_at(j) = hasDisplacement ? r.displacement[j].max : nan;
    iterations.mutable_at(j) = r.motion.frames[j].iterations;
  }
  py::dict d;
  d["parameters"] = parameters;
  d["matrices"] = matrices;
  d["fd"] = fd;
  d["displacement_mean"] = dispMean;
  d["displacement_max"] = dispMax;
  d["iterations"] = iterations;
  d["sample_points"] = r.motion.samplePoints;
  d["warnings"] = r.warnings;
  d["damaged_frames"] = mc::frameNumbers(r.damagedFrames);
  d["written"] = r.written;
  py::dict timings;
  timings["read"] = r.readSeconds;
  timings["estimate"] = r.estimateSeconds;
  timings["reslice"] = r.resliceSeconds;
  timings["write"] = r.writeSeconds;
  d["timings"] = timings;
  if (resliced) {
    const auto& g = r.realigned.geometry;
    d["affine"] = matrixArray(g.voxelToWorld);
    d["repetition_time"] = r.realigned.repetitionTime;
    const int frames = r.realigned.frameCount;
    d["resliced"] = arrayOwning(std::move(r.realigned.voxels), {g.size[0], g.size[1], g.size[2], frames});
    d["mean"] = arrayOwning(std::move(r.mean.voxels), {g.size[0], g.size[1], g.size[2]});
  } else {
    d["affine"] = py::none();
    d["repetition_time"] = py::none();
    d["resliced"] = py::none();
    d["mean"] = py::none();
  }
  return d;
}

mc::StoredType storedTypeNamed(const std::string& name) {
  if (name == "uint8") return mc::StoredType::UInt8;
  if (name == "int8") return mc::StoredType::Int8;
  if (name == "uint16") return mc::StoredType::UInt16;
  if (name == "int16") return mc::StoredType::Int16;
  if (name == "uint32") return mc::StoredType::UInt32;
  if (name == "int32") return mc::StoredType::Int32;
  if (name == "float64") return mc::StoredType::Float64;
  return mc::StoredType::Float32;
}

// Runs the request with the GIL released; turns Cancelled into the callback's exception or ours.
py::dict runReleased(const mc::RunRequest& request, py::object progress, py::handle cancelledType) {
  ProgressBridge bridge(std::move(progress));
  mc::JobResult result;
  try {
    py::gil_scoped_release release;
    result = mc::run(request, bridge.callback());
  } catch (const mc::Cancelled&) {
    bridge.raiseStoredOrCancelled(cancelledType);
  }
  return resultDict(std::move(result), !request.spec.estimateOnly);
}

py::dict runArray(py::array data, py::array affine, const std::string& storedType, double repetitionTime,
                  const ParameterList& parameters, py::object progress, py::handle cancelledType) {
  // The Python side has already validated and converted; these checks only guard the memory layout.
  if (data.ndim() != 4 || !py::isinstance<py::array_t<float>>(data) ||
      !(data.flags() & py::array::f_style))
    throw py::value_error("internal: data must be a 4D float32 Fortran-ordered array");
  if (affine.ndim() != 2 || affine.shape(0) != 4 || affine.shape(1) != 4 || !py::isinstance<py::array_t<double>>(affine) ||
      !(affine.flags() & py::array::c_style))
    throw py::value_error("internal: affine must be a 4x4 float64 C-ordered array");

  mc::RunRequest request = requestFrom(parameters);
  auto run = std::make_shared<mc::VolumeSeries>();
  mc::ImageGeometry g;
  for (int k = 0; k < 3; ++k) g.size[k] = int(data.shape(k));
  std::memcpy(g.voxelToWorld.m.data(), affine.data(), 16 * sizeof(double));
  run->allocate(g, int(data.shape(3)));
  run->storedType = storedTypeNamed(storedType);
  run->repetitionTime = repetitionTime;
  std::memcpy(run->voxels.data(), data.data(), run->voxels.size() * sizeof(float));
  request.inputRun = std::move(run);
  return runReleased(request, std::move(progress), cancelledType);
}

py::dict runFile(const ParameterList& parameters, py::object progress, py::handle cancelledType) {
  return runReleased(requestFrom(parameters), std::move(progress), cancelledType);
}

}  // namespace

PYBIND11_MODULE(_motioncorrection, m) {
  m.doc() = "Compiled core of the motioncorrection module; use the motioncorrection package instead.";

  static py::exception<mc::Cancelled> cancelled(m, "Cancelled", PyExc_RuntimeError);
  // IO failures are OSError (FileNotFoundError and friends are its subclasses in Python's view).
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const mc::ImageIOError& e) {
      PyErr_SetString(PyExc_OSError, e.what());
    } catch (const mc::Cancelled& e) {
      PyErr_SetString(cancelled.ptr(), e.what());
    }
  });

  m.def(
      "parameter_names",
      [] {
        std::vector<std::string> names;
        for (const auto& e : mc::parameterTable()) names.push_back(e.name);
        return names;
      },
      "The parameter table's names (CLI long flags without --), backend and mpi-ranks included.");
  m.def("default_parameters", [] { return mc::runParameters(mc::RunRequest{}); },
        "(name, value) text of every parameter's default, in the table's order.");
  m.def(
      "run_array",
      [](py::array data, py::array affine, const std::string& storedType, double repetitionTime,
         const ParameterList& parameters, py::object progress) {
        return runArray(data, affine, storedType, repetitionTime, parameters, std::move(progress), cancelled);
      },
      py::arg("data"), py::arg("affine"), py::arg("stored_type"), py::arg("repetition_time"), py::arg("parameters"),
      py::arg("progress"));
  m.def(
      "run_file",
      [](const ParameterList& parameters, py::object progress) {
        return runFile(parameters, std::move(progress), cancelled);
      },
      py::arg("parameters"), py::arg("progress"));
  addFollowBinding(m);
  addDatasetBinding(m);
}
