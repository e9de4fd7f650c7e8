// The launcher of a dataset under mpirun: the worker's --dataset mode takes runs from a queue over
// the ranks; here its lines become the book's entries.
#include <stdexcept>
#include <string>

#include "DatasetWorker.h"
#include "MpiLaunch.h"
#include "internal/DatasetQueue.h"

namespace mc {

void runDatasetQueueWithMpi(const DatasetOptions& options, const std::vector<BidsRun>& runs, DatasetQueueBook& book) {
  if (book.cancelled()) return;
  std::string pending, workerError;
  std::vector<bool> ended(runs.size(), false);
  auto line = [&](const std::string& text) {
    if (const auto m = parseDatasetWorkerMessage(text)) {
      if (!m->ended || m->index < 0 || m->index >= int(runs.size()) || ended[std::size_t(m->index)]) return;
      ended[std::size_t(m->index)] = true;
      DatasetRunResult r = m->result;
      r.run = runs[std::size_t(m->index)];
      book.finished(std::move(r));
    } else if (text.rfind("{\"event\":\"error\"", 0) == 0) {
      workerError = text;
    }
  };
  // Each rank corrects its run on its share of the cores (the policy ranks x threads <= cores).
  DatasetOptions ranked = options;
  ranked.job.threads = threadsPerRank(options.mpi);
  const MpiProcessExit e =
      runMpiProcess(options.mpi, "--dataset", formatDatasetJob(ranked, runs), [&](const char* data, std::size_t n, bool) {
        if (!data) {
          if (!pending.empty()) line(pending);
          pending.clear();
          return CallbackReturn::Continue;
        }
        pending.append(data, n);
        for (std::size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
          line(pending.substr(0, nl));
          pending.erase(0, nl + 1);
        }
        return book.cancelled() ? CallbackReturn::Abort : CallbackReturn::Continue;
      });
  if (e.cancelled || book.cancelled()) {
    book.cancel();
    return;
  }
  if (e.code != 0) throw std::runtime_error(mpiFailureMessage(e.code, e.signal, workerError, e.stderrText));
}

}  // namespace mc
