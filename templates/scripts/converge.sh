#!/bin/bash
# mastodon-converge: brings one host's files to the bundle on stdin, then performs exactly the
# actions the changed files declare. Idempotent and safe to kill at any point:
#  - every file is written to a temporary name and renamed into place (readers never see half);
#  - the actions of changed files go into a journal before the first file is touched, so a run
#    killed after writing but before restarting restarts on the next run;
#  - nginx files are staged and checked with `nginx -t` first; a bad config is rolled back and
#    the run fails with nginx's message, before anything else changes.
# Files the previous bundle managed and this one does not are removed (units stopped first).
#
# Usage: mastodon-converge [--root DIR] < bundle
#   --root DIR  write under DIR instead of / (tests); service management still goes to systemctl.
# Bundle (from the program, one line each):
#   mastodon-bundle 1
#   file <TAB> path <TAB> mode <TAB> owner <TAB> group <TAB> sha256 <TAB> actions
#   <base64 of the content, one line>
#   end
# actions: comma-separated daemon-reload | update-ca-certificates | enable:U | reload:U | restart:U, or "-".
set -euo pipefail
umask 077

root=""
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root="${2%/}"; shift 2 ;;
    *) echo "mastodon-converge: unknown argument: $1" >&2; exit 2 ;;
  esac
done

state="$root/var/lib/mastodon-stack"
journal="$state/pending-actions"
managed="$state/managed-files"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$state"

die() { echo "mastodon-converge: $*" >&2; exit 1; }

# Atomic write of $1 (a file) over $2: same directory, fsync'd, then renamed.
replace() {
  local src="$1" dst="$2" tmp
  tmp="$(dirname "$dst")/.$(basename "$dst").converge.$$"
  cp -p "$src" "$tmp"
  sync "$tmp" 2>/dev/null || true
  mv -f "$tmp" "$dst"
}

# --- parse the bundle --------------------------------------------------------------------------
IFS= read -r header || die "empty bundle on stdin"
[ "$header" = "mastodon-bundle 1" ] || die "not a version-1 bundle (first line: ${header:0:40})"
paths=(); modes=(); owners=(); groups=(); sums=(); acts=()
n=0
ended=0
while IFS=$'\t' read -r kind path mode owner group sum actions; do
  case "$kind" in
    file)
      IFS= read -r content || die "bundle ends inside $path"
      printf '%s' "$content" | base64 -d > "$work/$n" || die "bad base64 for $path"
      got="$(sha256sum "$work/$n" | cut -d' ' -f1)"
      [ "$got" = "$sum" ] || die "checksum mismatch for $path (bundle damaged in transit)"
      paths+=("$path"); modes+=("$mode"); owners+=("$owner"); groups+=("$group"); sums+=("$sum"); acts+=("$actions")
      n=$((n + 1)) ;;
    end) ended=1; break ;;
    *) die "unexpected bundle line: ${kind:0:40}" ;;
  esac
done
[ "$ended" = 1 ] || die "bundle is truncated (no end line)"

# --- what changed ------------------------------------------------------------------------------
content_changed=(); meta_changed=()
for ((i = 0; i < n; i++)); do
  target="$root${paths[$i]}"
  if [ ! -f "$target" ] || [ "$(sha256sum "$target" | cut -d' ' -f1)" != "${sums[$i]}" ]; then
    content_changed+=("$i")
  elif [ "$(stat -c '%04a %U %G' "$target")" != "${modes[$i]} ${owners[$i]} ${groups[$i]}" ]; then
    meta_changed+=("$i")
  fi
done

# Files managed before and absent now.
removed=()
if [ -f "$managed" ]; then
  while IFS= read -r old; do
    keep=0
    for ((i = 0; i < n; i++)); do [ "${paths[$i]}" = "$old" ] && { keep=1; break; }; done
    [ "$keep" = 1 ] || removed+=("$old")
  done < "$managed"
fi

# --- journal: pending actions survive a killed run ---------------------------------------------
: > "$work/actions"
[ -f "$journal" ] && cat "$journal" >> "$work/actions"
for i in "${content_changed[@]+"${content_changed[@]}"}"; do
  [ "${acts[$i]}" = "-" ] || tr ',' '\n' <<< "${acts[$i]}" >> "$work/actions"
done
for old in "${removed[@]+"${removed[@]}"}"; do
  case "$old" in /etc/systemd/system/*) printf 'daemon-reload\nstop:%s\n' "$(basename "$old")" >> "$work/actions" ;; esac
done
cp "$journal" "$work/journal.before" 2>/dev/null || : > "$work/journal.before"
awk 'NF && !seen[$0]++' "$work/actions" > "$work/journal.new"
replace "$work/journal.new" "$journal"

# Missing parent directories are created root-owned 0755, one level at a time: under umask 077
# `mkdir -p` would make them 0700, and the users that read these files (mastodon for its env
# file and CA, postgres, redis and pgbouncer for their keys) could not even traverse them.
make_parents() {
  local dir="$1" path="" part
  local -a parts
  IFS=/ read -r -a parts <<< "${dir#/}"
  for part in "${parts[@]}"; do
    [ -n "$part" ] || continue
    path="$path/$part"
    [ -d "$path" ] || install -d -o root -g root -m 0755 "$path"
  done
}

install_file() {
  local i="$1" target="$root${paths[$1]}"
  make_parents "$(dirname "$target")"
  chown "${owners[$i]}:${groups[$i]}" "$work/$i"
  chmod "${modes[$i]}" "$work/$i"
  replace "$work/$i" "$target"
}

# --- nginx first: staged, tested, rolled back when nginx refuses it ---------------------------
nginx_files=(); other_files=()
for i in "${content_changed[@]+"${content_changed[@]}"}"; do
  case ",${acts[$i]}," in
    *,reload:nginx.service,* | *,restart:nginx.service,*) nginx_files+=("$i") ;;
    *) other_files+=("$i") ;;
  esac
done
if [ "${#nginx_files[@]}" -gt 0 ]; then
  for i in "${nginx_files[@]}"; do
    target="$root${paths[$i]}"
    if [ -f "$target" ]; then cp -p "$target" "$work/backup.$i"; fi
    install_file "$i"
  done
  if ! out="$(nginx -t 2>&1)"; then
    for i in "${nginx_files[@]}"; do
      target="$root${paths[$i]}"
      if [ -f "$work/backup.$i" ]; then replace "$work/backup.$i" "$target"; else rm -f "$target"; fi
    done
    replace "$work/journal.before" "$journal"
    printf 'mastodon-converge: nginx refused the new configuration; the previous files are back and nothing was reloaded:\n%s\n' "$out" >&2
    exit 1
  fi
fi

for i in "${other_files[@]+"${other_files[@]}"}"; do install_file "$i"; done
for i in "${meta_changed[@]+"${meta_changed[@]}"}"; do
  target="$root${paths[$i]}"
  chown "${owners[$i]}:${groups[$i]}" "$target"
  chmod "${modes[$i]}" "$target"
done

# --- actions, in an order that makes each one meaningful --------------------------------------
mapfile -t todo < "$journal"
has() { local a; for a in "${todo[@]+"${todo[@]}"}"; do [ "$a" = "$1" ] && return 0; done; return 1; }
units_for() { local a; for a in "${todo[@]+"${todo[@]}"}"; do case "$a" in "$1":*) echo "${a#*:}" ;; esac; done; }
done_actions=()
run() { "$@"; done_actions+=("$*"); }

for u in $(units_for stop); do run systemctl disable --now "$u" || true; done
for old in "${removed[@]+"${removed[@]}"}"; do rm -f "$root$old"; done
has daemon-reload && run systemctl daemon-reload
has update-ca-certificates && run update-ca-certificates --fresh >/dev/null
# Timers start at once (they only schedule jobs); services and targets start with the release.
for u in $(units_for enable); do
  case "$u" in
    *.timer) run systemctl enable --now --quiet "$u" ;;
    *) run systemctl enable --quiet "$u" ;;
  esac
done
restarts="$(units_for restart | sort -u)"
for u in $restarts; do run systemctl try-restart "$u"; done
# A unit restarted above has its new configuration already; reloading it again is noise.
for u in $(units_for reload | sort -u); do
  grep -qxF "$u" <<< "$restarts" || run systemctl try-reload-or-restart "$u"
done

# A unit restarted for a changed file must come back healthy before this host counts as done
# (the program converges app hosts one after another, so a change rolls through the instance).
# Only running units are checked: on a first install nothing runs yet.
checks="$root/etc/mastodon/health-checks"
if [ -f "$checks" ]; then
  while read -r unit url; do
    case "$unit" in ''|'#'*) continue ;; esac
    grep -qxF "restart:$unit" "$journal" || grep -qxF "reload:$unit" "$journal" || continue
    systemctl is-active --quiet "$unit" || continue
    start=$SECONDS
    until [ "$(curl -s -o /dev/null -w '%{http_code}' --connect-timeout 2 --max-time 5 "$url" 2>/dev/null || true)" = 200 ]; do
      if [ $((SECONDS - start)) -ge "${MASTODON_HEALTH_TIMEOUT:-120}" ]; then
        die "$unit was restarted but $url did not answer 200 within ${MASTODON_HEALTH_TIMEOUT:-120} s (journalctl -u $unit)"
      fi
      sleep 1
    done
    done_actions+=("healthy $unit")
  done < "$checks"
fi

printf '%s\n' "${paths[@]+"${paths[@]}"}" > "$work/managed.new"
replace "$work/managed.new" "$managed"
rm -f "$journal"

for i in "${content_changed[@]+"${content_changed[@]}"}"; do echo "changed ${paths[$i]}"; done
for i in "${meta_changed[@]+"${meta_changed[@]}"}"; do echo "fixed owner/mode ${paths[$i]}"; done
for old in "${removed[@]+"${removed[@]}"}"; do echo "removed $old"; done
for a in "${done_actions[@]+"${done_actions[@]}"}"; do echo "ran $a"; done
echo "converge: changed=${#content_changed[@]} fixed=${#meta_changed[@]} removed=${#removed[@]} actions=${#done_actions[@]}"
