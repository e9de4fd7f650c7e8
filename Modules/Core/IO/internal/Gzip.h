#pragma once
// Gzip for NIfTI (.nii.gz) with libdeflate, which is several times faster than zlib but has no
// streaming interface: it compresses and decompresses whole buffers only.
//
// Writing: the byte stream is cut into fixed-size blocks, each compressed on its own into a complete
// gzip member; the members are concatenated (as pigz and BGZF do; every gzip reader, zlib, nibabel
// and FSL included, reads concatenated members as one stream). Each member's header carries an
// FEXTRA subfield 'M','C' (RFC 1952 §2.3.1.1) with the member's compressed and uncompressed sizes,
// so that our reader can find every member without decompressing and decompress them in parallel
// straight into their final place. The bytes depend on the data and the level only, never on the
// number of threads.
//
// Reading: a file whose every member has the subfield is split by it; any other gzip (one member,
// or foreign concatenated members) is decompressed as a whole buffer, member after member.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mc {
namespace gzip {

// Uncompressed bytes per member. 1 MiB: 4 MiB members are no smaller (within 0.1%, measured on
// the float32 phantom and int16 BOLD data, MotionCorrectionIOBenchmark), 256 KiB ones barely
// larger; it keeps a few MB in flight per thread, and a 100 MB run still splits into ~100 members
// for the threads to share.
constexpr std::size_t kBlockBytes = std::size_t(1) << 20;
// libdeflate level 1, the fastest: on a 64x64x33x200 float32 phantom run its files are 0.2%
// smaller than zlib -6's (noisy float data barely compresses at any level), on int16 BOLD
// (studyforrest) 4.1% larger; levels 2-6 cost 30-130% more time for at most 3% (2026-12-02, see
// NiftiFormat.CompressedSizeWithinTenPercentOfZlib6 and the benchmark).
constexpr int kLevel = 1;

// One member of our format: header (with the subfield), deflate data, CRC32, ISIZE.
std::vector<unsigned char> compressMember(const unsigned char* data, std::size_t size, int level = kLevel);

// Compresses data into consecutive members of kBlockBytes (the last shorter), on `threads` threads.
std::vector<unsigned char> compress(const unsigned char* data, std::size_t size, int threads = 1, int level = kLevel);

struct Member {
  std::uint64_t offset = 0;          // in the file
  std::uint32_t compressedSize = 0;  // whole member, header to ISIZE
  std::uint32_t uncompressedSize = 0;
  std::uint64_t streamOffset = 0;    // of its first uncompressed byte
};

// The members of a gzip file written by compressMember, from their headers alone (`read(offset,
// bytes, out)` returns how many bytes it could read there). Returns false if the file is gzip but
// not ours throughout (a member without the subfield); throws std::runtime_error
// "<path>: truncated ..." when a member runs past the end of the file.
bool scanMembers(const std::string& path, std::uint64_t fileSize,
                 const std::function<std::size_t(std::uint64_t, std::size_t, unsigned char*)>& read,
                 std::vector<Member>& members);

// Decompresses one of our members into exactly member.uncompressedSize bytes at out; throws
// "<path>: corrupt gzip stream ..." if it does not hold them or fails its CRC.
void decompressMember(const std::string& path, const unsigned char* member, const Member& m, unsigned char* out);

// Any gzip stream (one member or several) into out[0, capacity): returns the bytes produced. Throws
// "<path>: corrupt gzip stream ..." or "<path>: truncated gzip stream ..." (the stream ends inside a
// member), or "<path>: ... more data than expected" when capacity is too small.
std::size_t decompressAll(const std::string& path, const unsigned char* in, std::size_t inSize, unsigned char* out,
                          std::size_t capacity);

// Runs body(i) for i in [0, count) on up to `threads` threads (the caller's included); rethrows the
// first exception after all have stopped.
void parallelFor(std::size_t count, int threads, const std::function<void(std::size_t)>& body);

// 0 means all cores.
int resolveThreads(int threads);

}  // namespace gzip
}  // namespace mc
