#!/bin/bash
# mastodon-converge: brings one host's files to the bundle on stdin, then performs exactly the
# actions the changed files declare. Idempotent and safe to kill at any point:
#  - one run at a time: a lock on the state directory is held for the whole run;
#  - the bundle is decoded into a root-only directory under the state directory, which the next
#    run removes if this one is killed (no decoded secret is left in /tmp);
#  - root never acts through a path another user controls: every file is staged root-only and
#    renamed into place (a symlink at the target is replaced, never followed); every existing
#    parent must be a real directory owned by root or by the file's own owner, and where such a
#    user owns one the final step runs as that user, so following anything it planted gains it
#    nothing; owners and modes are set on the staged file, never through the target's path;
#  - only paths under the allowed roots are written (ALLOWED_ROOTS, the renderer's list too);
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
# actions: comma-separated daemon-reload | update-ca-certificates | enable:U | apply:U | reload:U | restart:U, or "-".
set -euo pipefail
umask 077

root=""
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root="${2%/}"; shift 2 ;;
    *) echo "mastodon-converge: unknown argument: $1" >&2; exit 2 ;;
  esac
done

die() { echo "mastodon-converge: $*" >&2; exit 1; }

# Where rendered files may go (src/plan/render/host-file.ts keeps the same list).
ALLOWED_ROOTS=(/etc/mastodon/ /etc/systemd/system/ /etc/nginx/ /etc/letsencrypt/renewal-hooks/deploy/ /etc/pgbouncer/ /etc/postgresql/ /etc/redis/ /usr/local/sbin/ /usr/local/share/ca-certificates/)

state="$root/var/lib/mastodon-stack"
journal="$state/pending-actions"
managed="$state/managed-files"
for d in "$root/var/lib" "$state"; do [ ! -L "$d" ] || die "$d is a symbolic link; refusing to keep root's state through it"; done
install -d -o root -g root -m 0700 "$state"
[ "$(stat -c '%U %a' "$state")" = "root 700" ] || die "$state must be root's, mode 0700"

# One converge at a time: a second `pulumi up` waits here, then sees the first one's journal.
exec 9> "$state/lock"
flock -w "${MASTODON_CONVERGE_LOCK_WAIT:-900}" 9 || die "another converge has held $state/lock for ${MASTODON_CONVERGE_LOCK_WAIT:-900} s"

# Decoded files live here only while a run holds the lock; a killed run's are removed now.
work="$state/run"
rm -rf "$work"
install -d -o root -g root -m 0700 "$work"
trap 'rm -rf "$work"' EXIT

# Atomic write of $1 (a file in the work directory) over $2 inside root's own state directory.
replace() {
  local src="$1" dst="$2" tmp
  tmp="$(mktemp "$(dirname "$dst")/.converge.XXXXXX")"
  cat "$src" > "$tmp"
  sync "$tmp" 2>/dev/null || true
  mv -fT "$tmp" "$dst"
}

allowed() {
  local p="$1" a
  case "$p" in /*) ;; *) return 1 ;; esac
  case "$p/" in *//* | */./* | */../*) return 1 ;; esac
  for a in "${ALLOWED_ROOTS[@]}"; do [ "${p#"$a"}" != "$p" ] && [ -n "${p#"$a"}" ] && return 0; done
  return 1
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
      allowed "$path" || die "refusing $path: not under an allowed root (${ALLOWED_ROOTS[*]})"
      [[ "$mode" =~ ^0[0-7]{3}$ ]] || die "refusing $path: bad mode $mode"
      [[ "$owner" =~ ^[a-z_][a-z0-9_-]*$ && "$group" =~ ^[a-z_][a-z0-9_-]*$ ]] || die "refusing $path: bad owner or group $owner:$group"
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
  # A symlink at the target is replaced, whatever it points to (checksums would follow it).
  if [ -L "$target" ] || [ ! -f "$target" ] || [ "$(sha256sum "$target" | cut -d' ' -f1)" != "${sums[$i]}" ]; then
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

# Every existing directory from / to the target's parent must be a real directory owned by root
# or by the file's own owner (Debian gives /etc/postgresql/<v>/main to postgres), and a
# root-owned one must not be writable by others unless sticky. Prints the user who controls the
# parent (empty when root does): that user then performs the last step, so whatever it planted
# on the way can only reach what it could already write.
controller() {
  local target="$1" owner="$2" path="" part who="" o m
  local -a parts
  IFS=/ read -r -a parts <<< "$(dirname "$target")"
  for part in "${parts[@]}"; do
    [ -n "$part" ] || continue
    path="$path/$part"
    [ ! -L "$path" ] || die "refusing $target: $path is a symbolic link"
    [ -e "$path" ] || break
    [ -d "$path" ] || die "refusing $target: $path is not a directory"
    read -r o m < <(stat -c '%U %a' "$path")
    if [ "$o" != root ]; then
      [ "$o" = "$owner" ] || die "refusing $target: $path belongs to $o, not to root or to the file's owner $owner"
      who="$o"
    elif [ $((8#$m & 8#022)) -ne 0 ] && [ $((8#$m & 8#1000)) -eq 0 ]; then
      die "refusing $target: $path is writable by others (mode $m)"
    fi
  done
  echo "$who"
}

# Missing directories: created 0755 one level at a time (under umask 077 `mkdir -p` would make
# them 0700 and the users that read these files could not traverse them), by root, or by the
# user who controls their parent.
make_parents() {
  local dir="$1" who="$2" path="" part
  local -a parts
  IFS=/ read -r -a parts <<< "${dir#/}"
  for part in "${parts[@]}"; do
    [ -n "$part" ] || continue
    path="$path/$part"
    [ -d "$path" ] && continue
    if [ -z "$who" ] || [ "$(stat -c %U "$(dirname "$path")")" = root ]; then
      install -d -o root -g root -m 0755 "$path"
    else
      runuser -u "$who" -- mkdir -m 0755 "$path"
    fi
  done
}

# Puts work file $1 at $2 with mode/owner/group $3 $4 $5, never following what is at $2.
place() {
  local src="$1" target="$2" mode="$3" owner="$4" group="$5" who dir staged
  who="$(controller "$target" "$owner")"
  dir="$(dirname "$target")"
  make_parents "$dir" "$who"
  if [ -z "$who" ]; then
    [ "$(stat -c %d "$work")" = "$(stat -c %d "$dir")" ] || die "refusing $target: $dir is on another filesystem than $state, so the file cannot be renamed into place"
    staged="$(mktemp "$work/stage.XXXXXX")"
    cat "$src" > "$staged"
    chown "$owner:$group" "$staged"
    chmod "$mode" "$staged"
    sync "$staged" 2>/dev/null || true
    mv -fT "$staged" "$target"
  else
    # shellcheck disable=SC2016 # expanded by the inner shell, running as the directory's owner
    runuser -u "$who" -- sh -c 'set -eu; umask 077; t=$(mktemp "$1/.converge.XXXXXX"); trap '"'"'rm -f "$t"'"'"' EXIT; cat > "$t"; chgrp "$3" "$t"; chmod "$2" "$t"; mv -fT "$t" "$4"; trap - EXIT' \
      sh "$dir" "$mode" "$group" "$target" < "$src" || die "writing $target as $who failed"
  fi
}

install_file() {
  place "$work/$1" "$root${paths[$1]}" "${modes[$1]}" "${owners[$1]}" "${groups[$1]}"
}

# Removes a file no longer rendered, as whoever controls its directory.
remove_file() {
  local target="$1" who
  [ -e "$target" ] || [ -L "$target" ] || return 0
  who="$(controller "$target" "$(stat -c %U "$(dirname "$target")")")"
  if [ -z "$who" ]; then rm -f "$target"; else runuser -u "$who" -- rm -f "$target"; fi
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
    if [ -f "$target" ] && [ ! -L "$target" ]; then cp -p "$target" "$work/backup.$i"; fi
    install_file "$i"
  done
  if ! out="$(nginx -t 2>&1)"; then
    for i in "${nginx_files[@]}"; do
      target="$root${paths[$i]}"
      if [ -f "$work/backup.$i" ]; then place "$work/backup.$i" "$target" "${modes[$i]}" "${owners[$i]}" "${groups[$i]}"; else remove_file "$target"; fi
    done
    replace "$work/journal.before" "$journal"
    printf 'mastodon-converge: nginx refused the new configuration; the previous files are back and nothing was reloaded:\n%s\n' "$out" >&2
    exit 1
  fi
fi

for i in "${other_files[@]+"${other_files[@]}"}"; do install_file "$i"; done
# A wrong owner or mode is put right by placing the same content again: chown and chmod on the
# target's path would follow a symlink swapped in since it was checked.
for i in "${meta_changed[@]+"${meta_changed[@]}"}"; do install_file "$i"; done

# --- actions, in an order that makes each one meaningful --------------------------------------
mapfile -t todo < "$journal"
has() { local a; for a in "${todo[@]+"${todo[@]}"}"; do [ "$a" = "$1" ] && return 0; done; return 1; }
units_for() { local a; for a in "${todo[@]+"${todo[@]}"}"; do case "$a" in "$1":*) echo "${a#*:}" ;; esac; done; }
done_actions=()
run() { "$@"; done_actions+=("$*"); }

for u in $(units_for stop); do run systemctl disable --now "$u" || true; done
for old in "${removed[@]+"${removed[@]}"}"; do remove_file "$root$old"; done
has daemon-reload && run systemctl daemon-reload
has update-ca-certificates && run update-ca-certificates --fresh >/dev/null
# Timers start at once (they only schedule jobs); services and targets start with the release.
for u in $(units_for enable); do
  case "$u" in
    *.timer) run systemctl enable --now --quiet "$u" ;;
    *) run systemctl enable --quiet "$u" ;;
  esac
done
# A oneshot that applies configuration (the input policy) runs now, running or not, and before
# any service restarts with its new listeners.
for u in $(units_for apply | sort -u); do run systemctl restart "$u"; done
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
