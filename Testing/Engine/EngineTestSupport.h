#pragma once
// Running a MotionCorrectionTask in a real Qt event loop and recording what it emitted, in order.
#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include <QEventLoop>
#include <QThread>
#include <QTimer>

#include "MotionCorrectionTask.h"
#include "ParallelTestSupport.h"

namespace mc::test {

struct TaskLog {
  std::vector<std::string> order;  // signal names as they arrived
  std::vector<FrameResult> frames;
  std::vector<double> fractions;
  std::vector<QString> stages;
  QStringList written;
  QVariantMap timings;
  QString reason;
  bool allInReceiverThread = true;
  bool timedOut = false;
  int count(const std::string& name) const { return int(std::count(order.begin(), order.end(), name)); }
};

// Starts the task and runs the event loop until finished/failed/cancelled (or the timeout).
// onFrame is called for each frameEstimated (e.g. to cancel mid-run).
inline TaskLog runTask(MotionCorrectionTask& task, int timeoutMs = 120000,
                       const std::function<void(const FrameResult&)>& onFrame = {}) {
  TaskLog log;
  QEventLoop loop;
  QThread* const receiverThread = QThread::currentThread();
  auto here = [&] { log.allInReceiverThread = log.allInReceiverThread && QThread::currentThread() == receiverThread; };
  QObject context;
  QObject::connect(&task, &MotionCorrectionTask::started, &context, [&] {
    here();
    log.order.push_back("started");
  });
  QObject::connect(&task, &MotionCorrectionTask::frameEstimated, &context, [&](const FrameResult& f) {
    here();
    log.order.push_back("frame");
    log.frames.push_back(f);
    if (onFrame) onFrame(f);
  });
  QObject::connect(&task, &MotionCorrectionTask::progress, &context, [&](double f, const QString& s) {
    here();
    log.order.push_back("progress");
    log.fractions.push_back(f);
    log.stages.push_back(s);
  });
  QObject::connect(&task, &MotionCorrectionTask::finished, &context, [&](const QStringList& w, const QVariantMap& t) {
    here();
    log.order.push_back("finished");
    log.written = w;
    log.timings = t;
    loop.quit();
  });
  QObject::connect(&task, &MotionCorrectionTask::failed, &context, [&](const QString& r) {
    here();
    log.order.push_back("failed");
    log.reason = r;
    loop.quit();
  });
  QObject::connect(&task, &MotionCorrectionTask::cancelled, &context, [&] {
    here();
    log.order.push_back("cancelled");
    loop.quit();
  });
  QTimer timer;
  timer.setSingleShot(true);
  QObject::connect(&timer, &QTimer::timeout, &loop, [&] {
    log.timedOut = true;
    loop.quit();
  });
  timer.start(timeoutMs);
  QTimer::singleShot(0, &task, [&task] { task.start(); });
  loop.exec();
  return log;
}

inline std::vector<RigidParameters> toRigid(const QVector<QVector<double>>& p) {
  std::vector<RigidParameters> out;
  for (const auto& row : p) {
    RigidParameters r;
    for (int i = 0; i < 6 && i < row.size(); ++i) r[i] = row[i];
    out.push_back(r);
  }
  return out;
}

// Runs the task to the end and checks it against the serial reference: the parameters it returns
// and writes, and the resliced images. Prints the largest differences as evidence.
inline TaskLog runAndCompareWithSerial(MotionCorrectionTask& task, const JobSpec& spec, const std::string& label) {
  const SerialReference& s = shared();
  const TaskLog log = runTask(task);
  EXPECT_EQ(log.count("finished"), 1) << log.reason.toStdString();
  if (log.count("finished") != 1) return log;
  EXPECT_EQ(log.written.size(), 3);
  const double dp = expectSameParameters(toRigid(task.parameters()), s.serialResult.parameters);
  expectSameParameters(parseRpFile(spec.parametersOutput), parseRpFile(s.serial.parametersOutput));
  const double dv = expectSameImages(s.serial, spec);
  std::printf("%s vs serial: largest parameter difference %.3g, largest relative voxel difference %.3g\n",
              label.c_str(), dp, dv);
  return log;
}

}  // namespace mc::test
