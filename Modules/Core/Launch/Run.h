#pragma once
// The one entry point of every backend. The CLI, the Qt engine, Python and the Slicer logic fill a
// RunRequest and call mc::run; which backend runs it, and how, is decided here only. Cancel goes
// through the progress callback (answer Abort) for every backend.
#include <memory>
#include <string>

#include "Backend.h"
#include "FrameExecutor.h"
#include "MotionCorrectionJob.h"
#include "MpiLaunch.h"
#include "Progress.h"
#include "VolumeSeries.h"

namespace mc {

struct RunRequest {
  JobSpec spec;                        // what to do; spec.threads: threads (per rank under MPI)
  Backend backend = Backend::Threads;
  MpiOptions mpi;                      // used by Backend::Mpi; mpi.ranks is the table's "mpi-ranks"
  // Given: this run is corrected instead of reading spec.input (which may then be empty); the
  // Slicer logic and Python hand their voxels over this way. Under MPI it is written to a private
  // temporary NIfTI (float32) for the worker and removed afterwards.
  std::shared_ptr<const VolumeSeries> inputRun;
  // The result carries the realigned run and the mean image in memory (JobResult::realigned/mean),
  // whether or not they are also written to files. Counts as an output for validate().
  bool keepImages = false;

  // Throws std::invalid_argument with one line naming the parameter: the spec's own checks, an
  // input (spec.input or inputRun), at least one output (a file, or keepImages), the MPI options.
  void validate() const;
};

// Runs the request and waits. `executor` runs the frames of the in-process backends (the Qt engine
// passes its thread pool's); null: the backend's own (Serial: one thread; Threads: spec.threads).
// Throws Cancelled when the callback answered Abort, std::invalid_argument for a bad request,
// std::runtime_error (one line naming the file or the failing rank) for everything else.
// Under MPI the result holds what the worker reports: parameters, framewise displacement, written
// paths, warnings, timings; motion.frames[i].transform is rebuilt from the parameters (spmMatrix),
// iterations are 0, and displacement is filled only when inputRun was given. With keepImages the
// images are read back from the worker's files (a private temporary folder unless the request
// writes them itself; with keepDataType those are rounded to the input's type).
JobResult run(const RunRequest& request, const ProgressCallback& progress = {}, FrameExecutor* executor = nullptr);

// "" when the backend can run here, else a one-line reason ("MPI backend not built: ...").
std::string backendUnavailableReason(Backend backend, const MpiOptions& mpi = {});

}  // namespace mc
