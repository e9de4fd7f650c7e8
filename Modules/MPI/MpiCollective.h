#pragma once
// mc::Collective over MPI_COMM_WORLD: what the pass sequence needs from MPI, and nothing else.
#include "Collective.h"

namespace mc {

class MpiCollective : public Collective {
public:
  MpiCollective();  // after MPI_Init
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void broadcast(void* data, std::size_t bytes, int root) override;
  void sum(double* data, std::size_t count) override;
  void sum(std::uint32_t* data, std::size_t count) override;
  void gather(const void* mine, void* all, const std::vector<int>& blocks, std::size_t blockBytes) override;

  // Wall time spent inside the calls above so far: moving data plus waiting for the other ranks
  // (a rank that finished its share early waits here), i.e. what MPI costs this rank.
  double communicationSeconds() const { return seconds_; }

private:
  int rank_ = 0, size_ = 1;
  double seconds_ = 0;
};

}  // namespace mc
