#include "Gzip.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <libdeflate.h>

namespace mc {
namespace gzip {
namespace {

// ID1 ID2 CM FLG(FEXTRA) MTIME(0) XFL OS(unknown) XLEN, then the subfield 'M' 'C' LEN=8 and its
// payload: member size, uncompressed size (little-endian uint32).
constexpr std::size_t kHeaderBytes = 10 + 2 + 4 + 8;
constexpr std::size_t kTrailerBytes = 8;
constexpr unsigned char kSubfield[2] = {'M', 'C'};

void put32(unsigned char* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}
std::uint32_t get32(const unsigned char* p) {
  return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}
std::uint16_t get16(const unsigned char* p) { return std::uint16_t(p[0] | p[1] << 8); }

struct CompressorDeleter {
  void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
};
struct DecompressorDeleter {
  void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};

// Allocating a compressor costs more than compressing a small block, so each thread keeps one.
libdeflate_compressor* threadCompressor(int level) {
  thread_local std::unique_ptr<libdeflate_compressor, CompressorDeleter> c;
  thread_local int cLevel = -1;
  if (!c || cLevel != level) {
    c.reset(libdeflate_alloc_compressor(level));
    cLevel = level;
    if (!c) throw std::bad_alloc();
  }
  return c.get();
}

libdeflate_decompressor* threadDecompressor() {
  thread_local std::unique_ptr<libdeflate_decompressor, DecompressorDeleter> d(libdeflate_alloc_decompressor());
  if (!d) throw std::bad_alloc();
  return d.get();
}

}  // namespace

int resolveThreads(int threads) {
  if (threads > 0) return threads;
  const unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? int(n) : 1;
}

void parallelFor(std::size_t count, int threads, const std::function<void(std::size_t)>& body) {
  const std::size_t workers = std::min<std::size_t>(count, std::size_t(resolveThreads(threads)));
  if (workers <= 1) {
    for (std::size_t i = 0; i < count; ++i) body(i);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex errorMutex;
  const auto run = [&] {
    for (std::size_t i; !failed.load() && (i = next.fetch_add(1)) < count;) {
      try {
        body(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(errorMutex);
        if (!error) error = std::current_exception();
        failed = true;
      }
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < workers; ++t) pool.emplace_back(run);
  run();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

std::vector<unsigned char> compressMember(const unsigned char* data, std::size_t size, int level) {
  if (size > 0xffffffffu - 4096) throw std::length_error("gzip member too large");
  libdeflate_compressor* c = threadCompressor(level);
  const std::size_t bound = libdeflate_deflate_compress_bound(c, size);
  std::vector<unsigned char> out(kHeaderBytes + bound + kTrailerBytes);
  unsigned char* h = out.data();
  h[0] = 0x1f, h[1] = 0x8b, h[2] = 8, h[3] = 4;  // FEXTRA
  put32(h + 4, 0);                              // no MTIME: bytes depend on the data only
  h[8] = 0, h[9] = 255;
  h[10] = 12, h[11] = 0;  // XLEN
  h[12] = kSubfield[0], h[13] = kSubfield[1], h[14] = 8, h[15] = 0;
  const std::size_t packed = libdeflate_deflate_compress(c, data, size, h + kHeaderBytes, bound);
  if (packed == 0) throw std::runtime_error("libdeflate: compression failed");
  const std::size_t total = kHeaderBytes + packed + kTrailerBytes;
  put32(h + 16, std::uint32_t(total));
  put32(h + 20, std::uint32_t(size));
  put32(h + kHeaderBytes + packed, libdeflate_crc32(0, data, size));
  put32(h + kHeaderBytes + packed + 4, std::uint32_t(size));
  out.resize(total);
  return out;
}

std::vector<unsigned char> compress(const unsigned char* data, std::size_t size, int threads, int level) {
  const std::size_t blocks = std::max<std::size_t>(1, (size + kBlockBytes - 1) / kBlockBytes);
  std::vector<std::vector<unsigned char>> members(blocks);
  parallelFor(blocks, threads, [&](std::size_t b) {
    const std::size_t begin = b * kBlockBytes;
    members[b] = compressMember(data + begin, std::min(kBlockBytes, size - begin), level);
  });
  std::vector<unsigned char> out;
  std::size_t total = 0;
  for (const auto& m : members) total += m.size();
  out.reserve(total);
  for (const auto& m : members) out.insert(out.end(), m.begin(), m.end());
  return out;
}

bool scanMembers(const std::string& path, std::uint64_t fileSize,
                 const std::function<std::size_t(std::uint64_t, std::size_t, unsigned char*)>& read,
                 std::vector<Member>& members) {
  members.clear();
  std::uint64_t offset = 0, stream = 0;
  while (offset < fileSize) {
    unsigned char h[kHeaderBytes];
    const std::size_t got = read(offset, kHeaderBytes, h);
    if (got < 2 || h[0] != 0x1f || h[1] != 0x8b) {
      // Bytes after the last member that are not gzip: gzip ignores trailing zeros, so do we;
      // anything else is not our layout.
      if (!members.empty() && std::all_of(h, h + got, [](unsigned char b) { return b == 0; })) break;
      return false;
    }
    if (got < kHeaderBytes || h[2] != 8 || h[3] != 4 || get16(h + 10) != 12 || h[12] != kSubfield[0] ||
        h[13] != kSubfield[1] || get16(h + 14) != 8)
      return false;
    Member m;
    m.offset = offset;
    m.compressedSize = get32(h + 16);
    m.uncompressedSize = get32(h + 20);
    m.streamOffset = stream;
    if (m.compressedSize < kHeaderBytes + kTrailerBytes) return false;
    // Deflate expands at most ~1032:1: a member claiming more (found by FuzzNiftiGz: 146 bytes
    // claiming 3.6 GB, allocated before inflating) cannot hold it, and its size is not trusted.
    if (std::uint64_t(m.uncompressedSize) > std::uint64_t(m.compressedSize) * 1032 + 65536)
      throw std::runtime_error(path + ": bad gzip member " + std::to_string(members.size() + 1) + " at byte " +
                               std::to_string(offset) + ": it claims " + std::to_string(m.uncompressedSize) +
                               " bytes from " + std::to_string(m.compressedSize) + " compressed");
    if (offset + m.compressedSize > fileSize)
      throw std::runtime_error(path + ": truncated gzip stream (member " + std::to_string(members.size() + 1) +
                               " at byte " + std::to_string(offset) + " needs " + std::to_string(m.compressedSize) +
                               " bytes, the file has " + std::to_string(fileSize - offset) + " left)");
    members.push_back(m);
    offset += m.compressedSize;
    stream += m.uncompressedSize;
  }
  return !members.empty();
}

void decompressMember(const std::string& path, const unsigned char* member, const Member& m, unsigned char* out) {
  std::size_t produced = 0;
  const libdeflate_result r =
      libdeflate_gzip_decompress(threadDecompressor(), member, m.compressedSize, out, m.uncompressedSize, &produced);
  if (r != LIBDEFLATE_SUCCESS || produced != m.uncompressedSize)
    throw std::runtime_error(path + ": corrupt gzip stream (member at byte " + std::to_string(m.offset) +
                             " does not decompress to its " + std::to_string(m.uncompressedSize) + " bytes)");
}

std::size_t decompressAll(const std::string& path, const unsigned char* in, std::size_t inSize, unsigned char* out,
                          std::size_t capacity) {
  libdeflate_decompressor* d = threadDecompressor();
  std::size_t inPos = 0, outPos = 0;
  while (inPos < inSize) {
    if (inSize - inPos < 18 || in[inPos] != 0x1f || in[inPos + 1] != 0x8b) {
      if (outPos > 0 && std::all_of(in + inPos, in + inSize, [](unsigned char b) { return b == 0; })) break;
      if (outPos > 0 && inSize - inPos < 18 && in[inPos] == 0x1f)
        throw std::runtime_error(path + ": truncated gzip stream (it ends inside a member header)");
      if (outPos > 0) break;  // trailing garbage after complete members: gzip warns and keeps the data
      throw std::runtime_error(path + ": corrupt gzip stream (no gzip header)");
    }
    std::size_t used = 0, produced = 0;
    const libdeflate_result r =
        libdeflate_gzip_decompress_ex(d, in + inPos, inSize - inPos, out + outPos, capacity - outPos, &used, &produced);
    if (r == LIBDEFLATE_INSUFFICIENT_SPACE)
      throw std::runtime_error(path + ": the gzip stream holds more data than expected (over " +
                               std::to_string(capacity) + " bytes)");
    if (r != LIBDEFLATE_SUCCESS) {
      // A cut stream and a damaged one look alike to the decoder; the gzip trailer's ISIZE of a cut
      // file is arbitrary bytes, which is the better hint to the user.
      throw std::runtime_error(path + ": truncated or corrupt gzip stream (member at byte " + std::to_string(inPos) +
                               " does not decompress)");
    }
    inPos += used;
    outPos += produced;
  }
  return outPos;
}

}  // namespace gzip
}  // namespace mc
