#pragma once
// The volumes that appear in a folder one file per volume, as a scanner's real-time export writes
// them (follow mode). A file counts at the first look when it is visibly whole (a .nii as long as
// its header says; a single-member .nii.gz whose gzip trailer gives that length: what a rename into
// place shows at once), else once its size has stayed the same over two looks at the folder (a
// writer still appending changes it). A name a writer uses before renaming (hidden, or ending in
// .tmp/.part/~) is never taken. What the looks cannot tell, a
// file whose writer paused, the caller finds when the file does not read: it calls retryLater()
// and the file comes back once its size or time stamp changes (a corrupt file never does).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mc {

class VolumeArrivals {
public:
  // endMarker: a file name (no folder) whose appearance ends the run; empty for none.
  explicit VolumeArrivals(std::string folder, std::string endMarker = {});

  // Looks at the folder once. Returns the image files (.nii, .nii.gz, .nrrd, .nhdr) complete since the
  // last call, in name order. Throws std::runtime_error naming the folder when it cannot be read.
  std::vector<std::string> poll();
  // The end marker has been seen (by poll).
  bool ended() const { return ended_; }
  // A file handed out by poll that turned out not to be readable yet: poll hands it out again once
  // its size or time stamp has changed and it is whole again by the rules above.
  void retryLater(const std::string& path);
  // Lines about the order of arrival since the last call (a file whose name sorts before one already
  // handed out; a gap in the numbers of the names), for the caller to report.
  std::vector<std::string> takeNotices();

  // Files seen but not handed out (being written, or waiting after retryLater), as paths.
  std::vector<std::string> unsettled() const;
  const std::string& folder() const { return folder_; }

private:
  struct Seen {
    std::uintmax_t size = 0;  // at the previous look (0 before the first)
    std::int64_t mtime = 0;
    bool handedOut = false;
    bool failed = false;      // handed out, then unreadable at this size and time stamp
  };
  std::string folder_, endMarker_;
  std::map<std::string, Seen> seen_;  // by file name
  std::string lastName_;              // the last name handed out
  long lastNumber_ = -1;              // the number in that name, -1 when it has none
  bool ended_ = false;
  std::vector<std::string> notices_;
};

// The last run of digits in a file name (vol0012.nii -> 12), or -1 when there is none.
long volumeNumberInName(const std::string& name);

}  // namespace mc
