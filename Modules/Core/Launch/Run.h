#pragma once
// The one entry point of every backend. The CLI, the Qt engine, Python and the Slicer logic fill a
// RunRequest and call mc::run; which backend runs it, and how, is decided here only. Cancel goes
// through the progress callback (answer Abort) for every backend.
#include <memory>
#include <string>

#include "FrameExecutor.h"
#include "MotionCorrectionJob.h"
#include "MpiLaunch.h"
#include "Progress.h"
#include "VolumeSeries.h"

namespace mc {

enum class Backend { Serial, Threads, Mpi };

// "serial", "threads", "mpi".
const char* backendName(Backend backend);
// Throws std::invalid_argument("--backend: expected serial, threads or mpi, got 'x'").
Backend parseBackend(const std::string& text);

struct RunRequest {
  JobSpec spec;                        // what to do; spec.threads: threads (per rank under MPI)
  Backend backend = Backend::Threads;
  MpiOptions mpi;                      // used by Backend::Mpi
  // Given: this run is corrected instead of reading spec.input (which may then be empty); the
  // Slicer logic and Python hand their voxels over this way.
  std::shared_ptr<const VolumeSeries> inputRun;
  // The result carries the realigned run and the mean image in memory (JobResult::realigned/mean),
  // whether or not they are also written to files.
  bool keepImages = false;

  // Throws std::invalid_argument with one line naming the parameter: the spec's own checks, an
  // input (spec.input or inputRun), at least one output (a file, or keepImages), the MPI options.
  void validate() const;
};

// Runs the request and waits. `executor` runs the frames of the in-process backends (the Qt engine
// passes its thread pool's); null: the backend's own (Serial: one thread; Threads: spec.threads).
// Throws Cancelled when the callback answered Abort, std::invalid_argument for a bad request,
// std::runtime_error (one line naming the file or the failing rank) for everything else.
JobResult run(const RunRequest& request, const ProgressCallback& progress = {}, FrameExecutor* executor = nullptr);

// "" when the backend can run here, else a one-line reason ("MPI backend not built: ...").
std::string backendUnavailableReason(Backend backend, const MpiOptions& mpi = {});

}  // namespace mc
