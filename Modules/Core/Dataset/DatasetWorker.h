#pragma once
// The MPI worker's side of a dataset run (MotionCorrectionMPI --dataset FILE): the job's text, and
// the loop each rank runs. The queue itself (which rank takes which run next) is the worker's,
// since it needs MPI; this library does not link MPI.
//
// Each rank prints one JSON object per line for the launcher:
//   {"event":"run-started","index":3,"rank":1}
//   {"event":"run","index":3,"rank":1,"status":"done","seconds":2.1,"reason":"", "motion":{...}}
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "DatasetRun.h"

namespace mc {

struct DatasetJob {
  DatasetOptions options;      // bids/derivatives roots, threshold, resume, the job template
  std::vector<BidsRun> runs;   // in queue order (largest first)
};

std::string formatDatasetJob(const DatasetOptions& options, const std::vector<BidsRun>& runs);
// Throws std::runtime_error naming `source` and the line.
DatasetJob parseDatasetJob(const std::string& text, const std::string& source);

// Takes run indices from nextRun() until one is past the end, corrects each with
// correctDatasetRun and sends its lines through `send` (whole lines, without newline).
void workDatasetQueue(const DatasetJob& job, int rank, const std::function<int()>& nextRun,
                      const std::function<void(const std::string&)>& send);

// The launcher's reading of one line: a run that started or ended, or nothing for other output.
struct DatasetWorkerMessage {
  bool ended = false;  // false: "run-started"
  int index = -1;
  DatasetRunResult result;  // ended: status, reason, seconds, rank, motion (run is the caller's to fill)
};
std::optional<DatasetWorkerMessage> parseDatasetWorkerMessage(const std::string& line);

}  // namespace mc
