#pragma once
// Training allocates the same large tensors every step (ConvNet4: 8-10 MB of spikes, gradients
// and index buffers per layer). glibc's malloc serves blocks above its mmap threshold with a
// fresh mapping and unmaps them on free (and trims the heap top above its trim threshold), so
// every step pays a page fault per 4 KB page it touches again: 8 us each on the shared dev VM,
// where they were 4% of a Fashion-MNIST conv step (perf), and the step ran 5-10% faster with
// both thresholds raised (bench_mnist_epoch --model conv, one thread, AMD EPYC, busy machine,
// 2 runs each: 161-167 -> 150-153 ms per step).
#include <vector>

namespace soma {

// Native programs call this at the start of main(): blocks up to 32 MB (glibc's largest mmap
// threshold) come from the heap, and freed memory stays with the process for reuse instead of
// going back to the kernel. Returns false where the C library has no such settings (not glibc)
// or refused them; the program runs as before then.
bool keep_freed_memory();

// Moves v's values into a fresh buffer that the kernel backs with 2 MB pages where it can
// (Linux transparent huge pages, asked for with madvise before the buffer is first touched).
// For large tables read at random rows: a batch of 256 Fashion-MNIST images gathered from the
// 188 MB training set is 256 TLB misses on 4 KB pages, whose page walks (nested on a VM) miss
// the caches after a training step has streamed 30 MB; with 2 MB pages the whole set is 94 TLB
// entries. make_batch after a 49 MB memset, AMD EPYC VM, 200 batches: 0.75-1.3 ms -> 0.12 ms per
// batch; the rec epoch's load phase swung 0.3-2.5 ms per step before. Returns whether the advice
// was given (false: not Linux, v under 4 MB, or the kernel refused; v holds the same values).
bool use_huge_pages(std::vector<float>& v);

}  // namespace soma
