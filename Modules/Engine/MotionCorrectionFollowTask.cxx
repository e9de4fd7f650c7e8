#include "MotionCorrectionFollowTask.h"

#include "EngineText.h"

#include <atomic>
#include <stdexcept>

#include <QFuture>
#include <QThreadPool>
#include <QtConcurrent>

namespace mc {
namespace {

// FollowVolume crosses threads in queued signals.
const int kFollowVolumeType = qRegisterMetaType<mc::FollowVolume>("mc::FollowVolume");

const FollowResult& emptyResult() {
  static const FollowResult none;
  return none;
}

}  // namespace

struct MotionCorrectionFollowTask::Private {
  explicit Private(FollowOptions o) : options(std::move(o)) { session.setMaxThreadCount(1); }

  FollowOptions options;
  std::atomic<bool> running{false};
  std::atomic<bool> cancelRequested{false};
  std::shared_ptr<const FollowResult> result;  // set when the session ended (finished or cancelled)
  QThreadPool session;                         // the one thread followFolder runs (and sleeps) on
  QFuture<void> future;
};

MotionCorrectionFollowTask::MotionCorrectionFollowTask(FollowOptions options, QObject* parent)
    : QObject(parent), d(std::make_unique<Private>(std::move(options))) {
  (void)kFollowVolumeType;
}

MotionCorrectionFollowTask::~MotionCorrectionFollowTask() {
  // The session ends at its next look at the folder; what it posts to this object is dropped with it.
  d->cancelRequested = true;
  d->future.waitForFinished();
  d->session.waitForDone();
}

const FollowOptions& MotionCorrectionFollowTask::options() const { return d->options; }

bool MotionCorrectionFollowTask::isRunning() const { return d->running; }

const FollowResult& MotionCorrectionFollowTask::result() const { return d->result ? *d->result : emptyResult(); }

void MotionCorrectionFollowTask::start() {
  if (d->running) return;
  d->running = true;
  d->cancelRequested = false;
  d->result.reset();
  emit started();
  d->future = QtConcurrent::run(&d->session, [this] { runSession(); });
}

void MotionCorrectionFollowTask::cancel() {
  if (!d->running) return;
  d->cancelRequested = true;
}

void MotionCorrectionFollowTask::runSession() {
  // Runs on the session's thread; every report is posted to this object's thread, in order (one
  // sender, one receiver: queued calls keep their order), so the end comes after the last volume.
  FollowCallbacks cb;
  cb.onWait = [this] { return d->cancelRequested ? CallbackReturn::Abort : CallbackReturn::Continue; };
  cb.onVolume = [this](const FollowVolume& v) {
    QMetaObject::invokeMethod(this, [this, v] { emit volumeAligned(v); }, Qt::QueuedConnection);
    return d->cancelRequested ? CallbackReturn::Abort : CallbackReturn::Continue;
  };
  cb.onNotice = [this](const std::string& line) {
    const QString text = oneLine(line);
    QMetaObject::invokeMethod(this, [this, text] { emit notice(text); }, Qt::QueuedConnection);
  };
  try {
    auto result = std::make_shared<const FollowResult>(followFolder(d->options, cb));
    QMetaObject::invokeMethod(
        this,
        [this, result] {
          d->result = result;
          d->running = false;
          if (result->end == FollowEnd::Cancelled)
            emit cancelled();
          else
            emit finished(QString::fromLatin1(followEndName(result->end)));
        },
        Qt::QueuedConnection);
  } catch (const std::exception& e) {
    const QString reason = oneLine(e.what());
    QMetaObject::invokeMethod(
        this,
        [this, reason] {
          d->running = false;
          emit failed(reason);
        },
        Qt::QueuedConnection);
  }
}

}  // namespace mc
