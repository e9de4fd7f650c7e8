#include "VolumeArrivals.h"

#include <algorithm>
#include <cstdio>
#include <cctype>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "ImageIO.h"
#include "internal/NiftiFormat.h"

namespace fs = std::filesystem;

namespace mc {

namespace {

bool endsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// Names a writer uses before renaming a file into place.
bool isStagingName(const std::string& name) {
  return name.empty() || name[0] == '.' || endsWith(name, ".tmp") || endsWith(name, ".part") || endsWith(name, "~");
}

// A NIfTI file that already holds every byte its header promises. A multi-member .nii.gz (its
// trailer gives only the last member's length) and other formats wait for the two-look rule.
bool visiblyWhole(const fs::path& path, std::uintmax_t size) {
  const std::string name = path.filename().string();
  const bool gz = endsWith(name, ".nii.gz");
  if (!gz && !endsWith(name, ".nii")) return false;
  try {
    const nifti::Header h = nifti::readHeader(path.string());
    const std::uint64_t whole = h.voxOffset + h.dataBytes();
    if (!gz) return size >= whole;
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return false;
    unsigned char tail[4] = {0, 0, 0, 0};
    const bool got = std::fseek(f, -4, SEEK_END) == 0 && std::fread(tail, 1, 4, f) == 4;
    std::fclose(f);
    const std::uint32_t isize = tail[0] | tail[1] << 8 | tail[2] << 16 | std::uint32_t(tail[3]) << 24;
    return got && isize == std::uint32_t(whole);
  } catch (const std::exception&) {
    return false;  // no whole header yet
  }
}

}  // namespace

long volumeNumberInName(const std::string& name) {
  std::size_t end = name.size();
  while (end > 0 && !std::isdigit(static_cast<unsigned char>(name[end - 1]))) --end;
  if (end == 0) return -1;
  std::size_t begin = end;
  while (begin > 0 && std::isdigit(static_cast<unsigned char>(name[begin - 1]))) --begin;
  const std::string digits = name.substr(begin, std::min<std::size_t>(end - begin, 15));
  return std::stol(digits);
}

VolumeArrivals::VolumeArrivals(std::string folder, std::string endMarker)
    : folder_(std::move(folder)), endMarker_(std::move(endMarker)) {}

std::vector<std::string> VolumeArrivals::poll() {
  std::error_code ec;
  fs::directory_iterator it(folder_, ec), end;
  if (ec) throw std::runtime_error(folder_ + ": cannot read the folder: " + ec.message());
  std::vector<std::string> ready;
  for (; it != end; it.increment(ec)) {
    if (ec) throw std::runtime_error(folder_ + ": cannot read the folder: " + ec.message());
    const std::string name = it->path().filename().string();
    if (!endMarker_.empty() && name == endMarker_) {
      ended_ = true;
      continue;
    }
    if (isStagingName(name) || !(isSupportedImagePath(name) || isDicomPath(name))) continue;
    std::error_code e2;
    if (!it->is_regular_file(e2)) continue;
    const std::uintmax_t size = it->file_size(e2);
    if (e2) continue;  // removed between the listing and the look
    const auto stamp = it->last_write_time(e2);
    if (e2) continue;
    const std::int64_t mtime = stamp.time_since_epoch().count();
    Seen& s = seen_[name];
    if (s.handedOut) continue;
    if (s.failed && size == s.size && mtime == s.mtime) continue;  // unreadable as it is: wait for a change
    // A new entry has size 0, so a file is unchanged only once it has been seen at this size before.
    const bool unchanged = !s.failed && s.size == size && s.mtime == mtime;
    const bool whole = !unchanged && size > 0 && visiblyWhole(it->path(), size);
    s.failed = false;
    s.size = size;
    s.mtime = mtime;
    if (size > 0 && (unchanged || whole)) {
      s.handedOut = true;
      ready.push_back(name);
    }
  }
  std::sort(ready.begin(), ready.end());
  std::vector<std::string> paths;
  for (const std::string& name : ready) {
    if (!lastName_.empty() && name < lastName_)
      notices_.push_back(name + ": arrived after " + lastName_ + " (out of name order); aligned as it came");
    const long number = volumeNumberInName(name);
    if (lastNumber_ >= 0 && number > lastNumber_ + 1)
      notices_.push_back(name + ": gap in the volume numbers, " + std::to_string(number - lastNumber_ - 1) +
                         " missing after " + lastName_);
    if (lastName_.empty() || name > lastName_) {
      lastName_ = name;
      lastNumber_ = number;
    }
    paths.push_back((fs::path(folder_) / name).string());
  }
  return paths;
}

void VolumeArrivals::retryLater(const std::string& path) {
  auto it = seen_.find(fs::path(path).filename().string());
  if (it == seen_.end()) return;
  it->second.handedOut = false;
  it->second.failed = true;  // handed out again only once its size or time stamp changes
}

std::vector<std::string> VolumeArrivals::unsettled() const {
  std::vector<std::string> out;
  for (const auto& [name, s] : seen_)
    if (!s.handedOut) out.push_back((fs::path(folder_) / name).string());
  return out;
}

std::vector<std::string> VolumeArrivals::takeNotices() {
  std::vector<std::string> out;
  out.swap(notices_);
  return out;
}

}  // namespace mc
