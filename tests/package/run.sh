#!/usr/bin/env bash
# The Debian package, end to end: build it from the release build, check its systemd unit, and
# install it with apt into a fresh minimal Debian 12 root, where the packaged server is started
# as the package's user on the packaged configuration (only the port overridden: 0, a free
# one, because the root shares this machine's network). Passes when GET / answers 200,
# /api/health answers ok, SIGHUP (systemctl reload) leaves it serving, SIGTERM (systemctl
# stop) ends it with exit 0, `chatterbox admin` finds the database through the same file and
# a purge keeps the data. lintian runs too when it is installed (informational only).
#   tests/package/run.sh [BUILD_DIR]      (default build/; needs root)
# The minimal root is cached as a tarball in ${TMPDIR:-/tmp}, so only a machine's first run
# downloads it.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=$(realpath "${1:-build}")
started=$SECONDS
step() { printf 'package test [%3ds]: %s\n' $((SECONDS - started)) "$*"; }
fail() { echo "package test: FAILED: $*" >&2; exit 1; }

bash scripts/setup.sh --only mmdebstrap systemd dpkg-dev curl

step "building the package"
ninja -C "$build" chatterbox >/dev/null
rm -rf "$build/package"
cpack --config "$build/CPackConfig.cmake" -B "$build/package" >"$build/package.log" 2>&1 ||
  { cat "$build/package.log"; fail "cpack"; }
debs=("$build"/package/chatterbox_*_amd64.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "expected one chatterbox_*_amd64.deb, got: ${debs[*]}"
deb=${debs[0]}
dpkg-deb --info "$deb" | sed -n 's/^ \(Package\|Version\|Depends\):/  &/p'

work=$(mktemp -d "${TMPDIR:-/tmp}/chatterbox-package.XXXXXX")
root=$work/root
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null || true
  for m in proc dev; do
    for _ in 1 2 3 4 5; do
      mountpoint -q "$root/$m" || break
      umount "$root/$m" 2>/dev/null || umount -l "$root/$m" 2>/dev/null || sleep 1
    done
  done
  # Never delete through a mount that still reaches the host.
  if mountpoint -q "$root/proc" || mountpoint -q "$root/dev"; then
    echo "package test: $root still has mounts; left in place" >&2
  else
    rm -rf --one-file-system "$work"
  fi
}
trap cleanup EXIT
trap 'exit 143' TERM INT  # so that cleanup runs when scripts/test.sh stops this test

step "checking the unit with systemd-analyze verify"
dpkg-deb -x "$deb" "$work/contents"
# Offline, against a root holding the package's files, this machine's systemd units (the
# targets the unit is ordered against) and /bin/kill (ExecReload): no systemd needs to run.
# Any message fails the test: verify only warns about an unknown or misspelt setting.
verify_root=$work/verify-root
mkdir -p "$verify_root/lib/systemd/system" "$verify_root/bin"
cp -a /lib/systemd/system/. "$verify_root/lib/systemd/system/"
cp -a "$work/contents/." "$verify_root/"
cp /bin/kill "$verify_root/bin/kill"
unit=$verify_root/lib/systemd/system/chatterbox.service
verify_log=$work/verify.log
systemd-analyze verify --root="$verify_root" "$unit" >"$verify_log" 2>&1 ||
  { cat "$verify_log"; fail "systemd-analyze verify"; }
[ ! -s "$verify_log" ] || { cat "$verify_log"; fail "systemd-analyze verify complained"; }
systemd-analyze security --offline=true --root="$verify_root" "$unit" 2>&1 |
  sed -n 's/^→ Overall exposure level/  systemd-analyze security: &/p'
if command -v lintian >/dev/null; then
  step "lintian (informational)"
  lintian --no-tag-display-limit "$deb" || true
fi

step "preparing a fresh Debian 12 root"
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources | head -n 1)
[ -n "$mirror" ] || fail "no mirror in /etc/apt/sources.list.d/debian.sources"
cache=${TMPDIR:-/tmp}/chatterbox-package-bookworm.tar
mkdir -p "$root"
if [ ! -s "$cache" ]; then
  # mmdebstrap rather than debootstrap: the same minimal root from the same mirror, with
  # apt's parallel downloads; measured 4m17s against 6m09s on this (busy) 2-core machine.
  # No fsync for a root that only lives in a tarball; apt's lists are kept so that the
  # apt-get update below is quick. Written aside and renamed: a parallel run never reads
  # half a tarball.
  mmdebstrap --variant=minbase --mode=root --dpkgopt=force-unsafe-io \
    --aptopt='Acquire::Languages "none"' --skip=cleanup/apt/lists \
    bookworm "$cache.$$.tar" "$mirror" >"$work/mmdebstrap.log" 2>&1 ||
    { tail -30 "$work/mmdebstrap.log"; fail "mmdebstrap"; }
  mv "$cache.$$.tar" "$cache"
fi
tar -C "$root" -xf "$cache"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
mount --bind /proc "$root/proc"
mount --bind /dev "$root/dev"
in_root() {
  chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    LANG=C.UTF-8 "$@"
}

step "apt-get install ./$(basename "$deb") in the root"
cp "$deb" "$root/tmp/"
in_root apt-get update -q >"$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "apt-get update"; }
in_root apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-unsafe-io \
  "/tmp/$(basename "$deb")" >>"$work/apt.log" 2>&1 ||
  { cat "$work/apt.log"; fail "apt-get install"; }
grep -E '^(Setting up|Unpacking) ' "$work/apt.log" | sed 's/^/  /'

step "checking what was installed"
in_root getent passwd chatterbox >/dev/null || fail "no chatterbox user"
for path in /usr/bin/chatterbox /etc/chatterbox/chatterbox.conf /lib/systemd/system/chatterbox.service \
            /usr/share/doc/chatterbox/operations.md; do
  [ -e "$root$path" ] || fail "$path is missing"
done
in_root dpkg-query -W -f='${Conffiles}\n' chatterbox | grep -q '/etc/chatterbox/chatterbox.conf' ||
  fail "/etc/chatterbox/chatterbox.conf is not a conffile"
owner=$(in_root stat -c '%U:%G %a' /var/lib/chatterbox)
[ "$owner" = "chatterbox:chatterbox 750" ] || fail "/var/lib/chatterbox is $owner"
in_root chatterbox --version

step "starting the packaged server as the chatterbox user"
log=$work/server.log
# As the unit runs it: its user, no privileges to gain, its umask and working directory, the
# packaged file.
chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
  setpriv --reuid=chatterbox --regid=chatterbox --init-groups --no-new-privs \
  /bin/sh -c 'umask 027 && cd /var/lib/chatterbox && exec /usr/bin/chatterbox --config /etc/chatterbox/chatterbox.conf --port 0' \
  >"$log" 2>&1 &
server_pid=$!
port=
for _ in $(seq 1 300); do  # 30 s
  port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\) .*|\1|p' "$log" | head -n 1)
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$log"; fail "the server exited at start"; }
  sleep 0.1
done
[ -n "$port" ] || { cat "$log"; fail "the server did not log its port within 30 s"; }
grep -q 'configuration file /etc/chatterbox/chatterbox.conf' "$log" ||
  { cat "$log"; fail "the configuration file was not read"; }
[ -f "$root/var/lib/chatterbox/chatterbox.db" ] || fail "no database in /var/lib/chatterbox"
db_owner=$(in_root stat -c '%U %a' /var/lib/chatterbox/chatterbox.db)
[ "$db_owner" = "chatterbox 640" ] || fail "the database is $db_owner, not chatterbox's 640"

fetch() { curl -sS --max-time 10 -o "$work/body" -w '%{http_code}' "http://127.0.0.1:$port$1"; }
status=$(fetch /) || fail "GET / failed"
[ "$status" = 200 ] || fail "GET / answered $status"
grep -qi '<html' "$work/body" || fail "GET / is not the web client"
status=$(fetch /api/health) || fail "GET /api/health failed"
[ "$status" = 200 ] && grep -q '"ok"' "$work/body" || fail "GET /api/health answered $status: $(cat "$work/body")"
echo "  GET / 200, GET /api/health 200 $(cat "$work/body")"

step "SIGHUP (reload) keeps it serving"
kill -HUP "$server_pid"
for _ in $(seq 1 100); do grep -q 'received SIGHUP' "$log" && break; sleep 0.1; done
grep -q 'received SIGHUP' "$log" || { cat "$log"; fail "no SIGHUP in the log within 10 s"; }
status=$(fetch /api/health) || fail "GET /api/health after SIGHUP failed"
[ "$status" = 200 ] || fail "GET /api/health after SIGHUP answered $status"

step "SIGTERM (stop) ends it with exit 0"
kill -TERM "$server_pid"
for _ in $(seq 1 200); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done  # 20 s
kill -0 "$server_pid" 2>/dev/null && { cat "$log"; fail "still running 20 s after SIGTERM"; }
code=0
wait "$server_pid" || code=$?
server_pid=
[ "$code" -eq 0 ] || { cat "$log"; fail "exit status $code after SIGTERM"; }
sed 's/^/  server: /' "$log"

step "the admin command finds the database through the same file"
in_root runuser -u chatterbox -- chatterbox admin list-users >"$work/admin.log" 2>&1 ||
  { cat "$work/admin.log"; fail "chatterbox admin list-users"; }
grep -q USERNAME "$work/admin.log" || { cat "$work/admin.log"; fail "admin list-users printed no list"; }

step "purging the package keeps the data"
in_root apt-get purge -y -q chatterbox >"$work/purge.log" 2>&1 || { cat "$work/purge.log"; fail "apt-get purge"; }
[ ! -e "$root/usr/bin/chatterbox" ] && [ ! -e "$root/etc/chatterbox/chatterbox.conf" ] ||
  fail "files left after purge"
[ -f "$root/var/lib/chatterbox/chatterbox.db" ] || fail "purge removed the database"
step "passed"
