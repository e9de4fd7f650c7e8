#pragma once
// A QProcess whose child leads its own process group and dies with this process
// (PR_SET_PDEATHSIG), so that mpirun and everything it started can be stopped together.
// This is the one place where the engine differs between Qt 5 and Qt 6 (how the child is set up).
#include <QProcess>

namespace mc {

class GroupedProcess : public QProcess {
  Q_OBJECT
public:
  explicit GroupedProcess(QObject* parent = nullptr);
  // Sends `signal` to the child's process group and the child's own children (mc::signalMpiJob;
  // no-op when not running).
  void signalGroup(int signal);

#if QT_VERSION < QT_VERSION_CHECK(6, 0, 0)
protected:
  void setupChildProcess() override;
#endif
};

}  // namespace mc
