#include "StopRequest.h"

#include <atomic>
#include <csignal>

namespace mc::cli {

namespace {
std::atomic<bool> requested{false};
extern "C" void requestStop(int signal) {
  requested = true;
  std::signal(signal, SIG_DFL);
}
}  // namespace

void installStopRequestOnSignals() {
  std::signal(SIGINT, requestStop);
  std::signal(SIGTERM, requestStop);
}

bool stopRequested() { return requested; }

}  // namespace mc::cli
