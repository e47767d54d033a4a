#pragma once
// OpenMP's idle threads spin by default between parallel regions. On a machine with other work
// (a desktop, a shared CI runner) a spinning thread takes the core the busy one needs, and every
// barrier then waits for a time slice: a recurrent MNIST epoch measured 41.7 s instead of 3.6 s
// on two loaded cores. libgomp reads OMP_WAIT_POLICY only when it loads, before main(), so a
// program that wants the passive policy by default restarts itself once with it set.
namespace soma {

// Native programs call this first in main(). When OpenMP is in use and OMP_WAIT_POLICY is not
// set, sets it to "passive" and re-executes the program with the same arguments; otherwise (or
// if that fails) returns and the program goes on as it is. A user's own setting always wins.
void use_passive_openmp_wait(char** argv);

}  // namespace soma
