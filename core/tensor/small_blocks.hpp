#pragma once
// Freed tensor buffers under kCachedMinBytes (memory_stats.hpp), kept per thread for the next
// buffer of their size class: capacities are powers of two from 64 B, one free list per class
// linked through the blocks themselves, at most kSmallClassBytes of blocks per class and thread.
//
// Why: a model of a few neurons (Norse's correlation experiment: 8) records hundreds of small
// ops per step, each allocating a 64-byte-aligned buffer. glibc's aligned allocation splits a
// larger chunk each time and merges the pieces back on free: malloc and free took 34% of the
// correlation task's time, _int_memalign alone 11%. With these lists (and Node::visited) its
// 1000 episodes at the web's size took 3.66 s of CPU time where they took 4.11 (one thread,
// AMD EPYC; median of 5, the builds interleaved).
//
// The lists are not counted in MemoryStats::cached_bytes (other threads' lists cannot be read);
// memory_cache_limit() 0 turns them off too. Under AddressSanitizer they are off, so a
// use-after-free still shows.
#include <cstdint>

#if defined(__SANITIZE_ADDRESS__)  // GCC
#define SOMA_SMALL_BLOCKS 0
#elif defined(__has_feature)  // clang
#if __has_feature(address_sanitizer)
#define SOMA_SMALL_BLOCKS 0
#endif
#endif
#ifndef SOMA_SMALL_BLOCKS
#define SOMA_SMALL_BLOCKS 1
#endif

namespace soma {

constexpr bool kSmallBlocks = SOMA_SMALL_BLOCKS;  // false under AddressSanitizer
constexpr int64_t kSmallClassBytes = int64_t(1) << 18;

// A block of at least `bytes` (< kCachedMinBytes) from this thread's list, or null; capacity
// is set to the class's size, which the block must be allocated with when the list was empty.
void* take_small_block(int64_t bytes, int64_t& capacity);
// Keeps a block of that capacity for reuse; false when the caller must free it.
bool give_small_block(void* p, int64_t capacity);
// Frees this thread's lists (release_cached_memory).
void release_small_blocks();
// Off while memory_cache_limit() is 0.
void set_small_blocks_enabled(bool on);

}  // namespace soma
