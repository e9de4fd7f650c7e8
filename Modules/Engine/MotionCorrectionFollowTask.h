#pragma once
// Follow mode in the background: mc::followFolder (FollowSession.h) on a thread of the task's own
// QThreadPool, each aligned volume, notice and the end delivered as signals in the receiver's
// thread. The Qt face of the core's session, as MotionCorrectionTask is of mc::run: no second
// session loop here. cancel() makes the session's onWait and onVolume answer Abort, so it ends at
// its next look at the folder (within one poll interval, or one volume's alignment).
// This header is the contract between the engine and the panel/logic: keep signatures stable.
#include <memory>

#include <QMetaType>
#include <QObject>
#include <QString>

#include "FollowSession.h"

namespace mc {

class MotionCorrectionFollowTask : public QObject {
  Q_OBJECT
public:
  explicit MotionCorrectionFollowTask(FollowOptions options, QObject* parent = nullptr);
  ~MotionCorrectionFollowTask() override;  // cancels and waits if still running

  const FollowOptions& options() const;
  bool isRunning() const;
  // The session's whole result (volumes, notices, skipped, how it ended): valid after finished()
  // or cancelled(); empty before and after failed().
  const FollowResult& result() const;

public slots:
  void start();   // returns at once; emits started()
  void cancel();  // the session stops at its next look at the folder; emits cancelled()

signals:
  void started();
  // After the volume's rp and confounds rows were flushed; in arrival order. Carries the motion
  // (relative to the reference), FD, latency and the summary including this volume. Volumes
  // aligned before a cancel took effect are still delivered, before cancelled().
  void volumeAligned(const mc::FollowVolume& volume);
  void notice(const QString& line);         // a skipped file, a gap, an out-of-order arrival
  void finished(const QString& endReason);  // followEndName: "frame count", "end marker", "time-out"
  void failed(const QString& reason);       // one line: bad options, an unreadable reference, ...
  void cancelled();

private:
  struct Private;
  std::unique_ptr<Private> d;
  void runSession();
};

}  // namespace mc

Q_DECLARE_METATYPE(mc::FollowVolume)
