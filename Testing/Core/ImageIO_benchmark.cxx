// NIfTI reading and writing, ours (libdeflate, parallel members) against ITK 5.2's NiftiImageIO
// (zlib), on a generated 64x64x33x200 float32 run and on real int16 BOLD data; and the choice of
// compression level and block size against zlib -6 file sizes. Times are the best of 3 (wall and
// user+system CPU), since the machine is shared.
//   MotionCorrectionIOBenchmark [folder for the files, default /tmp]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkImageFileWriter.h>
#include <itkNiftiImageIOFactory.h>

#include "Gzip.h"
#include "ImageIO.h"
#include "NiftiFormat.h"
#include "SyntheticRun.h"

using namespace mc;

namespace {

double cpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

struct Timing {
  double wall = 1e30, cpu = 1e30;
};

Timing best3(const std::function<void()>& f) {
  Timing t;
  for (int i = 0; i < 3; ++i) {
    const auto w0 = std::chrono::steady_clock::now();
    const double c0 = cpuSeconds();
    f();
    t.wall = std::min(t.wall, std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count());
    t.cpu = std::min(t.cpu, cpuSeconds() - c0);
  }
  return t;
}

void report(const char* what, const Timing& t) { std::printf("  %-44s %7.3f s wall %7.3f s cpu\n", what, t.wall, t.cpu); }

// Peak RSS (MB) of a fresh process (this program, re-run) that only reads `path`: what reading holds.
double peakRssMb(const std::string& path, const char* reader) {
  const std::string cmd = "/proc/" + std::to_string(getpid()) + "/exe --read-rss '" + path + "' " + reader;
  std::FILE* p = popen(cmd.c_str(), "r");
  double mb = 0;
  if (p && std::fscanf(p, "%lf", &mb) != 1) mb = 0;
  if (p) pclose(p);
  return mb;
}

std::size_t zlib6Size(const std::vector<unsigned char>& data) {
  uLongf n = compressBound(uLong(data.size()));
  std::vector<unsigned char> out(n);
  compress2(out.data(), &n, data.data(), uLong(data.size()), 6);
  return std::size_t(n) + 10;  // zlib wrapper (6) -> gzip wrapper (18)
}

std::vector<unsigned char> gunzip(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  std::vector<unsigned char> out;
  unsigned char buf[1 << 16];
  for (int n; (n = gzread(f, buf, sizeof buf)) > 0;) out.insert(out.end(), buf, buf + n);
  gzclose(f);
  return out;
}

double mb(double bytes) { return bytes / 1e6; }

void levels(const char* name, const std::vector<unsigned char>& stream) {
  const double z6 = double(zlib6Size(stream));
  std::printf("%s: %.1f MB uncompressed, zlib -6 %.2f MB\n", name, mb(double(stream.size())), mb(z6));
  for (int level = 1; level <= 6; ++level) {
    std::size_t size = 0;
    const Timing t = best3([&] { size = gzip::compress(stream.data(), stream.size(), 1, level).size(); });
    std::printf("  libdeflate level %d, 1 MiB members: %7.2f MB (%+5.1f%% vs zlib -6), %6.3f s on 1 thread\n", level,
                mb(double(size)), 100.0 * (double(size) / z6 - 1), t.wall);
  }
  for (std::size_t block : {std::size_t(256) << 10, std::size_t(1) << 20, std::size_t(4) << 20}) {
    std::size_t size = 0;
    for (std::size_t at = 0; at < stream.size(); at += block)
      size += gzip::compressMember(stream.data() + at, std::min(block, stream.size() - at), gzip::kLevel).size();
    std::printf("  level %d, %4zu KiB members: %7.2f MB (%+5.1f%% vs zlib -6)\n", gzip::kLevel, block >> 10,
                mb(double(size)), 100.0 * (double(size) / z6 - 1));
  }
}

using Image4 = itk::Image<float, 4>;

Image4::Pointer itkRead(const std::string& path) {
  auto r = itk::ImageFileReader<Image4>::New();
  r->SetFileName(path);
  r->Update();
  return r->GetOutput();
}

void itkWrite(const Image4* image, const std::string& path) {
  auto w = itk::ImageFileWriter<Image4>::New();
  w->SetInput(image);
  w->SetFileName(path);
  w->SetUseCompression(true);
  w->Update();
}

void compare(const char* name, const VolumeSeries& run, const std::string& dir, const StoredFormat& format) {
  const std::string gz = dir + "/mc-io-bench.nii.gz", plain = dir + "/mc-io-bench.nii", itkGz = dir + "/mc-io-bench-itk.nii.gz";
  std::printf("%s: %dx%dx%dx%d, %.0f MB of float voxels\n", name, run.geometry.size[0], run.geometry.size[1],
              run.geometry.size[2], run.frameCount, mb(4.0 * double(run.voxels.size())));
  report("write .nii.gz, ours, 1 thread", best3([&] { writeVolumeSeries(gz, run, format, 1); }));
  report("write .nii.gz, ours, 2 threads", best3([&] { writeVolumeSeries(gz, run, format, 2); }));
  report("write .nii, ours", best3([&] { writeVolumeSeries(plain, run, format, 2); }));
  report("read .nii.gz, ours, 1 thread", best3([&] { readVolumeSeries(gz, 1); }));
  report("read .nii.gz, ours, 2 threads", best3([&] { readVolumeSeries(gz, 2); }));
  report("read .nii, ours", best3([&] { readVolumeSeries(plain, 2); }));
  Image4::Pointer image;
  report("read .nii.gz (ours), ITK", best3([&] { image = itkRead(gz); }));
  report("write .nii.gz, ITK", best3([&] { itkWrite(image, itkGz); }));
  report("read .nii.gz (ITK's), ITK", best3([&] { image = itkRead(itkGz); }));
  std::printf("  peak RSS of a process reading it (ours, .nii.gz): %.0f MB; ITK: %.0f MB\n",
              peakRssMb(gz, "ours"), peakRssMb(itkGz, "itk"));
  const std::vector<unsigned char> stream = gunzip(gz);
  std::printf("  file sizes: ours %.2f MB, ITK (zlib) %.2f MB, zlib -6 of the same bytes %.2f MB\n",
              mb(double(std::filesystem::file_size(gz))), mb(double(std::filesystem::file_size(itkGz))),
              mb(double(zlib6Size(stream))));
  for (const auto& f : {gz, plain, itkGz}) std::remove(f.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  itk::NiftiImageIOFactory::RegisterOneFactory();
  if (argc == 4 && std::string(argv[1]) == "--read-rss") {
    if (std::string(argv[3]) == "itk")
      itkRead(argv[2]);
    else
      readVolumeSeries(argv[2], 2);
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    std::printf("%.1f\n", double(u.ru_maxrss) / 1024.0);
    return 0;
  }
  const std::string dir = argc > 1 ? argv[1] : "/tmp";
  TrajectoryOptions t;
  t.frames = 200;
  const SyntheticRun s = generatePhantomRun(PhantomOptions{}, realisticTrajectory(t));
  std::printf("threads available: %u\n", std::thread::hardware_concurrency());

  const std::string phantomGz = dir + "/mc-io-bench-phantom.nii.gz";
  writeVolumeSeries(phantomGz, s.run, StoredFormat{}, 2);
  levels("phantom float32 stream", gunzip(phantomGz));
  std::remove(phantomGz.c_str());
  const std::string real = std::string(MC_DATA_DIR) + "/studyforrest_localizer_bold.nii.gz";
  levels("studyforrest int16 stream", gunzip(real));

  compare("phantom float32", s.run, dir, StoredFormat{});
  const VolumeSeries bold = readVolumeSeries(real);
  compare("studyforrest int16 (scl_slope kept)", bold, dir, bold.storedFormat());
  report("read studyforrest_localizer_bold.nii.gz (foreign gzip), ours", best3([&] { readVolumeSeries(real); }));
  report("read studyforrest_localizer_bold.nii.gz, ITK", best3([&] { itkRead(real); }));
  return 0;
}
