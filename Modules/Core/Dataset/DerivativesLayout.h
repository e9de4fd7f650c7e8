#pragma once
// Where a run's outputs go in a BIDS-derivatives folder: the run's relative folder under the
// derivatives root, named after the input:
//   sub-01/func/sub-01_task-rest_desc-realigned_bold.nii.gz    (not with estimate-only)
//   sub-01/func/sub-01_task-rest_desc-mean_boldref.nii.gz      (not with estimate-only)
//   sub-01/func/rp_sub-01_task-rest_bold.txt                   (SPM's name)
//   sub-01/func/sub-01_task-rest_desc-confounds_timeseries.tsv
//   sub-01/func/sub-01_task-rest_desc-confounds_timeseries.json (columns, provenance: RunProvenance.h)
// and at the root dataset_description.json, motion_summary.tsv and motion_report.html.
#include <string>

#include "BidsRuns.h"
#include "JobSpec.h"

namespace mc {

struct RunOutputs {
  std::string folder;  // created by derivativesJob
  std::string realigned, mean, parameters, confounds, confoundsSidecar;
};

RunOutputs runOutputs(const BidsRun& run, const std::string& derivativesRoot, bool estimateOnly);

// `templ` (estimation, reslicing, threads, estimate-only) with the run's input and outputs filled
// in; transforms are not written.
JobSpec derivativesJob(const BidsRun& run, const std::string& derivativesRoot, const JobSpec& templ);

constexpr const char* kDatasetSummaryName = "motion_summary.tsv";
constexpr const char* kDatasetReportName = "motion_report.html";

// dataset_description.json of the derivatives (DatasetType "derivative", GeneratedBy with this
// program's name and version, SourceDatasets naming the raw dataset), written atomically. An
// existing one is kept when it already names this pipeline; otherwise an existing file is not ours
// and std::runtime_error says so (a derivatives folder is not shared between pipelines).
void writeDatasetDescription(const std::string& derivativesRoot, const std::string& bidsRoot);

}  // namespace mc
