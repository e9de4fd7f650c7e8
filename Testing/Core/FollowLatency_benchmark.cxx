// Follow mode's latency: from the moment a volume file is complete in the followed folder to its
// parameters being written. A writer thread replays a run into a folder at a fixed TR, each volume
// written beside its name and renamed into place (as real-time exports do), while followFolder
// aligns them; the latency of each volume is the time from the rename to its rp row being flushed.
// Not a test: prints the distribution.
//
//   MotionCorrectionFollowLatencyBenchmark [--tr S] [--frames N] [--gz] [--threads T]
//   (a real 64x64x34 run from ../shared/data, then a generated 104x90x72 run of 2 mm voxels)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#ifdef _OPENMP
#include <omp.h>
#endif
#include <string>
#include <thread>
#include <vector>

#include "FollowSession.h"
#include "ImageIO.h"
#include "SyntheticRun.h"

using namespace mc;
using Clock = std::chrono::steady_clock;

namespace {

struct Settings {
  double tr = 0.1;
  int frames = 100;
  bool gz = false;
};

void replay(const char* label, const VolumeSeries& run, const Settings& s) {
  namespace fs = std::filesystem;
  char tmpl[] = "/tmp/mc-follow-bench-XXXXXX";
  if (!mkdtemp(tmpl)) std::exit(1);
  const fs::path dir = tmpl, in = dir / "in", out = dir / "out";
  fs::create_directories(in);
  fs::create_directories(out);
  const int frames = std::min(s.frames, run.frameCount);
  std::vector<Clock::time_point> complete(frames), flushed(frames);
  std::mutex m;
  FollowOptions o;
  o.folder = in.string();
  o.frames = frames;
  o.timeoutSeconds = 30;
  o.pollSeconds = 0.002;
  o.repetitionTime = s.tr;
  o.params = (out / "rp.txt").string();
  o.confounds = (out / "confounds.tsv").string();
  std::thread writer([&] {
    Clock::time_point next = Clock::now();
    for (int j = 0; j < frames; ++j) {
      std::this_thread::sleep_until(next);
      next += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s.tr));
      char name[32];
      std::snprintf(name, sizeof name, "vol%05d.nii%s", j, s.gz ? ".gz" : "");
      writeVolume((in / name).string(), run.extractFrame(j), s.tr);  // written beside, then renamed
      std::lock_guard<std::mutex> lock(m);
      complete[j] = Clock::now();
    }
  });
  FollowCallbacks cb;
  cb.onVolume = [&](const FollowVolume& v) {
    flushed[v.frame] = Clock::now();
    return CallbackReturn::Continue;
  };
  const FollowResult r = followFolder(o, cb);
  writer.join();
  std::vector<double> ms;
  for (int j = 1; j < int(r.volumes.size()); ++j)  // frame 0 builds the reference model
    ms.push_back(std::max(0.0, std::chrono::duration<double, std::milli>(flushed[j] - complete[j]).count()));
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) { return ms.empty() ? 0.0 : ms[std::min(ms.size() - 1, std::size_t(q * (ms.size() - 1) + 0.5))]; };
  const auto& g = run.geometry;
  std::printf("%s: %dx%dx%d, %d volumes at TR %.3g s (%s), %d aligned, %d skipped, ended on %s\n", label, g.size[0],
              g.size[1], g.size[2], frames, s.tr, s.gz ? ".nii.gz" : ".nii", int(r.volumes.size()), r.skipped,
              followEndName(r.end));
  std::printf("  latency, file complete -> parameters written: median %.1f ms, 95th percentile %.1f ms, max %.1f ms\n",
              at(0.5), at(0.95), ms.empty() ? 0.0 : ms.back());
  std::printf("  motion: max FD %.3f mm, %d of %d frames under 0.5 mm\n", r.volumes.back().summary.maxFd,
              r.volumes.back().summary.usable, r.volumes.back().summary.volumes);
  fs::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
  Settings s;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--tr" && i + 1 < argc) s.tr = std::atof(argv[++i]);
    else if (a == "--frames" && i + 1 < argc) s.frames = std::atoi(argv[++i]);
    else if (a == "--gz") s.gz = true;
#ifdef _OPENMP
    else if (a == "--threads" && i + 1 < argc) omp_set_num_threads(std::atoi(argv[++i]));
#endif
    else {
      std::fprintf(stderr, "usage: %s [--tr S] [--frames N] [--gz] [--threads T]\n", argv[0]);
      return 2;
    }
  }
  std::printf("follow-mode latency on %u cores\n", std::thread::hardware_concurrency());
  replay("real BOLD run (pydecnef)", readVolumeSeries(std::string(MC_DATA_DIR) + "/pydecnef_sub-1_run-1_bold_vols000-149.nii.gz"), s);
  PhantomOptions p;
  p.size = {104, 90, 72};
  p.spacing = {2, 2, 2};
  TrajectoryOptions t;
  t.frames = std::min(s.frames, 100);
  replay("HCP-like generated run", generatePhantomRun(p, realisticTrajectory(t)).run, s);
  return 0;
}
