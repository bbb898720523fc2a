#!/usr/bin/env bash
# System packages from Debian, installed when running as root:
# - dataset-fashion-mnist: the real Fashion-MNIST, offline (the book's chapter 3 onwards);
# - chromium, chromium-driver: the headless browser of the site check in `make test`.
# Where they live is booktools.paths' business; this script asks it ($1: the venv's python).
set -u
py=${1:-.venv/bin/python}
where() { "$py" -m booktools.paths "$1"; }
want=()
# empty when the library would have to download Fashion-MNIST
[ -n "$(where fashion_mnist 2>/dev/null)" ] || want+=(dataset-fashion-mnist)
[ -x "$(where chromium)" ] && [ -x "$(where chromedriver)" ] || want+=(chromium chromium-driver)
if [ ${#want[@]} -eq 0 ]; then
  echo "setup: Fashion-MNIST and chromium are installed"
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${want[@]}" >/dev/null \
    && echo "setup: installed ${want[*]} from Debian" && exit 0
  echo "setup: apt-get could not install ${want[*]}" >&2
  exit 1
fi
cat <<MSG
setup: not root, so these Debian packages were not installed: ${want[*]}
  sudo apt-get install ${want[*]}
Without dataset-fashion-mnist the book downloads Fashion-MNIST on first use
(needs internet), or reads the four *-ubyte.gz files from a folder named by
D2L_DATA_MIRROR. Without chromium the browser check of the site is skipped.
MSG
