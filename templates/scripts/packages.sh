#!/bin/bash
# mastodon-packages: brings one host's third-party apt sources and its packages to the desired
# state on stdin, which the plan renders from the same list cloud-init installs at first boot.
# The program runs it after the first boot and before the converge whenever that state changes:
# a host created before a role or a release needed a package gets it here (a first boot's host
# finds nothing missing).
#  - one run at a time, never beside a converge: it takes the converge's lock;
#  - a source's signing key is fetched over HTTPS and accepted only when the file holds exactly
#    one key, the one with the plan's full fingerprint; keys and sources go into root's own
#    /etc/apt/keyrings and sources.list.d (every directory on the way a real directory of root's
#    that nobody else may write), each staged there and renamed over its target, so a symlink at
#    the target is replaced, never followed;
#  - `apt-get update` only when a source or key changed (a killed run leaves a note so the next
#    one still updates), or once when an install fails on package lists older than the archive;
#  - missing packages are installed without recommends and with the configuration files already
#    there kept; their services start as Debian starts them at first boot, since the converge
#    that follows only restarts running units with the configuration it writes (PostgreSQL's
#    cluster too, which is why a PostgreSQL package waits for its data volume's mount);
#  - nothing is removed, except Debian's node-corepack when NodeSource's nodejs (which brings its
#    own corepack and conflicts with it) replaces a Debian nodejs older than the release needs.
#    A package the plan no longer lists stays: the role that needed it may have moved while its
#    data and its running service are still there (removing postgresql or redis-server stops
#    them), an admin or another package may rely on it, and a removal during a rollout could take
#    a library from the release still running. Sources stay so that what came from them still
#    gets updates.
# Ends with `packages: installed=N sources=M` (packages installed, sources whose key or file was written).
#
# Usage: mastodon-packages [--root DIR] < desired
#   --root DIR  apt's configuration and root's state under DIR instead of / (tests); apt-get,
#               dpkg-query, curl, gpg and mountpoint still come from PATH, so tests can stand them in.
# Desired state (from the program, tab-separated, one line each):
#   mastodon-packages 1
#   source <TAB> list file <TAB> keyring <TAB> key fingerprint <TAB> key URL <TAB> base64 of the list file
#   package <TAB> name
#   node <TAB> major              nodejs must be at least this major (NodeSource's)
#   mount <TAB> path <TAB> package  install the package only while path is a mount point
#   end
set -euo pipefail
umask 077
export DEBIAN_FRONTEND=noninteractive

die() { echo "mastodon-packages: $*" >&2; exit 1; }

root=""
while [ $# -gt 0 ]; do
  case "$1" in
    --root) [ $# -ge 2 ] || die "--root needs a directory"; root="${2%/}"; shift 2 ;;
    *) echo "mastodon-packages: unknown argument: $1" >&2; exit 2 ;;
  esac
done

# Root in production; the tests' unprivileged user under --root. Owned by anyone else, a path is not ours to trust.
me="$(id -u)"
state="$root/var/lib/mastodon-stack"
for d in "$root/var/lib" "$state"; do [ ! -L "$d" ] || die "$d is a symbolic link; refusing to keep root's state through it"; done
install -d -m 0700 "$state"
[ "$(stat -c '%u %a' "$state")" = "$me 700" ] || die "$state must be root's, mode 0700"

# The converge's lock (templates/scripts/converge.sh): packages change under no converge, and two
# `pulumi up`s take turns.
exec 9> "$state/lock"
flock -w "${MASTODON_CONVERGE_LOCK_WAIT:-900}" 9 || die "a converge or packages run has held $state/lock for ${MASTODON_CONVERGE_LOCK_WAIT:-900} s"

work="$state/packages-run"
rm -rf "$work"
install -d -m 0700 "$work" "$work/gnupg"
trap 'rm -rf "$work"' EXIT
# Set when sources changed and apt-get update has not yet succeeded since.
pending="$state/packages-update-pending"

# --- parse --------------------------------------------------------------------------------------
IFS= read -r header || die "empty input on stdin"
[ "$header" = "mastodon-packages 1" ] || die "not a version-1 packages input (first line: ${header:0:40})"
lists=(); keyrings=(); fingerprints=(); urls=(); packages=(); mount_paths=(); mount_packages=()
node_major=""
ended=0
name_re='^[a-z0-9][a-z0-9+.-]+$'
while IFS=$'\t' read -r kind a b c d e; do
  case "$kind" in
    source)
      [[ "$a" =~ ^/etc/apt/sources\.list\.d/[a-z0-9][a-z0-9-]*\.(list|sources)$ ]] || die "refusing source file '$a'"
      [[ "$b" =~ ^/etc/apt/keyrings/[a-z0-9][a-z0-9-]*\.gpg$ ]] || die "refusing keyring '$b'"
      [[ "$c" =~ ^[0-9A-F]{40}$ ]] || die "refusing fingerprint '$c' for $a: a full fingerprint is 40 hex digits"
      [[ "$d" =~ ^https://[A-Za-z0-9.-]+(/[A-Za-z0-9._~/-]*)?$ ]] || die "refusing key URL '$d' for $a"
      printf '%s' "$e" | base64 -d > "$work/list.${#lists[@]}" 2>/dev/null || die "bad base64 for $a"
      [ -s "$work/list.${#lists[@]}" ] || die "empty content for $a"
      lists+=("$a"); keyrings+=("$b"); fingerprints+=("$c"); urls+=("$d") ;;
    package)
      [[ "$a" =~ $name_re && -z "$b" ]] || die "refusing package line: $a"
      packages+=("$a") ;;
    node)
      [[ "$a" =~ ^[1-9][0-9]*$ && -z "$b" ]] || die "refusing node line: $a"
      node_major="$a" ;;
    mount)
      [[ "$a" =~ ^(/[A-Za-z0-9_][A-Za-z0-9._-]*)+$ && "$b" =~ $name_re && -z "$c" ]] || die "refusing mount line: $a $b"
      mount_paths+=("$a"); mount_packages+=("$b") ;;
    end) ended=1; break ;;
    *) die "unexpected input line: ${kind:0:40}" ;;
  esac
done
[ "$ended" = 1 ] || die "input is truncated (no end line)"

# --- what is installed ----------------------------------------------------------------------------
# name <TAB> version of each package dpkg has installed; unknown names are simply absent.
installed() {
  { dpkg-query -W -f='${Package}\t${db:Status-Status}\t${Version}\n' "$@" 2>/dev/null || true; } | awk -F'\t' '$2 == "installed" { print $1 "\t" $3 }'
}
declare -A have=()
while IFS=$'\t' read -r p v; do have["$p"]="$v"; done < <(installed "${packages[@]+"${packages[@]}"}" curl gpg nodejs node-corepack)
# "24.11.1-1nodesource1", "1:20.19.2+dfsg-1" → 24, 20
major() { local v="${1#*:}"; v="${v%%[!0-9]*}"; echo "${v:-0}"; }

missing=(); remove=()
for p in "${packages[@]+"${packages[@]}"}"; do [ -n "${have[$p]+x}" ] || missing+=("$p"); done
if [ -n "$node_major" ] && [ -n "${have[nodejs]+x}" ] && [ "$(major "${have[nodejs]}")" -lt "$node_major" ]; then
  # apt-get install's trailing "-" removes in the same transaction: never a moment without Node.
  missing+=(nodejs)
  if [ -n "${have[node-corepack]+x}" ]; then remove+=(node-corepack-); fi
fi

for ((j = 0; j < ${#mount_paths[@]}; j++)); do
  for p in "${missing[@]+"${missing[@]}"}"; do
    [ "$p" = "${mount_packages[$j]}" ] || continue
    mountpoint -q "$root${mount_paths[$j]}" || die "not installing $p: ${mount_paths[$j]} should be this host's data volume and is not mounted, and the package would create its data on the root disk (mount the volume there, as the first boot does, then run again)"
  done
done

apt_get() { apt-get -q -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@"; }
updated=0
# Plain `apt-get update` exits 0 when a source cannot be fetched (checked: apt 2.6 with an
# unreachable source), which would clear the pending note with NodeSource's lists still missing
# and leave every later run dying at the Node check: any failed source fails the update here.
update() { apt_get --error-on=any update || die "apt-get update failed"; updated=1; }
install_packages() {
  if ! apt_get install -y --no-install-recommends "$@"; then
    [ "$updated" = 0 ] || die "apt-get install $* failed"
    # Lists older than the archive name versions it has replaced since: refresh once, try again.
    update
    apt_get install -y --no-install-recommends "$@" || die "apt-get install $* failed"
  fi
}
done_installs=()

# --- sources ----------------------------------------------------------------------------------
# Every directory from / down to $1 must be a real directory of root's that nobody else may
# write, or whatever apt reads from it would not be root's word; missing ones are made 0755.
check_dir() {
  local path="$root" part o m
  local -a parts
  IFS=/ read -r -a parts <<< "${1#/}"
  for part in "${parts[@]}"; do
    path="$path/$part"
    [ ! -L "$path" ] || die "$path is a symbolic link; refusing to write apt's configuration through it"
    [ -e "$path" ] || install -d -m 0755 "$path"
    [ -d "$path" ] || die "$path is not a directory"
    read -r o m < <(stat -c '%u %a' "$path")
    [ "$o" = "$me" ] || die "$path belongs to uid $o, not to root"
    [ $((8#$m & 8#022)) -eq 0 ] || die "$path is writable by group or others (mode $m)"
  done
  # apt reads keys as its unprivileged _apt user, so the keyrings directory is readable by all.
  chmod 0755 "$path"
  rm -f "$path"/.mastodon-packages.*
}

# Whether target $2 already holds work file $1's bytes, as a regular file of root's, mode 0644.
same() {
  [ -f "$2" ] && [ ! -L "$2" ] && cmp -s "$1" "$2" && [ "$(stat -c '%u %a' "$2")" = "$me 644" ]
}

# Puts work file $1 at $2, mode 0644: staged beside the target (a directory check_dir passed) and
# renamed over it. The note that an update is due is written first, so a run killed from here on
# still leaves it.
place() {
  local staged
  : > "$pending"
  staged="$(mktemp "$(dirname "$2")/.mastodon-packages.XXXXXX")"
  cat "$1" > "$staged"
  chmod 0644 "$staged"
  mv -fT "$staged" "$2"
  echo "wrote ${2#"$root"}"
}

gpg_() { gpg --batch --no-options --no-autostart --homedir "$work/gnupg" "$@"; }
# Fetches the key at $1 into $3 (binary keyring) when it is exactly one key, with fingerprint $2.
fetch_key() {
  local url="$1" fpr="$2" out="$3" got
  curl -fsSL --proto '=https' --tlsv1.2 --max-time 60 --retry 3 -o "$work/key" "$url" || die "could not fetch the signing key $url"
  got="$(gpg_ --with-colons --show-keys "$work/key" 2>/dev/null | awk -F: '$1 == "pub" { want = 1; next } want && $1 == "fpr" { print $10; want = 0 }' | paste -sd' ')" || true
  [ "$got" = "$fpr" ] || die "the key at $url is not exactly the key $fpr (it holds: ${got:-no key}); refusing it"
  if grep -q -- '-----BEGIN PGP PUBLIC KEY BLOCK-----' "$work/key"; then gpg_ --dearmor < "$work/key" > "$out"; else cp "$work/key" "$out"; fi
}

sources_written=0
if [ "${#lists[@]}" -gt 0 ]; then
  tools=()
  for t in curl gpg; do [ -n "${have[$t]+x}" ] || tools+=("$t"); done
  if [ "${#tools[@]}" -gt 0 ]; then install_packages "${tools[@]}"; done_installs+=("${tools[@]}"); fi
  check_dir /etc/apt/keyrings
  check_dir /etc/apt/sources.list.d
  for ((i = 0; i < ${#lists[@]}; i++)); do
    fetch_key "${urls[$i]}" "${fingerprints[$i]}" "$work/keyring.$i"
    wrote=0
    # place is the last command of its list, where errexit still holds (never `if place`).
    same "$work/keyring.$i" "$root${keyrings[$i]}" || { place "$work/keyring.$i" "$root${keyrings[$i]}"; wrote=1; }
    same "$work/list.$i" "$root${lists[$i]}" || { place "$work/list.$i" "$root${lists[$i]}"; wrote=1; }
    sources_written=$((sources_written + wrote))
  done
fi
if [ -e "$pending" ]; then update; rm -f "$pending"; fi

# --- packages ---------------------------------------------------------------------------------
todo=()
for p in "${missing[@]+"${missing[@]}"}"; do
  case " ${done_installs[*]+"${done_installs[*]}"} " in *" $p "*) ;; *) todo+=("$p") ;; esac
done
if [ "${#todo[@]}" -gt 0 ]; then install_packages "${todo[@]}" "${remove[@]+"${remove[@]}"}"; done_installs+=("${todo[@]}"); fi

if [ -n "$node_major" ]; then
  v="$(installed nodejs | cut -f2)"
  [[ -n "$v" && "$(major "$v")" -ge "$node_major" ]] || die "nodejs ${v:-is not installed}: the release needs Node $node_major or newer from NodeSource, which apt did not install (\`apt-cache policy nodejs\` says why)"
fi

[ "$updated" = 0 ] || echo "ran apt-get update"
for p in "${done_installs[@]+"${done_installs[@]}"}"; do echo "installed $p"; done
for p in "${remove[@]+"${remove[@]}"}"; do echo "removed ${p%-} (NodeSource's nodejs brings its own corepack)"; done
echo "packages: installed=${#done_installs[@]} sources=$sources_written"
