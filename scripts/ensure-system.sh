#!/usr/bin/env bash
# Installs the Debian packages the tests use (QEMU, the ARM toolchain, Duktape, nats-server, python3-can) when they
# are missing, and gcc-multilib on x86-64: the Duktape test runner is built with `cc -m32` so that its
# heap figures are those of the 32-bit boards. As root it runs apt-get; otherwise it stops with the
# exact line to run.
set -euo pipefail
# make, patch, git and python3 build Espruino 2v29 from the vendored archive (engines/espruino/build.ts).
pkgs=(gcc qemu-system-arm gcc-arm-none-eabi libnewlib-arm-none-eabi duktape-dev nats-server cmake make patch git python3 python3-can can-utils lrzsz)
missing=()
if [ "$(uname -m)" = x86_64 ]; then
  pkgs+=(gcc-multilib)
  probe=$(mktemp -d)
  printf '#include <stdio.h>\nint main(void) { return sizeof(void *) == 4 ? 0 : 1; }\n' >"$probe/m32.c"
  if cc -m32 -o "$probe/m32" "$probe/m32.c" >/dev/null 2>&1; then
    # Sandboxed kernels (gVisor) run no 32-bit programs: the runner then runs under qemu-i386.
    if ! "$probe/m32" >/dev/null 2>&1; then
      pkgs+=(qemu-user)
      command -v qemu-i386 >/dev/null || missing+=(qemu-user)
    fi
  else
    missing+=(gcc-multilib)
  fi
  rm -rf "$probe"
fi
command -v gcc >/dev/null || missing+=(gcc) # the MAVLink C test peer (sim/mavlink-peer)
command -v qemu-system-arm >/dev/null || missing+=(qemu-system-arm)
command -v arm-none-eabi-gcc >/dev/null || missing+=(gcc-arm-none-eabi)
[ -d /usr/lib/arm-none-eabi/newlib ] || missing+=(libnewlib-arm-none-eabi)
[ -f /usr/share/duktape/duktape.c ] || missing+=(duktape-dev)
command -v nats-server >/dev/null || [ -x /usr/sbin/nats-server ] || missing+=(nats-server)
# JerryScript (engines/jerryscript) builds with CMake.
command -v cmake >/dev/null || missing+=(cmake)
command -v make >/dev/null || missing+=(make)
# The CAN tests' bus is Debian's python3-can (slcan on pseudo-terminals), for Debian's own python.
/usr/bin/python3 -c "import can, serial" >/dev/null 2>&1 || missing+=(python3-can)
command -v cansend >/dev/null || missing+=(can-utils)
# `cell flash --board rpi-pico` is tested against lrzsz's YMODEM receiver (rb --ymodem).
command -v rb >/dev/null || missing+=(lrzsz)
for tool in patch git python3; do command -v $tool >/dev/null || missing+=($tool); done
[ ${#missing[@]} -eq 0 ] && exit 0
line="apt-get install -y ${pkgs[*]}"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "cell: installing ${missing[*]} ($line)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${pkgs[@]}" >/dev/null
else
  echo "cell: missing system packages: ${missing[*]}" >&2
  echo "cell: install them with: sudo $line" >&2
  exit 1
fi
