#pragma once
// A whole BIDS dataset corrected run by run into a derivatives folder: the one path every face
// takes (MotionCorrectionDataset, Python, the app; the MPI worker's ranks run each of their runs
// through correctDatasetRun). A failing run is recorded and the others go on; a run whose outputs
// are already complete for the same input and parameters is skipped (resume).
#include <functional>
#include <string>
#include <vector>

#include "Backend.h"
#include "BidsRuns.h"
#include "JobSpec.h"
#include "MpiLaunch.h"
#include "Progress.h"
#include "RunMotionSummary.h"

namespace mc {

struct DatasetOptions {
  std::string bidsRoot;
  std::string derivativesRoot;
  BidsSelection selection;
  JobSpec job;                // the template: estimation, reslicing, estimate-only, threads per run
  double fdThreshold = 0.5;   // mm: the table's frames and minutes over
  bool resume = true;         // skip runs complete for the same input and parameters
  bool report = true;         // write motion_report.html at the end
  // Backend::Mpi: ranks take runs from a shared queue (largest first), each running its run on
  // mpi.threadsPerRank threads; mpi.ranks, hostfile, hosts as for one run. Else runs one after the
  // other in this process, each on job.threads threads.
  Backend backend = Backend::Threads;
  MpiOptions mpi;

  // Throws std::invalid_argument with one line (the folders, the threshold, the job template).
  void validate() const;
};

enum class RunStatus { Done, Skipped, Failed };
const char* runStatusName(RunStatus s);  // "done", "skipped", "failed"

struct DatasetRunResult {
  BidsRun run;
  RunStatus status = RunStatus::Failed;
  std::string reason;          // Failed: one line (the file and the problem)
  RunMotionSummary motion;     // Done and Skipped
  double seconds = 0;          // wall time of this run's correction (0 when skipped)
  int rank = 0;                // the MPI rank that ran it
};

struct DatasetProgress {
  int total = 0, done = 0, skipped = 0, failed = 0;  // done counts Done only
  double elapsedSeconds = 0;
  double remainingSeconds = -1;    // estimate for the whole dataset; -1 until a run was corrected
  const DatasetRunResult* latest = nullptr;  // the run that just ended, else null
  const BidsRun* current = nullptr;           // in-process: the run in flight, with `frame`
  const ProgressEvent* frame = nullptr;       // in-process: a frame of `current` just finished a stage
};
// Called once at the start, after every run and (in-process) for every frame of the run in flight;
// Abort stops: runs in flight are cancelled and lost (their outputs not committed), the finished
// ones stay, the summary is written.
using DatasetCallback = std::function<CallbackReturn(const DatasetProgress&)>;

struct DatasetResult {
  std::vector<DatasetRunResult> runs;  // in relative-path order
  std::string summaryPath, reportPath;
  bool cancelled = false;
  int count(RunStatus s) const;
};

// Corrects the dataset and waits. Throws std::invalid_argument for bad options or a dataset with no
// selected run, std::runtime_error when the derivatives folder cannot be written; a run's failure is
// a row of the result, not an exception.
DatasetResult runDataset(const DatasetOptions& options, const DatasetCallback& progress = {});

// One run, in this process, on `spec.threads` threads: skipped when complete (options.resume),
// else corrected, its sidecar written last (so that its presence means the run is complete).
// `progress` gets the run's own frames (Abort cancels it: Cancelled is thrown). Never throws for a
// failing run: the result says Failed and why.
DatasetRunResult correctDatasetRun(const BidsRun& run, const DatasetOptions& options,
                                   const ProgressCallback& progress = {});

// The report again from motion_summary.tsv (the BIDS-app "group" level): each row's run at its
// place under options.bidsRoot. Returns the report's path. Throws std::runtime_error naming the
// summary when it is missing or malformed.
std::string writeReportFromSummary(const DatasetOptions& options);

}  // namespace mc
