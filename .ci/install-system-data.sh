#!/usr/bin/env bash
# Fashion-MNIST, real and offline: Debian's dataset-fashion-mnist package puts
# the four idx files under /usr/share/datasets/fashion-mnist/.
set -u
dir=/usr/share/datasets/fashion-mnist
if [ -f "$dir/train-images-idx3-ubyte.gz" ]; then
  echo "setup: Fashion-MNIST found in $dir"
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null \
    && echo "setup: installed Debian's dataset-fashion-mnist into $dir" && exit 0
  echo "setup: apt-get could not install dataset-fashion-mnist" >&2
  exit 1
fi
cat <<MSG
setup: Fashion-MNIST is not installed system-wide. Either
  sudo apt-get install dataset-fashion-mnist     (Debian/Ubuntu), or
  let the book download it on first use (needs internet), or
  put the four *-ubyte.gz files in a folder and export D2L_DATA_MIRROR=/that/folder
MSG
