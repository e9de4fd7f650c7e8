#pragma once
// motion_summary.tsv: one row per run of the dataset, what the report's table shows and what a
// script reads to find the failed runs.
//   run  subject  session  task  status  frames  tr  mean_fd  max_fd  frames_over  minutes_over
//   max_translation_mm  max_rotation_deg  seconds  reason
// (run is the input's path relative to the BIDS root; n/a for what a failed run does not have).
#include <string>
#include <vector>

#include "DatasetRun.h"

namespace mc {

std::string formatDatasetSummary(const std::vector<DatasetRunResult>& runs, double fdThreshold);
// Throws std::runtime_error naming the file and line.
std::vector<DatasetRunResult> readDatasetSummary(const std::string& path);

}  // namespace mc
