#!/bin/bash
# Builds the Debian 13 root every booted test host starts from: what a cloud image has that our
# user-data relies on (systemd as PID 1, cloud-init with the NoCloud source, sshd, networkd,
# e2fsprogs for a data volume's first mkfs),
# through the harness's apt-cacher-ng so the packages are cached for the hosts' own installs.
# Usage: build-root.sh OUT.tar.zst PROXY_URL
set -euo pipefail
out="$1" proxy="$2"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/customize.sh" <<'HOOK'
#!/bin/sh
set -e
r="$1"
rm -f "$r/etc/apt/sources.list"
cat > "$r/etc/apt/sources.list.d/debian.sources" <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie trixie-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: trixie-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
mkdir -p "$r/etc/cloud/cloud.cfg.d"
printf 'datasource_list: [ NoCloud, None ]\n' > "$r/etc/cloud/cloud.cfg.d/90-harness-datasource.cfg"
chroot "$r" systemctl enable systemd-networkd.service >/dev/null
# A booted test host has no console to log in on, and no hardware clock to sync.
chroot "$r" systemctl mask console-getty.service getty@tty1.service systemd-timesyncd.service >/dev/null 2>&1 || true
: > "$r/etc/machine-id"
rm -f "$r"/etc/ssh/ssh_host_*
rm -f "$r/etc/apt/apt.conf.d/99mmdebstrap" 2>/dev/null || true
# root's user manager (started for every SSH session) takes its full 90 s to stop in a
# container; nothing of ours runs in it, so poweroff need not wait for it.
mkdir -p "$r/etc/systemd/system/user@.service.d"
printf '[Service]\nTimeoutStopSec=5s\n' > "$r/etc/systemd/system/user@.service.d/harness.conf"
HOOK
chmod +x "$tmp/customize.sh"

eatmydata mmdebstrap --mode=root --variant=apt --format=tar \
  --aptopt="Acquire::http::Proxy \"$proxy\"" \
  --dpkgopt=force-unsafe-io \
  --include=systemd,systemd-sysv,systemd-resolved,dbus,openssh-server,cloud-init,iproute2,python3,curl,ca-certificates,netbase,procps,debian-archive-keyring,apt-utils,gnupg,sudo,less,locales,e2fsprogs \
  --customize-hook="$tmp/customize.sh \"\$1\"" \
  trixie "$tmp/root.tar" \
  "deb http://deb.debian.org/debian trixie main" \
  "deb http://deb.debian.org/debian trixie-updates main" \
  "deb http://deb.debian.org/debian-security trixie-security main"
zstd -q -T0 -3 "$tmp/root.tar" -o "$tmp/root.tar.zst"
mv -f "$tmp/root.tar.zst" "$out"
