#!/usr/bin/env bash
# Every symbol a per-level kernel object (core/backend/cpu/kernels_isa_*.cpp) defines for the
# linker must lie in that level's namespace (soma::isa_v4, its Eigen copy soma::isa_v4::Eigen,
# or a template instantiated with their types): otherwise an inline or template function
# compiled with AVX-512 (a weak symbol) may be the copy the linker keeps for the whole program,
# and baseline code calling it crashes on a CPU without AVX-512.
# Usage: isa_symbols.sh NM OBJECT_DIR   (OBJECT_DIR: build/CMakeFiles/soma_core.dir)
set -euo pipefail
nm=$1
dir=$2
objects=$(find "$dir" -name 'kernels_isa_*.cpp.o' | sort)
if [ -z "$objects" ]; then
  echo "isa_symbols: no kernels_isa_*.cpp.o under $dir (build soma_core first)" >&2
  exit 1
fi
status=0
for obj in $objects; do
  ns=$(basename "$obj" .cpp.o)
  ns=${ns#kernels_}                # isa_generic, isa_v3, isa_v4
  mangled="4soma${#ns}${ns}"       # how the namespace appears in an Itanium-mangled name
  count=0
  while read -r addr type name; do
    count=$((count + 1))
    # Allowed outside: data and helpers that are the same bytes whatever the -march, namely
    # DW.ref.__gxx_personality_v0 (the exception personality's address), typeinfo objects and
    # names (_ZTI, _ZTS: clang's -fsanitize=function emits them for function types), and
    # clang's __clang_call_terminate; and std::bad_alloc's constructor (one store of its vtable
    # pointer; Eigen throws it, and clang -O1 in the sanitize build leaves it out of line).
    case $name in
      DW.ref.__gxx_personality_v0 | _ZTI* | _ZTS* | __clang_call_terminate) continue ;;
      _ZNSt9bad_allocC1Ev | _ZNSt9bad_allocC2Ev) continue ;;
    esac
    if [[ $name != *"$mangled"* ]]; then
      echo "isa_symbols: $(basename "$obj") defines $type $(echo "$name" | c++filt) outside soma::$ns"
      status=1
    fi
  done < <("$nm" --defined-only --extern-only "$obj")
  echo "isa_symbols: $(basename "$obj"): $count external symbols checked"
done
exit $status
