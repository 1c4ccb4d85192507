# shellcheck shell=bash
# Sourced by scripts/prefect-server and scripts/serve-flows.
# Background processes run in their own process group so that stopping them
# also stops everything they spawned (uvicorn workers, flow-run subprocesses).

# start_group LOG PIDFILE CMD...: run CMD detached in a new session.
start_group() {
  local log=$1 pidfile=$2
  shift 2
  # A background job of a non-interactive shell is not a group leader, so
  # setsid execs in place (no fork) and $! is both the pid and the pgid.
  # stdin/stdout/stderr are detached so `$(script start ...)` returns.
  setsid "$@" </dev/null >>"$log" 2>&1 &
  echo $! >"$pidfile"
}

# group_alive PIDFILE: true while a live (non-zombie) process of the group
# is left. kill -0 alone is not enough: an exited leader stays a zombie
# until reaped, and an init that does not reap would keep it forever.
group_alive() {
  local pgid stat rest f
  [[ -f $1 ]] || return 1
  pgid=$(cat "$1")
  for stat in /proc/[0-9]*/stat; do
    { read -r rest <"$stat"; } 2>/dev/null || continue  # process just exited
    rest=${rest##*) }  # fields after "(comm) ": state ppid pgrp ...
    read -r -a f <<<"$rest"
    [[ ${f[2]} == "$pgid" && ${f[0]} != Z ]] && return 0
  done
  return 1
}

# stop_group PIDFILE: TERM the group, wait up to 10 s, then KILL.
# Safe to call when the pid file is missing or the group is already gone.
stop_group() {
  local pidfile=$1 i
  [[ -f $pidfile ]] || return 0
  if kill -TERM -- "-$(cat "$pidfile")" 2>/dev/null; then
    for ((i = 0; i < 100; i++)); do
      group_alive "$pidfile" || break
      sleep 0.1
    done
    kill -KILL -- "-$(cat "$pidfile")" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

# scrub_prefect_env [KEEP_PREFIX...]: unset inherited PREFECT_* variables
# (a developer's profile or PREFECT_API_URL must not redirect the test
# server or flows) except those starting with one of the given prefixes.
scrub_prefect_env() {
  local var prefix keep
  for var in $(compgen -e); do
    [[ $var == PREFECT_* ]] || continue
    keep=false
    for prefix in "$@"; do
      [[ $var == "$prefix"* ]] && keep=true
    done
    $keep || unset "$var"
  done
}
