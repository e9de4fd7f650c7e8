#pragma once
// The runs of a BIDS dataset: every sub-*/[ses-*/]func/*_bold.nii[.gz], with its entities, chosen
// the way BIDS apps choose (--participant-label, --task). Only names are read, and each file's
// header for its size; derivatives/, sourcedata/, code/ and hidden folders are not searched.
#include <cstdint>
#include <string>
#include <vector>

namespace mc {

struct BidsRun {
  std::string input;         // the file, as found under the root
  std::string relativePath;  // from the dataset root: sub-01/ses-1/func/sub-01_ses-1_task-rest_run-1_bold.nii.gz
  std::string stem;          // the file name without "_bold.nii[.gz]": sub-01_ses-1_task-rest_run-1
  std::string extension;     // ".nii.gz" or ".nii"
  std::string subject, session, task, run;  // entity labels without their key ("01"); "" when absent
  std::uintmax_t bytes = 0;  // file size: the queue's measure of a run's work
};

// Labels as BIDS apps take them: "01" or "sub-01" (the key is optional); empty: all.
struct BidsSelection {
  std::vector<std::string> participants;
  std::vector<std::string> tasks;
};

// Every run under `root` the selection keeps, sorted by relative path. Throws std::invalid_argument
// with one line when root is not a folder, a selected participant or task does not exist in it,
// or no run is left.
std::vector<BidsRun> findBidsRuns(const std::string& root, const BidsSelection& selection = {});

// The run at `relativePath` under root (its entities from the file name); throws
// std::invalid_argument when the name is not a BIDS bold file name. findBidsRuns' rows are this.
BidsRun bidsRunAt(const std::string& root, const std::string& relativePath);

// Largest first (bytes, then relative path): the order a queue of ranks takes them in, so that the
// last run to finish is a small one.
void sortLargestFirst(std::vector<BidsRun>& runs);

}  // namespace mc
