#include "Collective.h"

#include <algorithm>
#include <cstring>

namespace mc {

void LocalCollective::gather(const void* mine, void* all, const std::vector<int>& blocks, std::size_t blockBytes) {
  const std::size_t bytes = std::size_t(blocks.at(0)) * blockBytes;
  if (bytes && mine != all) std::memmove(all, mine, bytes);
}

Collective& localCollective() {
  static LocalCollective local;  // stateless: safe to share between threads
  return local;
}

Share shareOf(int frames, int size, int rank) {
  const int base = frames / size, extra = frames % size;
  return {rank * base + std::min(rank, extra), base + (rank < extra ? 1 : 0)};
}

int ownerOf(int frame, int frames, int size) {
  for (int q = 0; q < size; ++q) {
    const Share s = shareOf(frames, size, q);
    if (frame >= s.first && frame < s.first + s.count) return q;
  }
  throw std::out_of_range("frame " + std::to_string(frame) + " is not one of the " + std::to_string(frames));
}

std::vector<int> shareCounts(int frames, int size) {
  std::vector<int> counts(std::size_t(std::max(0, size)));
  for (int q = 0; q < size; ++q) counts[std::size_t(q)] = shareOf(frames, size, q).count;
  return counts;
}

void runOnRoot(Collective& c, const std::function<void()>& step) {
  if (c.size() == 1) {
    step();
    return;
  }
  std::string error;
  if (c.isRoot()) {
    try {
      step();
    } catch (const std::exception& e) {
      error = e.what();
      if (error.empty()) error = "unknown error";
    }
  }
  broadcastString(c, error, 0);
  if (!error.empty()) throw SharedFailure(error);
}

void broadcastString(Collective& c, std::string& s, int root) {
  std::vector<char> bytes(s.begin(), s.end());
  broadcastVector(c, bytes, root);
  s.assign(bytes.begin(), bytes.end());
}

void broadcastRun(Collective& c, VolumeSeries& run) {
  struct Header {
    int size[3];
    double voxelToWorld[16];
    int frameCount;
    double repetitionTime;
    int storedType;
  } h{};
  if (c.isRoot()) {
    for (int k = 0; k < 3; ++k) h.size[k] = run.geometry.size[std::size_t(k)];
    std::copy(run.geometry.voxelToWorld.m.begin(), run.geometry.voxelToWorld.m.end(), h.voxelToWorld);
    h.frameCount = run.frameCount;
    h.repetitionTime = run.repetitionTime;
    h.storedType = int(run.storedType);
  }
  broadcastValue(c, h, 0);
  if (!c.isRoot()) {
    ImageGeometry g;
    for (int k = 0; k < 3; ++k) g.size[std::size_t(k)] = h.size[k];
    std::copy(h.voxelToWorld, h.voxelToWorld + 16, g.voxelToWorld.m.begin());
    run.allocate(g, h.frameCount);
    run.repetitionTime = h.repetitionTime;
    run.storedType = StoredType(h.storedType);
  }
  c.broadcast(run.voxels.data(), run.voxels.size() * sizeof(float), 0);
}

std::vector<char> allGatherBytes(Collective& c, const std::vector<char>& mine) {
  // Sizes first (a sum of one-hot vectors: every rank learns every size), then the bytes.
  std::vector<double> sizes(std::size_t(c.size()), 0.0);
  sizes[std::size_t(c.rank())] = double(mine.size());
  c.sum(sizes.data(), sizes.size());
  std::vector<int> blocks(sizes.size());
  std::size_t total = 0;
  for (std::size_t q = 0; q < sizes.size(); ++q) {
    blocks[q] = int(sizes[q]);
    total += std::size_t(blocks[q]);
  }
  std::vector<char> all(total);
  c.gather(mine.data(), all.data(), blocks, 1);
  c.broadcast(all.data(), all.size(), 0);
  return all;
}

}  // namespace mc
