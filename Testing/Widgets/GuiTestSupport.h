#pragma once
// Shared by the panel and app tests: a small generated run with known motion written as a real
// NIfTI, settings isolated in a scratch folder, screenshots to the build tree.
#include <QDir>
#include <QImage>
#include <QSettings>
#include <QString>
#include <QStringList>
#include <QWidget>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <dirent.h>
#include <sys/types.h>

#include "ImageIO.h"
#include "SyntheticRun.h"

namespace mc::test {

struct GeneratedRun {
  QString path;
  std::vector<RigidParameters> truth;  // rp convention, relative to frame 0
};

// A 32x32x20 phantom run with a realistic trajectory (drift, wobble and one jump).
inline GeneratedRun writePhantomRun(const QString& path, int frames = 8, std::uint64_t seed = 3) {
  PhantomOptions phantom;
  phantom.size = {32, 32, 20};
  phantom.spacing = {5.0, 5.0, 6.0};
  phantom.noise = 0.01;
  TrajectoryOptions trajectory;
  trajectory.frames = frames;
  trajectory.maxTranslationMm = 2.0;
  trajectory.maxRotationDeg = 2.0;
  trajectory.jumps = 1;
  trajectory.seed = seed;
  const SyntheticRun s = generatePhantomRun(phantom, realisticTrajectory(trajectory));
  writeVolumeSeries(path.toStdString(), s.run);
  return {path, s.truth};
}

// QSettings of the test process live in `dir`, not in the user's configuration.
inline void isolateSettings(const QString& dir) {
  QSettings::setDefaultFormat(QSettings::IniFormat);
  QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir);
  QSettings().clear();
}

inline QStringList filesIn(const QString& dir) {
  return QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Name);
}

inline QString screenshotPath(const QString& name) {
  const QString dir = QString::fromUtf8(MC_SCREENSHOT_DIR);
  QDir().mkpath(dir);
  return QDir(dir).filePath(name);
}

inline bool saveScreenshot(QWidget* widget, const QString& name) {
  return widget->grab().save(screenshotPath(name));
}

// Processes (mpirun, the MPI ranks) are looked up in /proc, as the CLI's kill tests do: the parent
// and the state of `pid`, or false when it is gone.
inline bool processStat(pid_t pid, pid_t* parent, char* state) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream rest(text.substr(close + 1));
  long ppid = 0;
  rest >> *state >> ppid;
  *parent = pid_t(ppid);
  return bool(rest);
}

// Alive and not a zombie (an orphaned rank is reaped by whoever adopts it, maybe later).
inline bool processAlive(pid_t pid) {
  pid_t parent = 0;
  char state = 0;
  return processStat(pid, &parent, &state) && state != 'Z';
}

inline std::vector<pid_t> descendantsOf(pid_t root) {
  std::vector<std::pair<pid_t, pid_t>> all;  // pid, parent
  if (DIR* d = ::opendir("/proc")) {
    while (dirent* e = ::readdir(d)) {
      char* end = nullptr;
      const long pid = std::strtol(e->d_name, &end, 10);
      pid_t parent = 0;
      char state = 0;
      if (*end == 0 && pid > 0 && processStat(pid_t(pid), &parent, &state) && state != 'Z')
        all.emplace_back(pid_t(pid), parent);
    }
    ::closedir(d);
  }
  std::vector<pid_t> out, todo{root};
  while (!todo.empty()) {
    const pid_t p = todo.back();
    todo.pop_back();
    for (const auto& [pid, parent] : all)
      if (parent == p) out.push_back(pid), todo.push_back(pid);
  }
  return out;
}

inline int aliveCount(const std::vector<pid_t>& pids) {
  int n = 0;
  for (pid_t p : pids) n += processAlive(p) ? 1 : 0;
  return n;
}

// Mean grey value of an 8-bit image (0 for a null image).
inline double meanGrey(const QImage& image) {
  if (image.isNull()) return 0;
  const QImage g = image.convertToFormat(QImage::Format_Grayscale8);
  double sum = 0;
  for (int y = 0; y < g.height(); ++y) {
    const uchar* line = g.constScanLine(y);
    for (int x = 0; x < g.width(); ++x) sum += line[x];
  }
  return sum / (double(g.width()) * g.height());
}

}  // namespace mc::test
