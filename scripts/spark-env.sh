#!/usr/bin/env bash
# Sourced by scripts/spark-test.sh and bench/stream.sh: makes sure a Java runtime that Spark
# 3.5 supports and a virtual environment with pyspark are there, installing what is missing,
# and exports JAVA_HOME and SPARK_PY (the venv's python).
#
# - Java: pyspark 3.5 runs on Java 8, 11 and 17 (not 21, which a newer system's
#   default-jre-headless may be), so the `java` on PATH is used only when it is one of these;
#   otherwise openjdk-17-jre-headless comes from the system's packages (apt-get; as root, or
#   with sudo when that is there).
# - pyspark: from PyPI into a venv under $HEALTHLINT_CACHE (default ~/.cache/healthlint-spark),
#   kept between runs: the first install downloads ~320 MB and builds a wheel (about a minute).
#   pyspark 3.5 rather than 4: 4.x needs Java 17+, 3.5 also runs where only Java 11 is.
#
# Environment: HEALTHLINT_CACHE, PYSPARK_VERSION (default 3.5.9).

PYSPARK_VERSION=${PYSPARK_VERSION:-3.5.9}
HEALTHLINT_CACHE=${HEALTHLINT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/healthlint-spark}

spark_env_log() { echo "spark-env: $*" >&2; }

# as_root CMD...: runs CMD as root (directly, or through sudo).
as_root() {
  if [[ "$(id -u)" == 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    spark_env_log "needs root (or sudo) to run: $*"
    return 2
  fi
}

SPARK_ENV_APT_UPDATED=0
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    spark_env_log "no apt-get here: install $* by hand"
    return 2
  fi
  if [[ "$SPARK_ENV_APT_UPDATED" == 0 ]]; then
    as_root apt-get update -qq
    SPARK_ENV_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@"
}

# java_major JAVA: 8 for "1.8.0_…", 17 for "17.0.15", nothing when JAVA does not run.
java_major() {
  "$1" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'
}

spark_java_ok() {
  local major
  major=$(java_major "$1" || true)
  [[ "$major" == 8 || "$major" == 11 || "$major" == 17 ]]
}

find_java() {
  local candidate
  if [[ -n "${JAVA_HOME:-}" ]] && spark_java_ok "$JAVA_HOME/bin/java"; then
    return 0
  fi
  for candidate in "$(command -v java || true)" /usr/lib/jvm/java-17-openjdk-*/bin/java \
    /usr/lib/jvm/java-11-openjdk-*/bin/java; do
    if [[ -n "$candidate" && -x "$candidate" ]] && spark_java_ok "$candidate"; then
      JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$candidate")")")
      export JAVA_HOME
      return 0
    fi
  done
  return 1
}

if ! find_java; then
  spark_env_log "no Java 8/11/17 found: installing openjdk-17-jre-headless"
  apt_install openjdk-17-jre-headless
  if ! find_java; then
    spark_env_log "still no Java 8, 11 or 17 after installing openjdk-17-jre-headless"
    return 2 2>/dev/null || exit 2
  fi
fi
spark_env_log "Java $(java_major "$JAVA_HOME/bin/java") at $JAVA_HOME"

SPARK_VENV="$HEALTHLINT_CACHE/venv-pyspark-$PYSPARK_VERSION"
SPARK_PY="$SPARK_VENV/bin/python"
if ! "$SPARK_PY" -c "import pyspark, sys; sys.exit(pyspark.__version__ != '$PYSPARK_VERSION')" 2>/dev/null; then
  if ! command -v python3 >/dev/null 2>&1; then
    apt_install python3 python3-venv
  fi
  mkdir -p "$HEALTHLINT_CACHE"
  rm -rf "$SPARK_VENV"
  # Debian's python3 has no ensurepip without python3-venv, so `venv` fails until it is there.
  if ! python3 -m venv "$SPARK_VENV" >/dev/null 2>&1; then
    rm -rf "$SPARK_VENV"
    apt_install python3-venv python3-pip
    python3 -m venv "$SPARK_VENV"
  fi
  spark_env_log "installing pyspark $PYSPARK_VERSION into $SPARK_VENV"
  "$SPARK_PY" -m pip install --quiet --disable-pip-version-check \
    --cache-dir "$HEALTHLINT_CACHE/pip" "pyspark==$PYSPARK_VERSION"
fi
export SPARK_PY
# The venv's pyspark starts its own JVM; both must use the Java chosen above, and the
# workers the venv's Python.
export PYSPARK_PYTHON="$SPARK_PY" PYSPARK_DRIVER_PYTHON="$SPARK_PY"
export PATH="$JAVA_HOME/bin:$PATH"
