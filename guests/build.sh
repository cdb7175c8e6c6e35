#!/usr/bin/env bash
# Builds every guest ELF reproducibly (same bytes on every build, no paths or timestamps inside).
# Usage: guests/build.sh [output-dir]   (default: guests/, where the committed ELFs live)
set -euo pipefail
cd "$(dirname "$0")"
out="${1:-.}"
mkdir -p "$out"
CC="${CC:-clang}"
CFLAGS=(--target=riscv32-unknown-elf -march=rv32im -mabi=ilp32 -nostdlib -ffreestanding -mno-relax
  -fuse-ld=lld -O2 -std=gnu11 -Wall -Wextra -Werror -fno-ident -fno-asynchronous-unwind-tables
  -fno-unwind-tables -Wl,--build-id=none -Wl,-T,lib/link.ld)
LIB=(lib/start.S lib/trap.c lib/uart.c lib/mem.c lib/timer.c lib/nic.c lib/disk.c lib/entropy.c)
GUESTS=(crc kvstore ledger clock)
for guest in "${GUESTS[@]}"; do
  "$CC" "${CFLAGS[@]}" -o "$out/$guest.elf" "${LIB[@]}" "$guest.c"
done
# Variants: a guest built from another's source with one feature switched off.
"$CC" "${CFLAGS[@]}" -DKVSTORE_QUIET -o "$out/kvstore-quiet.elf" "${LIB[@]}" kvstore.c
