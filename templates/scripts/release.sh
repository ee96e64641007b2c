#!/bin/bash
# mastodon-release: builds, migrates, switches and prunes Mastodon releases on one host.
#
# Layout: every release is a checkout of its tag in /home/mastodon/releases/<version>, built in
# place (gems in vendor/bundle, node_modules, precompiled assets) and owned by the mastodon user;
# /home/mastodon/live is a symlink to the running one, and the units use it as their
# WorkingDirectory. An upgrade builds beside the running release, so the switch is a rename.
#
# Usage: mastodon-release [--root DIR] <subcommand> ...
#   build VERSION                      clone, check Ruby and Node, bundle, yarn, precompile (idempotent)
#   migrate pre|post VERSION           pre- or post-deployment migrations, straight to Postgres
#                                      (refused for a step that skips a minor series or goes back
#                                      one: the program switches no host before these ran)
#   switch VERSION [--unit U]... [--check URL]...
#                                      point live at VERSION, restart the units in order,
#                                      wait for every URL to answer 200; roll back on failure
#   prune [KEEP]                       keep the newest KEEP builds (3) plus live and previous
#   status                             print the live version
#   --root DIR  prefixes every path (tests). Commands (git, ruby, bundle, corepack, yarn,
#               systemctl, systemd-run, curl) come from PATH, so tests can stand them in.
# Environment: MASTODON_REPO (clone source, default upstream), MASTODON_HEALTH_TIMEOUT (seconds
# each switch waits for its checks, default 60).
set -euo pipefail
# Releases must be readable by nginx (it serves public/ from live), so not the usual 077.
umask 022

APP_USER=mastodon
MARKER=.mastodon-stack-built
REPO="${MASTODON_REPO:-https://github.com/mastodon/mastodon.git}"
TIMEOUT="${MASTODON_HEALTH_TIMEOUT:-60}"

die() { echo "mastodon-release: $*" >&2; exit 1; }
say() { echo "mastodon-release: $*"; }
usage() { sed -n '/^# Usage:/,/^# Environment:/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

root=""
while [ $# -gt 0 ]; do
  case "$1" in
    --root) [ $# -ge 2 ] || usage; root="${2%/}"; shift 2 ;;
    --help | -h) usage ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || usage
sub="$1"; shift

home="$root/home/mastodon"
releases="$home/releases"
live="$home/live"
etc="$root/etc/mastodon"
# Our own bookkeeping lives beside the converge script's, owned by root.
state="$root/var/lib/mastodon-stack"
previous_file="$state/release.previous"
switching_file="$state/release.switching"
# One file per finished build (version, commit, time), in root's own directory: the release tree
# belongs to mastodon, and anything running as mastodon (a gem's or package's install script)
# could point a name root writes there at a root-only file.
built="$state/built"

[[ "$TIMEOUT" =~ ^[1-9][0-9]*$ ]] || die "MASTODON_HEALTH_TIMEOUT must be a whole number of seconds, not '$TIMEOUT'"

# A version becomes a directory name and a git ref: refuse anything that could walk out of
# releases/ or read as an option, whatever the caller validated.
check_version() {
  [[ "$1" =~ ^[A-Za-z0-9][A-Za-z0-9._+-]*$ ]] || die "not a release tag: '$1'"
}

# Runs a command as the mastodon user (when we are root), keeping PATH so stand-ins still apply.
# setpriv rather than su/runuser: no PAM session, no login environment, just the identity.
as_app() {
  if [ "$(id -u)" -eq 0 ]; then
    setpriv --reuid="$APP_USER" --regid="$APP_USER" --init-groups -- \
      env HOME="$home" USER="$APP_USER" LOGNAME="$APP_USER" COREPACK_ENABLE_DOWNLOAD_PROMPT=0 "$@"
  else
    env COREPACK_ENABLE_DOWNLOAD_PROMPT=0 "$@"
  fi
}

# One mutating subcommand at a time per host: a build never races a prune or a switch, and any
# temporary build directory found while holding the lock belongs to a run that died.
lock() {
  [ ! -L "$state" ] || die "$state is a symbolic link"
  install -d -m 0700 "$state"
  exec 9>"$state/release.lock"
  flock -w 3600 9 || die "another mastodon-release has held $state/release.lock for an hour; giving up"
}

# Built: root's record says so and the release directory is a real directory. A release built
# before the records moved out of the tree has its marker inside; it is adopted (read, never written).
is_built() {
  [ -d "$releases/$1" ] && [ ! -L "$releases/$1" ] || return 1
  [ -f "$built/$1" ] && return 0
  [ -f "$releases/$1/$MARKER" ] && [ ! -L "$releases/$1/$MARKER" ] || return 1
  record_built "$1" "adopted" && touch -r "$releases/$1/$MARKER" "$built/$1"
}
record_built() {
  install -d -m 0700 "$built"
  printf '%s\n' "$1" "$2" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$built/$1.tmp"
  mv -f "$built/$1.tmp" "$built/$1"
}
require_built() { is_built "$1" || die "$1 is not built on this host (run: mastodon-release build $1)"; }

# The version `live` points at, or nothing. A real directory there (a hand-made install) is not
# ours to replace.
live_version() {
  if [ -L "$live" ]; then
    basename "$(readlink "$live")"
  elif [ -e "$live" ]; then
    die "$live is not a symlink; move that install to $releases/<version> and link it first"
  fi
}

# Upstream supports upgrades through every minor series in turn: its release notes are written
# for the step from the previous minor, and a release's migrations may assume the previous
# minor's (docs.joinmastodon.org/admin/upgrading). So from live 4.3.x the next may be 4.3.y or
# 4.4.z, never 4.5; and going back to an older minor would run old code on tables its successor
# has migrated: only the release this host ran just before (a rollback) may go back. Tags that
# are not vMAJOR.MINOR.PATCH (a fork's) are not ours to judge.
check_upgrade_path() {
  local want="$1" have back
  have="$(live_version)"
  [ -n "$have" ] && [ "$have" != "$want" ] || return 0
  [[ "$have" =~ ^v([0-9]+)\.([0-9]+)\.[0-9]+ ]] || return 0
  local have_major="${BASH_REMATCH[1]}" have_minor="${BASH_REMATCH[2]}"
  [[ "$want" =~ ^v([0-9]+)\.([0-9]+)\.[0-9]+ ]] || return 0
  local want_major="${BASH_REMATCH[1]}" want_minor="${BASH_REMATCH[2]}"
  back="$(cat "$previous_file" 2> /dev/null || true)"
  if [ "$want_major" -ne "$have_major" ]; then
    die "$have is live and $want is another major version: read its release notes and upgrade by hand; this script only steps through minor series"
  elif [ "$want_minor" -gt $((have_minor + 1)) ]; then
    die "$have is live and $want skips $want_major.$((have_minor + 1)): upstream supports upgrades through every minor series in turn. Set mastodon.version to the newest v$want_major.$((have_minor + 1)).x, run pulumi up, then $want"
  elif [ "$want_minor" -lt "$have_minor" ] && [ "$want" != "$back" ]; then
    die "$have is live and $want is an older minor series: its code would run on tables $have has migrated. Go back only by restoring a backup taken before the upgrade"
  fi
}

# --- build -------------------------------------------------------------------------------------

# Version comparison for Ruby versions: pad to three segments so 3.5 equals 3.5.0, then let
# sort -V order them. Prints -1, 0 or 1.
vnorm() {
  local v="$1"
  while [ "$(tr -cd . <<< "$v" | wc -c)" -lt 2 ]; do v="$v.0"; done
  echo "$v"
}
vcmp() {
  local a b
  a="$(vnorm "$1")"; b="$(vnorm "$2")"
  if [ "$a" = "$b" ]; then echo 0
  elif [ "$(printf '%s\n%s\n' "$a" "$b" | sort -V | head -n1)" = "$a" ]; then echo -1
  else echo 1
  fi
}
# Does Ruby $1 meet one Gemfile constraint ("OP VERSION", RubyGems operators)?
meets() {
  local have="$1" c="$2" op v c1
  [[ "$c" =~ ^[[:space:]]*(>=|<=|~>|!=|=|>|<)?[[:space:]]*([0-9][0-9A-Za-z.]*)[[:space:]]*$ ]] || return 0
  op="${BASH_REMATCH[1]:-=}"; v="${BASH_REMATCH[2]}"
  c1="$(vcmp "$have" "$v")"
  case "$op" in
    "=") [ "$c1" -eq 0 ] ;;
    "!=") [ "$c1" -ne 0 ] ;;
    ">") [ "$c1" -gt 0 ] ;;
    ">=") [ "$c1" -ge 0 ] ;;
    "<") [ "$c1" -lt 0 ] ;;
    "<=") [ "$c1" -le 0 ] ;;
    "~>")
      # ~> 3.2.1 means >= 3.2.1 and < 3.3; ~> 3.2 means >= 3.2 and < 4.
      local -a seg; local upper
      IFS=. read -r -a seg <<< "$v"
      if [ "${#seg[@]}" -gt 1 ]; then unset 'seg[-1]'; fi
      seg[-1]=$((${seg[-1]%%[!0-9]*} + 1))
      upper="$(IFS=.; echo "${seg[*]}")"
      [ "$c1" -ge 0 ] && [ "$(vcmp "$have" "$upper")" -lt 0 ] ;;
  esac
}

# Does Node $1 meet one npm comparator set ("OP VERSION" separated by spaces; ^ and ~ as npm
# reads them for the plain versions Mastodon writes)? Anything else is refused, never guessed.
node_meets_set() {
  local have="$1" c v major minor
  for c in $2; do
    case "$c" in
      ^*) v="${c#^}"; major="${v%%.*}"
        meets "$have" ">=$v" && meets "$have" "<$((major + 1))" || return 1 ;;
      ~*) v="${c#\~}"; major="${v%%.*}"; minor="$(cut -s -d. -f2 <<< "$v")"
        meets "$have" ">=$v" && meets "$have" "<$major.$(( ${minor:-0} + 1 ))" || return 1 ;;
      *.x) v="${c%%.x*}"; meets "$have" ">=$v" && meets "$have" "<$((${v%%.*} + 1))" || return 1 ;;
      *) [[ "$c" =~ ^(>=|<=|>|<|=)?[0-9]+(\.[0-9]+){0,2}$ ]] || return 2
        meets "$have" "$c" || return 1 ;;
    esac
  done
}

# The release's Node requirement is package.json's engines.node (the streaming server's and the
# asset build's Node); Debian 13 ships Node 20, which runs 4.3 to 4.5, while 4.6 asks for 22.
check_node() {
  local dir="$1" version="$2" have range alt rc
  local -a alts
  have="$(node -e 'process.stdout.write(process.versions.node)')" || die "cannot run node on this host (is the nodejs package installed?)"
  range="$(node -e 'const p = require(process.argv[1]); process.stdout.write(String((p.engines || {}).node || ""))' "$dir/package.json")" \
    || die "$version has no readable package.json"
  [ -n "$range" ] || return 0
  # npm also reads ">= 18" (an operator apart from its version) as one comparator.
  IFS='|' read -r -a alts <<< "$(sed -E 's/(>=|<=|>|<|=)[[:space:]]+/\1/g; s/\|\|/|/g' <<< "$range")"
  for alt in "${alts[@]}"; do
    rc=0; node_meets_set "$have" "$alt" || rc=$?
    [ "$rc" -ne 2 ] || die "$version's engines.node '$range' is not a range this script reads; check Node $have against it by hand"
    if [ "$rc" -eq 0 ]; then say "Node $have meets $version's engines.node ($range)"; return 0; fi
  done
  die "$version needs Node $range (its package.json engines.node) but this host has Node $have"
}

# The release's Ruby requirement is its Gemfile's `ruby` line (what Bundler enforces); Mastodon
# pins .ruby-version to the newest Ruby it tests (3.4.x for 4.5) while its Gemfile accepts a range
# (>= 3.2.0, < 3.5.0), which is why Debian 13's Ruby 3.3 runs 4.3 to 4.5. Only when the Gemfile
# names no range do we fall back to .ruby-version's major.minor.
check_ruby() {
  local dir="$1" version="$2" have pinned line c want
  local -a reqs=()
  have="$(ruby -e 'print RUBY_VERSION')" || die "cannot run ruby on this host (is the ruby package installed?)"
  pinned="$(tr -d '[:space:]' < "$dir/.ruby-version" 2>/dev/null || true)"
  pinned="${pinned#ruby-}"
  line="$(grep -m1 -E "^[[:space:]]*ruby[[:space:]]*\(?[[:space:]]*['\"]" "$dir/Gemfile" 2>/dev/null || true)"
  if [ -n "$line" ]; then
    mapfile -t reqs < <(grep -oE "['\"][^'\"]+['\"]" <<< "$line" | tr -d "'\"")
    want="$(printf '%s, ' "${reqs[@]}")"; want="${want%, }"
    for c in "${reqs[@]}"; do
      meets "$have" "$c" \
        || die "$version needs Ruby $want (its Gemfile${pinned:+; .ruby-version says $pinned}) but this host has Ruby $have"
    done
    say "Ruby $have meets $version's Gemfile requirement ($want)"
  elif [ -n "$pinned" ]; then
    [ "$(cut -d. -f1,2 <<< "$have")" = "$(cut -d. -f1,2 <<< "$pinned")" ] \
      || die "$version asks for Ruby $pinned (.ruby-version; its Gemfile names no range) but this host has Ruby $have"
  fi
}

cmd_build() {
  [ $# -eq 1 ] || usage
  local version="$1" release leftover commit
  check_version "$version"
  release="$releases/$version"
  lock
  if is_built "$version"; then
    say "$version already built"
    return 0
  fi
  id -u "$APP_USER" > /dev/null 2>&1 || die "there is no $APP_USER user on this host"
  [ -d "$home" ] || install -d -o "$APP_USER" -g "$APP_USER" -m 0755 "$home"
  [ -d "$releases" ] || install -d -o "$APP_USER" -g "$APP_USER" -m 0755 "$releases"

  # Leftovers of a killed build: we hold the lock, so no live build owns them. Everything under
  # $home is mastodon's: removed, moved and created as mastodon, never by root.
  for leftover in "$home"/.mastodon-build.*; do
    [ -e "$leftover" ] || continue
    say "removing an interrupted build: $leftover"
    as_app rm -rf -- "$leftover"
  done
  # Renamed into place but killed before the marker: incomplete, unless something links to it.
  if [ -e "$release" ]; then
    [ "$(readlink -f "$live" 2>/dev/null || true)" != "$(readlink -f "$release")" ] \
      || die "$release is live but has no build marker; refusing to rebuild it in place"
    say "removing $release (a build that did not finish)"
    as_app rm -rf -- "$release"
  fi

  # Beside releases/ (same filesystem, so the final rename is atomic) and hidden from prune.
  build_dir="$(as_app mktemp -d "$home/.mastodon-build.$version.XXXXXX")"
  trap 'as_app rm -rf -- "$build_dir"' EXIT
  as_app chmod 0755 "$build_dir"

  say "cloning $version from $REPO"
  as_app git -c advice.detachedHead=false clone --quiet --depth 1 --branch "$version" -- "$REPO" "$build_dir"
  check_ruby "$build_dir" "$version"
  check_node "$build_dir" "$version"

  cd "$build_dir"
  say "installing gems"
  as_app bundle config set --local deployment true
  as_app bundle config set --local without 'development test'
  as_app bundle install -j"$(nproc)"
  # corepack enable installs the yarn shim next to node (/usr/bin), which only root may write;
  # the yarn version itself comes from the release's package.json, per release.
  say "installing node packages"
  corepack enable
  as_app yarn install --immutable
  say "precompiling assets"
  as_app env RAILS_ENV=production NODE_ENV=production SECRET_KEY_BASE_DUMMY=1 bundle exec rails assets:precompile
  # Mastodon also reads .env.production from its root (tootctl run by hand): the same file the
  # units get.
  as_app ln -sfn "$etc/env.production" "$build_dir/.env.production"
  cd /

  as_app mv -T "$build_dir" "$release"
  trap - EXIT
  # The record goes last: a release without it is unfinished and the next build redoes it.
  commit="$(as_app git -C "$release" rev-parse HEAD 2> /dev/null || echo unknown)"
  [[ "$commit" =~ ^[0-9a-f]{7,64}$ ]] || commit=unknown
  record_built "$version" "$commit"
  say "built $version in $release"
}

# --- migrate -----------------------------------------------------------------------------------

cmd_migrate() {
  [ $# -eq 2 ] || usage
  local phase="$1" version="$2" release
  check_version "$version"
  case "$phase" in pre | post) ;; *) die "migrate takes pre or post, not '$phase'" ;; esac
  require_built "$version"
  check_upgrade_path "$version"
  release="$releases/$version"
  [ -f "$etc/env.maintenance" ] || die "$etc/env.maintenance is missing: migrations run on the host that runs maintenance jobs"
  # The units' environment, then env.maintenance: systemd reads EnvironmentFile= in order and a
  # later file wins, so its DB_HOST/DB_PORT send migrations to Postgres directly, never through
  # PgBouncer (transaction pooling breaks the advisory locks and DDL transactions migrations use).
  # -E sets Environment=, which an EnvironmentFile= would override; the env files set neither.
  local -a cmd=(systemd-run --quiet --wait --pipe --collect
    -p "User=$APP_USER" -p "Group=$APP_USER" -p "WorkingDirectory=$release"
    -p "EnvironmentFile=$etc/env.production" -p "EnvironmentFile=$etc/env.maintenance"
    -E RAILS_ENV=production)
  if [ "$phase" = pre ]; then
    # On an empty database db:prepare loads the schema and seeds once; on an existing one it
    # migrates, leaving post-deployment migrations for after every host runs the new code.
    cmd+=(-E SKIP_POST_DEPLOYMENT_MIGRATIONS=true bundle exec rails db:prepare)
  else
    cmd+=(bundle exec rails db:migrate)
  fi
  say "running: ${cmd[*]}"
  "${cmd[@]}"
  say "migrate $phase $version done"
}

# --- switch ------------------------------------------------------------------------------------

# Atomically: a new link under a temporary name, renamed over the old one (readers see one or
# the other). Relative, so it stays right under --root and if /home moves.
point_live() {
  local tmp="$home/.live.$$"
  as_app ln -sfn "releases/$1" "$tmp"
  as_app mv -T "$tmp" "$live"
}

# A new release needs a cold restart of Puma. Mastodon's config/puma.rb uses preload_app!, so
# USR1 (the unit's reload) is not a phased restart but a hot one: the master re-execs itself in
# its restart directory (the resolved old releases/<version>, since systemd sets no $PWD), with
# $0 and BUNDLE_GEMFILE still pointing into the old release. A reload would keep serving old code.
# A restart loses no request: systemd holds Puma's listener (mastodon-web.socket), so connections
# queue while the new Puma boots, and hosts switch one at a time behind the proxies.
# Runs each unit's action for the release $1, in order. Sets failed to what went wrong.
# Puma (see above), streaming (one Node process per port) and Sidekiq alike: restart, which also
# starts a unit that is not running yet (first install). Streaming processes go one at a time:
# each must answer its health check before the next restarts, so a host never drops every
# websocket at once. Sets failed (and after) when a unit or its check fails.
apply_units() {
  local u port
  for u in "${units[@]+"${units[@]}"}"; do
    systemctl restart "$u" || { failed="systemctl restart $u"; return 1; }
    say "restarted $u"
    case "$u" in
      mastodon-streaming@*.service)
        port="${u#mastodon-streaming@}"
        port="${port%.service}"
        wait_healthy ":$port/" || return 1 ;;
    esac
  done
}

# Every check URL (containing $1, when given) must answer 200 within TIMEOUT seconds.
wait_healthy() {
  local start=$SECONDS url code
  for url in "${checks[@]+"${checks[@]}"}"; do
    case "$url" in *"${1:-}"*) ;; *) continue ;; esac
    while :; do
      code="$(curl -s -o /dev/null -w '%{http_code}' --connect-timeout 2 --max-time 5 "$url" 2> /dev/null || true)"
      [ "$code" = 200 ] && break
      if [ $((SECONDS - start)) -ge "$TIMEOUT" ]; then
        after=$((SECONDS - start))
        failed="$url"
        echo "mastodon-release: last answer from $url: ${code:-none}" >&2
        return 1
      fi
      sleep 1
    done
    say "healthy: $url"
  done
}

# The host's mastodon.target (rendered where Mastodon runs) groups its units: once they run the
# release, the target is started too, so `systemctl status mastodon.target` tells the truth and
# `systemctl stop|restart mastodon.target` reaches every unit on the first install as on a reboot.
start_target() {
  [ -f "$root/etc/systemd/system/mastodon.target" ] || return 0
  systemctl start mastodon.target || { failed="systemctl start mastodon.target"; return 1; }
}

cmd_switch() {
  local version="" current previous pending_to="" pending_from="" after=0 failed=""
  local -a units=() checks=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --unit) [ $# -ge 2 ] || usage; units+=("$2"); shift 2 ;;
      --check) [ $# -ge 2 ] || usage; checks+=("$2"); shift 2 ;;
      -*) die "unknown switch option: $1" ;;
      *) [ -z "$version" ] || usage; version="$1"; shift ;;
    esac
  done
  [ -n "$version" ] || usage
  check_version "$version"
  [ "${#checks[@]}" -eq 0 ] || command -v curl > /dev/null || die "curl is needed for the health checks"
  lock
  require_built "$version"
  current="$(live_version)"
  previous="$current"
  # A switch killed between moving the link and restarting the units: the link may say one
  # release while the processes run another, so redo the unit actions and roll back, if it comes
  # to that, to the release that ran before it.
  if [ -f "$switching_file" ]; then
    read -r pending_to pending_from < "$switching_file" || true
    say "an earlier switch to $pending_to did not finish; redoing the unit actions whatever the link says"
    previous="$pending_from"
  elif [ "$current" = "$version" ]; then
    if ! wait_healthy; then
      die "$failed failed after $after s on $version (already live; nothing to roll back)"
    fi
    say "$version is already live and healthy"
    return 0
  fi
  [ "$previous" != "$version" ] || previous="$(cat "$previous_file" 2> /dev/null || true)"
  [ -z "$previous" ] || is_built "$previous" || previous=""

  printf '%s %s\n' "$version" "$previous" > "$switching_file"
  point_live "$version"
  say "live -> $version (was ${current:-nothing})"
  if apply_units && wait_healthy && start_target; then
    [ -z "$previous" ] || [ "$previous" = "$version" ] || printf '%s\n' "$previous" > "$previous_file"
    rm -f "$switching_file"
    say "switched to $version"
    return 0
  fi

  local bad="$failed" bad_after="$after"
  if [ -z "$previous" ]; then
    rm -f "$switching_file"
    die "$bad failed after $bad_after s on $version; there is no previous release to roll back to"
  fi
  point_live "$previous"
  echo "mastodon-release: $bad failed on $version; rolling back to $previous" >&2
  failed=""
  if apply_units && wait_healthy && start_target; then
    rm -f "$switching_file"
    die "$bad failed after $bad_after s on $version; rolled back to $previous"
  fi
  rm -f "$switching_file"
  die "$bad failed after $bad_after s on $version; rolled back to $previous, which is unhealthy too ($failed failed after $after s)"
}

# --- prune and status --------------------------------------------------------------------------

cmd_prune() {
  [ $# -le 1 ] || usage
  local keep="${1:-3}" current previous n=0 dir v
  [[ "$keep" =~ ^[1-9][0-9]*$ ]] || die "prune keeps a positive number of releases, not '$keep'"
  lock
  [ -d "$releases" ] || { say "no releases"; return 0; }
  current="$(live_version)"
  previous="$(cat "$previous_file" 2> /dev/null || true)"
  # Releases built before the records moved to $built are adopted first.
  for dir in "$releases"/*/; do [ -d "$dir" ] && { is_built "$(basename "$dir")" || true; }; done
  # Built order, newest first: a record is written once, when a build finishes.
  while read -r _ v; do
    n=$((n + 1))
    if [ "$n" -le "$keep" ] || [ "$v" = "$current" ] || [ "$v" = "$previous" ]; then
      say "keeping $v"
      continue
    fi
    as_app rm -rf -- "${releases:?}/$v"
    rm -f -- "$built/$v"
    say "removed $v"
  done < <(find "$built" -mindepth 1 -maxdepth 1 -type f ! -name '*.tmp' -printf '%T@ %f\n' 2> /dev/null | sort -rn)
}

cmd_status() {
  [ $# -eq 0 ] || usage
  local current
  current="$(live_version)"
  [ -n "$current" ] || die "no release is live"
  echo "$current"
  if [ -f "$switching_file" ]; then echo "mastodon-release: a switch did not finish: $(cat "$switching_file")" >&2; fi
}

case "$sub" in
  build) cmd_build "$@" ;;
  migrate) cmd_migrate "$@" ;;
  switch) cmd_switch "$@" ;;
  prune) cmd_prune "$@" ;;
  status) cmd_status "$@" ;;
  *) echo "mastodon-release: unknown subcommand: $sub" >&2; usage ;;
esac
