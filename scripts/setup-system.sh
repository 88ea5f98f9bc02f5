#!/bin/sh
# System packages the tests need: Chromium (driven by Playwright through
# /usr/bin/chromium; `playwright install` is never used) and CJK fonts so that
# Chinese renders in the screenshots; the PostgreSQL server binaries, from which
# the PostgreSQL storage tests start a throwaway server of their own (as the
# postgres user, in a temporary folder); LibreOffice for .doc/.wps files.
# Debian/Ubuntu; does nothing when present.
set -eu

missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
# Any Chinese font will do (fontconfig comes with Chromium); else Noto CJK.
fc-list :lang=zh family 2>/dev/null | grep -q . || missing="$missing fonts-noto-cjk"
# Debian keeps initdb/pg_ctl off PATH, in a folder per major version.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
# LibreOffice (no GUI) converts Word 97–2003 .doc and WPS Office .wps files for the reader.
command -v soffice >/dev/null 2>&1 || missing="$missing libreoffice-writer-nogui"
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: need$missing, and apt-get is not available: install them with the system's package manager" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "error: need$missing: run as root or install sudo" >&2; exit 1; }
  sudo="sudo"
fi
echo "installing$missing"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends $missing
