# The launcher's side of the resident client (io.livemig.cli.resident), in bash: its /dev/tcp
# connects, and `read -N` reads a frame's exact bytes. The launcher execs it (same process, so
# signals sent to the launcher come here) as:
#   bash resident-client.bash STATE_FILE STAMP JVM_COMMAND... --livemig-args-- ARG...
# STATE_FILE holds "PORT TOKEN PID" of a server on the loopback address; STAMP names the build;
# JVM_COMMAND is java with its options and class path. The command runs in that server when one
# answers; otherwise here, in a JVM of its own (exec), after starting a server in the background
# where none runs (none answered, or one of another build, which then ends).
state=$1 stamp=$2
shift 2
jvm=()
while [ $# -gt 0 ] && [ "$1" != --livemig-args-- ]; do
  jvm+=("$1")
  shift
done
shift

# A JVM for a process that stays: a heap that starts small and gives memory back.
RESIDENT_OPTS=(-Xms16m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30)

start_server() {
  local dir=${state%/*}
  mkdir -p -m 700 "$dir" 2>/dev/null || return 0
  [ -O "$dir" ] || return 0 # another user's: neither its log nor its state file is to be trusted
  (
    trap '' HUP
    exec "${jvm[@]}" "${RESIDENT_OPTS[@]}" io.livemig.cli.resident.ResidentMain "$state" "$stamp"
  ) </dev/null >>"$dir/resident.log" 2>&1 &
}

# Runs the command in the server, and exits with its code; returns 254 when no server would take
# it (none, another build, refused), 253 when the server runs another command.
in_server() {
  local port token reply kind n chunk name names terminal=0
  # Only a state file of this user's, in a directory of this user's, names a server to trust with
  # the command and its environment.
  [ -O "${state%/*}" ] && [ -O "$state" ] && [ -r "$state" ] || return 254
  read -r port token _ <"$state" 2>/dev/null || return 254
  case $port in '' | *[!0-9]*) return 254 ;; esac
  # (braces: a redirection on exec itself would stay for the whole script)
  { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 254
  if [ -t 0 ] && [ -t 1 ]; then terminal=1; fi
  # shellcheck disable=SC2207 # variable names have no spaces
  names=($(compgen -e))
  {
    printf '%s\0' livemig-resident/1 "$token" "$stamp" "$PWD" "$terminal" "$$" "$#" "$@" "${#names[@]}"
    for name in "${names[@]}"; do printf '%s=%s\0' "$name" "${!name}"; done
  } >&3 2>/dev/null || { exec 3>&-; return 254; }
  IFS= read -r reply <&3
  case $reply in
    r) ;;
    b) exec 3>&-; return 253 ;;
    *) exec 3>&-; return 254 ;;
  esac
  # Byte counts from here on: no multibyte decoding.
  export LC_ALL=C
  # Ctrl-C, SIGTERM, a closed terminal: told to the server, which aborts what the command started
  # and sends its exit code, as the command does in its own JVM. bash runs the trap between two
  # reads; the server's keepalive lines come often enough for that.
  trap 'printf s >&3 2>/dev/null' INT TERM HUP
  while IFS=' ' read -r kind n <&3; do
    case $kind in
      o) IFS= read -r -N "$n" chunk <&3 && printf '%s' "$chunk" ;;
      e) IFS= read -r -N "$n" chunk <&3 && printf '%s' "$chunk" >&2 ;;
      x) exit "$n" ;;
    esac
  done
  echo "livemig: the resident client process ended before its command did" >&2
  exit 1
}

in_server "$@"
case $? in
  254) start_server ;;
esac
exec "${jvm[@]}" io.livemig.cli.Main "$@"
