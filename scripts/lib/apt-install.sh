# Sourced by the setup scripts: `apt_install WHO PACKAGE...` installs Debian packages quietly, as
# root or through sudo, and prints one line saying what (WHO names the script). Nothing when empty.
apt_install() {
  local who=$1; shift
  [ $# -gt 0 ] || return 0
  local sudo=''
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "$who: installing $*"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
