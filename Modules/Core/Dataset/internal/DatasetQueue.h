#pragma once
// The launcher's side of a dataset run, whichever backend runs its runs: the book of what ended
// (the summary TSV rewritten after every run, so a killed batch leaves an up-to-date table), the
// progress the caller sees (counts, time left), and the MPI queue's launcher.
#include <chrono>
#include <cstdint>
#include <vector>

#include "DatasetRun.h"

namespace mc {

class DatasetQueueBook {
public:
  // Reports "started" at once.
  DatasetQueueBook(const DatasetOptions& options, const std::vector<BidsRun>& runs, const DatasetCallback& progress);
  // A run ended: it is recorded, the summary rewritten, the caller told.
  void finished(DatasetRunResult result);
  // A frame of a run in flight (in-process); answers Abort once the caller asked to stop.
  CallbackReturn frame(const BidsRun& run, const ProgressEvent& event);
  bool cancelled() const { return cancelled_; }
  void cancel() { cancelled_ = true; }
  // Writes the final summary (and report) and returns the result, runs in relative-path order.
  DatasetResult close();

private:
  DatasetProgress snapshot() const;
  void writeSummary();

  const DatasetOptions& options_;
  DatasetCallback progress_;
  int total_;
  std::uintmax_t totalBytes_ = 0, endedBytes_ = 0, correctedBytes_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point firstCorrectedStart_{};
  double correctedSeconds_ = 0;
  std::vector<DatasetRunResult> ended_;
  bool cancelled_ = false;
};

// Runs every run under mpirun: ranks take them from a shared queue in `runs`' order (the MPI
// worker's --dataset mode) and the book hears of each as it ends. A cancel from the book's caller
// stops the job (runs in flight are lost). Throws std::runtime_error when mpirun fails to start
// or the job dies; the runs that ended before are in the book.
void runDatasetQueueWithMpi(const DatasetOptions& options, const std::vector<BidsRun>& runs, DatasetQueueBook& book);

}  // namespace mc
