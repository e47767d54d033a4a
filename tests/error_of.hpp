#pragma once
// The message of the exception a call throws: the tests that check bad input or a wrong device
// read what the user would read. A call that throws nothing fails the test.
#include <doctest/doctest.h>

#include <exception>
#include <string>

namespace soma::test {

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  FAIL("expected an exception");
  return "";
}

}  // namespace soma::test
