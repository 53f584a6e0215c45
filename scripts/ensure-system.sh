#!/usr/bin/env bash
# Installs the Debian packages the tests use (QEMU, the ARM toolchain, Duktape, nats-server) when they
# are missing. As root it runs apt-get; otherwise it stops with the exact line to run.
set -euo pipefail
pkgs=(qemu-system-arm gcc-arm-none-eabi libnewlib-arm-none-eabi duktape-dev nats-server)
missing=()
command -v qemu-system-arm >/dev/null || missing+=(qemu-system-arm)
command -v arm-none-eabi-gcc >/dev/null || missing+=(gcc-arm-none-eabi)
[ -d /usr/lib/arm-none-eabi/newlib ] || missing+=(libnewlib-arm-none-eabi)
[ -f /usr/share/duktape/duktape.c ] || missing+=(duktape-dev)
command -v nats-server >/dev/null || [ -x /usr/sbin/nats-server ] || missing+=(nats-server)
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
