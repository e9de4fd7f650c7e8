#pragma once
// The ranks of a distributed run, as the pass sequence sees them: who I am, broadcast from a root,
// element-wise sums over ranks, and gathering blocks on rank 0. The pass sequence (Realigner,
// resliceRun) is written once against this; LocalCollective (one rank: every operation is a no-op)
// makes it the serial code, the MPI worker's MpiCollective the distributed one. Every rank must
// make the same calls in the same order (as with MPI collectives).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "VolumeSeries.h"

namespace mc {

class Collective {
public:
  virtual ~Collective() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  bool isRoot() const { return rank() == 0; }

  // Copies `bytes` bytes at `data` on rank `root` to `data` on every other rank.
  virtual void broadcast(void* data, std::size_t bytes, int root) = 0;
  // Replaces data[i] on every rank by the sum over ranks of data[i] (ranks summed in rank order).
  virtual void sum(double* data, std::size_t count) = 0;
  virtual void sum(std::uint32_t* data, std::size_t count) = 0;
  // Rank q sends blocks[q] blocks of blockBytes bytes from `mine`; rank 0 receives them all in `all`,
  // rank after rank (`all` is ignored on other ranks). On rank 0, `mine` may already sit at its place
  // in `all` (then nothing is copied for it).
  virtual void gather(const void* mine, void* all, const std::vector<int>& blocks, std::size_t blockBytes) = 0;
};

// One rank: broadcast and sums leave the data as it is, gather copies the one block.
class LocalCollective : public Collective {
public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void broadcast(void*, std::size_t, int) override {}
  void sum(double*, std::size_t) override {}
  void sum(std::uint32_t*, std::size_t) override {}
  void gather(const void* mine, void* all, const std::vector<int>& blocks, std::size_t blockBytes) override;
};

// A process-wide LocalCollective: the default of every entry point that takes a Collective.
Collective& localCollective();

// Frames [first, first + count) of one rank: floor(n/size) or ceil(n/size) each, in rank order,
// every frame in exactly one share.
struct Share {
  int first = 0, count = 0;
};
Share shareOf(int frames, int size, int rank);
int ownerOf(int frame, int frames, int size);    // the rank whose share holds `frame`
std::vector<int> shareCounts(int frames, int size);  // count of each rank's share

// Thrown on every rank together by runOnRoot, so that all ranks stop cleanly (none is left waiting
// in a collective) and a worker can tell such a failure from one on a single rank.
class SharedFailure : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};
// Runs `step` on rank 0 only and lets every rank know whether it threw. One rank: the step's own
// exception propagates unchanged. More ranks: every rank throws SharedFailure(the step's message).
void runOnRoot(Collective& collective, const std::function<void()>& step);

// Typed conveniences over broadcast.
template <class T>
void broadcastValue(Collective& c, T& value, int root) {
  static_assert(std::is_trivially_copyable<T>::value, "broadcastValue copies bytes");
  c.broadcast(&value, sizeof(T), root);
}
template <class T>
void broadcastVector(Collective& c, std::vector<T>& v, int root) {
  static_assert(std::is_trivially_copyable<T>::value, "broadcastVector copies bytes");
  std::uint64_t n = v.size();
  broadcastValue(c, n, root);
  v.resize(std::size_t(n));
  if (n) c.broadcast(v.data(), std::size_t(n) * sizeof(T), root);
}
void broadcastString(Collective& c, std::string& s, int root);
// The whole run (geometry, frame count, timing, stored type, voxels) from rank 0 to every rank.
void broadcastRun(Collective& c, VolumeSeries& run);

// Every rank's bytes, in rank order, on every rank (a gather on rank 0, then a broadcast).
std::vector<char> allGatherBytes(Collective& c, const std::vector<char>& mine);

}  // namespace mc
