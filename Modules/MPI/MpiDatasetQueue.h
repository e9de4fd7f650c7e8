#pragma once
// The worker's --dataset mode: every rank takes whole runs from one queue (a counter on rank 0,
// read and advanced with MPI's one-sided fetch-and-add, so no rank serves the others and rank 0
// corrects runs too) and corrects each on its own OpenMP threads.
#include <functional>
#include <string>

#include "MpiCollective.h"

namespace mc {

// Rank 0 reads the dataset job (DatasetWorker.h) and shares it; `send` prints one line. Returns
// the exit status; a job file rank 0 cannot read is a SharedFailure on every rank.
int runDatasetQueue(MpiCollective& collective, const std::string& jobPath,
                    const std::function<void(const std::string&)>& send);

}  // namespace mc
