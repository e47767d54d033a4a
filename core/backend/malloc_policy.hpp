#pragma once
// Training allocates the same large tensors every step (ConvNet4: 8-10 MB of spikes, gradients
// and index buffers per layer). glibc's malloc serves blocks above its mmap threshold with a
// fresh mapping and unmaps them on free (and trims the heap top above its trim threshold), so
// every step pays a page fault per 4 KB page it touches again: 8 us each on the shared dev VM,
// where they were 4% of a Fashion-MNIST conv step (perf), and the step ran 5-10% faster with
// both thresholds raised (bench_mnist_epoch --model conv, one thread, AMD EPYC, busy machine,
// 2 runs each: 161-167 -> 150-153 ms per step).
namespace soma {

// Native programs call this at the start of main(): blocks up to 32 MB (glibc's largest mmap
// threshold) come from the heap, and freed memory stays with the process for reuse instead of
// going back to the kernel. Returns false where the C library has no such settings (not glibc)
// or refused them; the program runs as before then.
bool keep_freed_memory();

}  // namespace soma
