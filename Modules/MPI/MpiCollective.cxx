#include "MpiCollective.h"

#include <mpi.h>

#include <algorithm>
#include <chrono>

namespace mc {
namespace {

// MPI counts are int: large buffers go in pieces.
constexpr std::size_t kPiece = std::size_t(1) << 28;

template <class T>
void allReduceSum(T* data, std::size_t n, MPI_Datatype type) {
  for (std::size_t at = 0; at < n; at += kPiece)
    MPI_Allreduce(MPI_IN_PLACE, data + at, int(std::min(n - at, kPiece)), type, MPI_SUM, MPI_COMM_WORLD);
}

// Adds the lifetime of the scope to a counter (the collective's communication time).
class Timed {
public:
  explicit Timed(double& total) : total_(total), t0_(std::chrono::steady_clock::now()) {}
  ~Timed() { total_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count(); }

private:
  double& total_;
  std::chrono::steady_clock::time_point t0_;
};

}  // namespace

MpiCollective::MpiCollective() {
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

void MpiCollective::broadcast(void* data, std::size_t bytes, int root) {
  const Timed timed(seconds_);
  char* p = static_cast<char*>(data);
  for (std::size_t at = 0; at < bytes; at += kPiece)
    MPI_Bcast(p + at, int(std::min(bytes - at, kPiece)), MPI_BYTE, root, MPI_COMM_WORLD);
}

void MpiCollective::sum(double* data, std::size_t count) {
  const Timed timed(seconds_);
  allReduceSum(data, count, MPI_DOUBLE);
}

void MpiCollective::sum(std::uint32_t* data, std::size_t count) {
  const Timed timed(seconds_);
  allReduceSum(data, count, MPI_UINT32_T);
}

void MpiCollective::gather(const void* mine, void* all, const std::vector<int>& blocks, std::size_t blockBytes) {
  const Timed timed(seconds_);
  // One datatype per block (a resliced frame, say), so that the counts stay small ints.
  MPI_Datatype block;
  MPI_Type_contiguous(int(blockBytes), MPI_BYTE, &block);
  MPI_Type_commit(&block);
  std::vector<int> displs(blocks.size(), 0);
  for (std::size_t q = 1; q < blocks.size(); ++q) displs[q] = displs[q - 1] + blocks[q - 1];
  const void* send = mine;
  if (rank_ == 0 && mine == static_cast<const char*>(all) + std::size_t(displs[0]) * blockBytes) send = MPI_IN_PLACE;
  MPI_Gatherv(send, blocks[std::size_t(rank_)], block, all, blocks.data(), displs.data(), block, 0, MPI_COMM_WORLD);
  MPI_Type_free(&block);
}

}  // namespace mc
