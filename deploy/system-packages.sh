#!/usr/bin/env bash
# The system packages OneStop needs on Debian or Ubuntu, installed with apt-get when run as root.
#
#   bash deploy/system-packages.sh                 what `make run` needs: Python with venv, Pango, the CJK font
#   bash deploy/system-packages.sh --with-browser  also Chromium, for the end-to-end tests (`make test`, CI)
#   bash deploy/system-packages.sh --check [...]   only say what is missing (exit 1 if anything is)
#
# Not root and something missing: it says what to install and exits 1, installing nothing.
set -euo pipefail

check_only=false
with_browser=false
for arg in "$@"; do
  case "$arg" in
    --check) check_only=true ;;
    --with-browser) with_browser=true ;;
    *) echo "用法：$0 [--check] [--with-browser]" >&2; exit 2 ;;
  esac
done

missing=()
command -v make >/dev/null 2>&1 || missing+=(make)
command -v python3 >/dev/null 2>&1 || missing+=(python3 python3-pip)
python3 -c "import venv, ensurepip" >/dev/null 2>&1 || missing+=(python3-venv)
# Documents: WeasyPrint needs Pango; the official CJK serif font is AR PL UMing, found through fontconfig.
# The library list is read once: `ldconfig -p | grep -q` under pipefail fails at random when grep
# stops reading early and ldconfig dies of SIGPIPE.
libraries=$(ldconfig -p 2>/dev/null || true)
grep -q "libpango-1.0.so" <<<"$libraries" || missing+=(libpango-1.0-0)
grep -q "libpangoft2-1.0.so" <<<"$libraries" || missing+=(libpangoft2-1.0-0)
[ -f /usr/share/fonts/truetype/arphic/uming.ttc ] || missing+=(fonts-arphic-uming)
command -v fc-match >/dev/null 2>&1 || missing+=(fontconfig)
# The end-to-end tests drive the system's Chromium through Playwright (no browser download).
if $with_browser; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "系统软件包已齐全"
  exit 0
fi
if $check_only; then
  echo "缺少系统软件包：${missing[*]}"
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "缺少系统软件包：${missing[*]}" >&2
  echo "请以 root 身份执行：apt-get install -y ${missing[*]}（或 sudo apt-get install -y ${missing[*]}），然后重试" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "缺少系统软件包：${missing[*]}；本机没有 apt-get，请用系统的包管理器安装对应软件包" >&2
  exit 1
fi
echo "安装系统软件包：${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
