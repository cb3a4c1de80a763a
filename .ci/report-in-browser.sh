#!/usr/bin/env bash
# Renders a run report (bin/tarmo report / demo) in headless Chromium, kept off the network, and checks
# that the page finished, that every chart container holds a drawn SVG, and that no script error,
# console.error or blocked fetch happened; then saves a screenshot.
#
#   .ci/report-in-browser.sh REPORT.html [SCREENSHOT.png]   check one report (default screenshot:
#                                                          target/report-in-browser/report.png)
#   .ci/report-in-browser.sh --self-check REPORT.html       show that the check fails on broken copies
#                                                          of REPORT.html (a chart that did not draw, a
#                                                          script error)
#
# Exit 0 when the page is good, 1 with one line on stderr naming what is wrong otherwise.
# Needs Debian's chromium (CHROMIUM=... to use another binary).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
chromium="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"

fail() {
  echo "report-in-browser: $*" >&2
  exit 1
}

# Chromium with nothing to reach: no proxy that works, no name that resolves, no background traffic,
# a throw-away profile. Run as root (CI), it needs --no-sandbox.
browse() {
  local profile
  profile="$(mktemp -d)"
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run --no-default-browser-check \
    --disable-background-networking --disable-component-update --disable-sync --disable-default-apps \
    --disable-extensions --disable-breakpad --metrics-recording-only --mute-audio \
    --proxy-server=127.0.0.1:9 --proxy-bypass-list='<-loopback>' --host-resolver-rules='MAP * ~NOTFOUND' \
    --user-data-dir="$profile" --virtual-time-budget=15000 --run-all-compositor-stages-before-draw "$@" \
    2>"$profile.log"
  local status=$?
  rm -rf "$profile" "$profile.log"
  return $status
}

# Prints nothing and returns 0 for a good page; prints one line and returns 1 otherwise.
check() {
  local page="$1" screenshot="$2" dom
  [[ -s "$page" ]] || { echo "no report at $page"; return 1; }
  dom="$(mktemp)"
  if ! browse --dump-dom "file://$(realpath "$page")" >"$dom"; then
    rm -f "$dom"
    echo "chromium could not render $page"
    return 1
  fi
  local html state errors expected
  html="$(grep -o -m1 '<html[^>]*>' "$dom" || true)"
  state="$(sed -n 's/.*data-report-state="\([a-z]*\)".*/\1/p' <<<"$html")"
  errors="$(sed -n 's/.*data-report-errors="\([0-9]*\)".*/\1/p' <<<"$html")"
  expected="$(sed -n 's/.*data-report-charts="\([0-9]*\)".*/\1/p' <<<"$html")"
  if [[ "$errors" != "0" ]]; then
    local messages
    messages="$(sed -n 's/.*data-report-error-messages="\([^"]*\)".*/\1/p' <<<"$html")"
    rm -f "$dom"
    echo "$page: ${errors:-?} error(s) in the page: ${messages:-unknown}"
    return 1
  fi
  if [[ "$state" != "drawn" ]]; then
    rm -f "$dom"
    echo "$page: the page did not finish drawing (state: ${state:-none})"
    return 1
  fi
  # One piece per chart container: from its opening tag to the next one. A drawn chart holds an SVG with
  # marks (paths); an empty one (a table not there yet, nothing in these days) an SVG with its note.
  local verdict
  verdict="$(awk -v RS='<div class="chart"' '
    function bad(why) { if (!verdict) verdict = "chart " id " " why }
    NR > 1 {
      id = "?"; if (match($0, /data-chart="[^"]*"/)) id = substr($0, RSTART + 12, RLENGTH - 13)
      state = "?"; if (match($0, /data-chart-state="[^"]*"/)) state = substr($0, RSTART + 18, RLENGTH - 19)
      paths = gsub(/<path/, "&"); texts = gsub(/<text/, "&"); svgs = gsub(/<svg/, "&")
      charts++
      if (svgs == 0) bad("did not draw (no SVG in its container)")
      else if (state == "drawn" && paths == 0) bad("did not draw (an SVG without marks)")
      else if (state == "empty" && texts == 0) bad("is empty without its note")
      else if (state != "drawn" && state != "empty") bad("did not draw (state " state ")")
    }
    END { if (verdict) print verdict; else if (charts + 0 == 0) print "no chart containers in the page"; else print "ok " charts }' "$dom")"
  rm -f "$dom"
  if [[ "$verdict" != ok* ]]; then
    echo "$page: $verdict"
    return 1
  fi
  if [[ "${verdict#ok }" != "$expected" ]]; then
    echo "$page: ${verdict#ok } chart containers, but the page drew ${expected:-none}"
    return 1
  fi
  if [[ -n "$screenshot" ]]; then
    mkdir -p "$(dirname "$screenshot")"
    rm -f "$screenshot"
    browse --hide-scrollbars --window-size=1400,4700 --screenshot="$screenshot" "file://$(realpath "$page")" \
      >/dev/null || true
    [[ -s "$screenshot" ]] || { echo "$page: no screenshot was written to $screenshot"; return 1; }
  fi
  echo "ok $expected"
}

# A copy of the report with the line $2 inserted before its closing </body> line (copied byte for byte
# around it: the inlined chart library must stay intact).
broken_copy() {
  local page="$1" script="$2" copy="$3" line
  line="$(grep -n '^</body>$' "$page" | tail -1 | cut -d: -f1)"
  [[ -n "$line" ]] || fail "self-check: no </body> line in $page"
  { head -n "$((line - 1))" "$page"; printf '%s\n' "$script"; tail -n "+$line" "$page"; } >"$copy"
}

[[ -n "$chromium" ]] || fail "chromium is not installed (apt-get install chromium)"

if [[ "${1:-}" == "--self-check" ]]; then
  page="${2:?usage: $0 --self-check REPORT.html}"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  # A chart whose drawing vanished: its container is emptied after the page finished.
  broken_copy "$page" "<script>document.querySelector('.chart').innerHTML = '';</script>" "$work/undrawn.html"
  # A script error after the charts drew.
  broken_copy "$page" "<script>undefinedFunctionOfTheSelfCheck();</script>" "$work/error.html"
  for case in undrawn:"did not draw" error:"error(s) in the page"; do
    name="${case%%:*}" expected="${case#*:}"
    if verdict="$(check "$work/$name.html" "")"; then
      fail "self-check: the check passed a broken page ($name)"
    fi
    [[ "$verdict" == *"$expected"* ]] || fail "self-check: a broken page ($name) failed for another reason: $verdict"
    echo "report-in-browser: self-check: a broken page ($name) fails as it should: ${verdict#"$work/"}"
  done
  exit 0
fi

page="${1:?usage: $0 REPORT.html [SCREENSHOT.png] | --self-check REPORT.html}"
screenshot="${2:-$repo/target/report-in-browser/report.png}"
verdict="$(check "$page" "$screenshot")" || fail "$verdict"
echo "report-in-browser: $page: ${verdict#ok } charts drew, no errors; screenshot $screenshot"
