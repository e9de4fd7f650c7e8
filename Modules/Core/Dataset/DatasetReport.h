#pragma once
// motion_report.html: the dataset on one static page (no server; opens from disk). A table of
// every run, sortable by column; per run the motion plots (SVG) and the mean image before and after
// realignment; the mean FD per subject.
#include <string>
#include <vector>

#include "DatasetRun.h"

namespace mc {

// Written atomically to derivativesRoot/motion_report.html; returns the path. Reads each run's
// confounds TSV and mean images from the derivatives folder and its input for the mean before.
std::string writeDatasetReport(const std::string& derivativesRoot, const std::vector<DatasetRunResult>& runs,
                               double fdThreshold);

}  // namespace mc
