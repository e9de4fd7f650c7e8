#pragma once
// One whole motion correction: read the run, estimate, reslice, write outputs atomically. This is what
// the CLI, the Python module and the Qt engine's serial path call.
#include <string>
#include <vector>

#include "Collective.h"
#include "FrameExecutor.h"
#include "JobSpec.h"
#include "MotionMetrics.h"
#include "Progress.h"
#include "RealignmentOptions.h"
#include "Realigner.h"
#include "VolumeSeries.h"

namespace mc {

// One rank's share of an MPI run's wall time. `read` is rank 0's reading plus sharing the run (the
// others wait for it); `communication` is the time inside MPI calls, waiting for slower ranks included.
struct RankSeconds {
  double read = 0, estimate = 0, reslice = 0, write = 0, communication = 0;
};

struct JobResult {
  MotionEstimate motion;
  std::vector<RigidParameters> parameters;
  std::vector<double> framewiseDisplacement;
  std::vector<DisplacementStats> displacement;  // per frame, relative to the reference
  std::vector<std::string> written;
  std::vector<std::string> warnings;
  // Frames with NaN/Inf voxels or no signal (see DamagedFrame), in frame order: left out of the
  // reference and the mean, the confounds TSV's motion outliers. Empty when every frame is usable.
  std::vector<DamagedFrame> damagedFrames;
  double readSeconds = 0, estimateSeconds = 0, resliceSeconds = 0, writeSeconds = 0;
  std::vector<RankSeconds> rankSeconds;  // MPI backend: per rank, in rank order; else empty
  VolumeSeries realigned;  // filled when reslicing ran
  Volume mean;
};

// Fills parameters, framewise displacement and per-frame displacement from r.motion.
void summarizeMotion(JobResult& r, const VolumeSeries& run, int referenceFrame);
// Each frame's displacement over the head of the reference frame, relative to that frame.
std::vector<DisplacementStats> frameDisplacements(const std::vector<FrameMotion>& frames, const VolumeSeries& run,
                                                  int referenceFrame);
// Whether the result carries the realigned run and the mean in memory. Without, the realigned run
// goes from the reslicer to the file frame by frame and is never held whole (peak memory about the
// input alone).
enum class KeepImages { No, Yes };

// Runs the job on an already loaded run (Python passes arrays); outputs named in spec are written.
// Over several ranks (the MPI worker) every rank passes the whole run and the same spec and reports
// its own frames to its own `progress`; rank 0 reads the weight image and writes the outputs, and its
// result is the job's (another rank's holds the motions but no images and no files). A failure of
// rank 0's checks (weight image, a run that cannot be estimated) throws SharedFailure on every rank.
JobResult runMotionCorrection(const JobSpec& spec, VolumeSeries run, FrameExecutor& executor,
                              const ProgressCallback& progress = {}, Collective& collective = localCollective(),
                              KeepImages keep = KeepImages::Yes);
// Reads spec.input first (on rank 0, which shares the run with the others).
JobResult runMotionCorrection(const JobSpec& spec, FrameExecutor& executor, const ProgressCallback& progress = {},
                              Collective& collective = localCollective(), KeepImages keep = KeepImages::Yes);

}  // namespace mc
