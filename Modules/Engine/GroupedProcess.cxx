#include "GroupedProcess.h"

#include <csignal>

#include <sys/prctl.h>
#include <unistd.h>

#include "MpiLaunch.h"

namespace mc {
namespace {

// Runs in the child between fork and exec: only async-signal-safe calls.
void becomeGroupLeaderDyingWithParent() {
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
}

}  // namespace

GroupedProcess::GroupedProcess(QObject* parent) : QProcess(parent) {
#if QT_VERSION >= QT_VERSION_CHECK(6, 0, 0)
  setChildProcessModifier(becomeGroupLeaderDyingWithParent);
#endif
}

#if QT_VERSION < QT_VERSION_CHECK(6, 0, 0)
void GroupedProcess::setupChildProcess() { becomeGroupLeaderDyingWithParent(); }
#endif

void GroupedProcess::signalGroup(int signal) {
  const qint64 pid = processId();
  if (state() == QProcess::NotRunning || pid <= 0) return;
  signalMpiJob(long(pid), signal);
}

}  // namespace mc
