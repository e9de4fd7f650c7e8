#include "MpiDatasetQueue.h"

#include <mpi.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "DatasetWorker.h"

namespace mc {

namespace {

// The shared queue's head: an int on rank 0 that every rank advances by one to take the next run.
class RunCounter {
public:
  explicit RunCounter(bool owner) {
    MPI_Win_allocate(owner ? MPI_Aint(sizeof(int)) : 0, sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD, &base_, &win_);
    if (owner) {
      MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win_);
      *base_ = 0;
      MPI_Win_unlock(0, win_);
    }
    MPI_Barrier(MPI_COMM_WORLD);  // nobody takes a run before the counter is 0
  }
  ~RunCounter() { MPI_Win_free(&win_); }  // collective: every rank is done taking runs
  int next() {
    const int one = 1;
    int taken = 0;
    MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win_);
    MPI_Fetch_and_op(&one, &taken, MPI_INT, 0, 0, MPI_SUM, win_);
    MPI_Win_unlock(0, win_);
    return taken;
  }

private:
  int* base_ = nullptr;
  MPI_Win win_ = MPI_WIN_NULL;
};

}  // namespace

int runDatasetQueue(MpiCollective& c, const std::string& jobPath, const std::function<void(const std::string&)>& send) {
  std::string text;
  runOnRoot(c, [&] {
    std::ifstream in(jobPath, std::ios::binary);
    if (!in) throw std::runtime_error(jobPath + ": cannot open the dataset job file");
    std::ostringstream s;
    s << in.rdbuf();
    text = s.str();
    parseDatasetJob(text, jobPath);  // checked once, where its errors can be reported
  });
  broadcastString(c, text, 0);
  const DatasetJob job = parseDatasetJob(text, jobPath);
  RunCounter counter(c.isRoot());
  workDatasetQueue(job, c.rank(), [&] { return counter.next(); }, send);
  return 0;
}

}  // namespace mc
