#pragma once
// Ranks as threads of one test process: an mc::Collective whose ranks are threads sharing a
// ThreadGroup, so that the pass sequence can be tested over 2-3 ranks without MPI.
#include <condition_variable>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "Collective.h"

namespace mc::test {

// Ranks as threads: each operation publishes every rank's pointer, waits for all, then reads them.
struct ThreadGroup {
  explicit ThreadGroup(int n) : size(n), slots(std::size_t(n), nullptr) {}
  void barrier() {
    std::unique_lock<std::mutex> lock(mutex);
    const int generation = generation_;
    if (++arrived == size) {
      arrived = 0;
      ++generation_;
      cv.notify_all();
    } else {
      cv.wait(lock, [&] { return generation != generation_; });
    }
  }
  int size;
  std::vector<const void*> slots;
  std::mutex mutex;
  std::condition_variable cv;
  int arrived = 0, generation_ = 0;
};

class ThreadCollective : public Collective {
public:
  ThreadCollective(ThreadGroup& group, int rank) : g_(group), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return g_.size; }
  void broadcast(void* data, std::size_t bytes, int root) override {
    publish(data);
    if (rank_ != root && bytes) std::memcpy(data, g_.slots[std::size_t(root)], bytes);
    g_.barrier();
  }
  void sum(double* data, std::size_t count) override { sumOf(data, count); }
  void sum(std::uint32_t* data, std::size_t count) override { sumOf(data, count); }
  void gather(const void* mine, void* all, const std::vector<int>& blocks, std::size_t blockBytes) override {
    publish(mine);
    if (rank_ == 0) {
      char* at = static_cast<char*>(all);
      for (int q = 0; q < g_.size; ++q) {
        const std::size_t bytes = std::size_t(blocks[std::size_t(q)]) * blockBytes;
        if (bytes && g_.slots[std::size_t(q)] != at) std::memmove(at, g_.slots[std::size_t(q)], bytes);
        at += bytes;
      }
    }
    g_.barrier();
  }

private:
  void publish(const void* p) {
    g_.slots[std::size_t(rank_)] = p;
    g_.barrier();
  }
  template <class T>
  void sumOf(T* data, std::size_t count) {
    publish(data);
    std::vector<T> total(count, T(0));
    for (int q = 0; q < g_.size; ++q)  // in rank order, as MpiCollective's MPI_SUM over 2-3 ranks
      for (std::size_t i = 0; i < count; ++i) total[i] += static_cast<const T*>(g_.slots[std::size_t(q)])[i];
    g_.barrier();  // everyone has read before anyone writes
    std::copy(total.begin(), total.end(), data);
    g_.barrier();
  }
  ThreadGroup& g_;
  int rank_;
};

// Runs body(collective) on `ranks` threads at once; returns what each rank's call returned.
template <class T>
std::vector<T> onRanks(int ranks, const std::function<T(Collective&)>& body) {
  ThreadGroup group(ranks);
  std::vector<T> out;
  out.resize(std::size_t(ranks));
  std::vector<std::thread> threads;
  for (int q = 0; q < ranks; ++q)
    threads.emplace_back([&, q] {
      ThreadCollective c(group, q);
      out[std::size_t(q)] = body(c);
    });
  for (auto& t : threads) t.join();
  return out;
}

}  // namespace mc::test
