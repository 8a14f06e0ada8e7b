#!/usr/bin/env bash
# Loads REPORT_DIR/report.html in headless Chromium and fails (exit 1, with
# the messages) if the page logs a console error or warning, throws, fails to
# load a resource, or requests anything but itself (report.html must be
# self-contained). Writes a full-page screenshot to SCREENSHOT.png when given.
#
# Chromium is driven over its DevTools protocol on a pipe
# (--remote-debugging-pipe): unlike grepping --enable-logging output, the
# protocol reports console calls, exceptions, failed loads and every request
# as events, in every Chromium version that has headless mode.
#
# usage: scripts/check-report.sh REPORT_DIR [SCREENSHOT.png]
set -euo pipefail
if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 REPORT_DIR [SCREENSHOT.png]" >&2
  exit 2
fi
PAGE="$(realpath "$1")/report.html"
if [[ ! -f "$PAGE" ]]; then
  echo "$PAGE: error: no such file" >&2
  exit 2
fi
SHOT="${2:-}"
[[ -n "$SHOT" ]] && SHOT="$(realpath -m "$SHOT")"
CHROMIUM="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
if [[ -z "$CHROMIUM" ]]; then
  echo "error: chromium not found (apt-get install chromium, or set CHROMIUM)" >&2
  exit 2
fi
# Debian's python3 (the pyenv one on PATH may lack modules; only the standard
# library is used here).
PYTHON="${PYTHON:-/usr/bin/python3}"

exec "$PYTHON" - "$CHROMIUM" "$PAGE" "$SHOT" <<'PY'
import base64, fcntl, json, os, pathlib, subprocess, sys, tempfile, time

chromium, page, shot = sys.argv[1], sys.argv[2], sys.argv[3]
url = pathlib.Path(page).as_uri()
profile = tempfile.mkdtemp(prefix="check-report-")

# Chromium reads commands on fd 3 and writes replies and events on fd 4.
# The pipe ends are first moved above 10 so that placing them on 3 and 4 in
# the child cannot overwrite one with the other.
def high_pipe():
    low = os.pipe()
    high = tuple(fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in low)
    for fd in low:
        os.close(fd)
    return high

to_browser_r, to_browser_w = high_pipe()
from_browser_r, from_browser_w = high_pipe()

def child_fds():
    os.dup2(to_browser_r, 3)
    os.dup2(from_browser_w, 4)

browser = subprocess.Popen(
    [chromium, "--headless", "--no-sandbox", "--disable-gpu",
     "--remote-debugging-pipe", "--no-first-run", "--no-default-browser-check",
     "--disable-extensions", "--user-data-dir=" + profile, "about:blank"],
    pass_fds=(3, 4), preexec_fn=child_fds,
    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL)
os.close(to_browser_r)
os.close(from_browser_w)
writer = os.fdopen(to_browser_w, "wb")
reader = os.fdopen(from_browser_r, "rb")

problems, next_id, buffered = [], [0], b""
urls = {}  # request id -> URL, to name failed loads
events = []

def read_message():
    global buffered
    while b"\0" not in buffered:
        chunk = reader.read1(1 << 16)
        if not chunk:
            raise RuntimeError("chromium closed the DevTools pipe")
        buffered += chunk
    message, buffered = buffered.split(b"\0", 1)
    return json.loads(message)

def send(method, params=None, session=None):
    next_id[0] += 1
    message = {"id": next_id[0], "method": method, "params": params or {}}
    if session:
        message["sessionId"] = session
    writer.write(json.dumps(message).encode() + b"\0")
    writer.flush()
    while True:
        reply = read_message()
        if reply.get("id") == next_id[0]:
            if "error" in reply:
                raise RuntimeError(method + ": " + json.dumps(reply["error"]))
            return reply.get("result", {})
        events.append(reply)

def note(event):
    method, p = event.get("method", ""), event.get("params", {})
    if method == "Runtime.consoleAPICalled" and p["type"] in (
            "error", "warning", "assert"):
        text = " ".join(str(a.get("value", a.get("description", "")))
                        for a in p.get("args", []))
        problems.append("console.%s: %s" % (p["type"], text))
    elif method == "Runtime.exceptionThrown":
        details = p["exceptionDetails"]
        problems.append("exception: " + details.get("exception", {}).get(
            "description", details.get("text", "")))
    elif method == "Log.entryAdded" and p["entry"]["level"] in (
            "error", "warning"):
        entry = p["entry"]
        problems.append("%s (%s): %s %s" % (entry["level"], entry["source"],
                                            entry["text"], entry.get("url", "")))
    elif method == "Network.requestWillBeSent":
        requested = p["request"]["url"]
        urls[p["requestId"]] = requested
        if requested != url:
            problems.append("external resource requested: " + requested)
    elif method == "Network.loadingFailed":
        problems.append("failed to load: %s (%s)" % (
            urls.get(p["requestId"], p["requestId"]), p.get("errorText")))

status = 0
try:
    target = send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = send("Target.attachToTarget",
                   {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        send(domain + ".enable", session=session)
    send("Page.navigate", {"url": url}, session=session)
    deadline = time.time() + 30
    loaded = False
    while not loaded:
        if time.time() > deadline:
            raise RuntimeError("the page did not finish loading in 30 s")
        event = events.pop(0) if events else read_message()
        note(event)
        loaded = event.get("method") == "Page.loadEventFired"
    # Give late messages a moment, then take what has arrived.
    time.sleep(0.5)
    send("Runtime.evaluate", {"expression": "1"}, session=session)
    for event in events:
        note(event)
    events.clear()
    if shot:
        # The page is measured at the screenshot's width: measured in the
        # default 800 px window, wrapped tables made it far taller than at
        # 1280 px, and the extra height came out blank below the page.
        width = 1280
        def viewport(height):
            send("Emulation.setDeviceMetricsOverride",
                 {"width": width, "height": height, "deviceScaleFactor": 1,
                  "mobile": False}, session=session)
        viewport(800)
        measured = send("Runtime.evaluate", {
            "expression": "document.documentElement.scrollHeight",
            "returnByValue": True}, session=session)["result"]["value"]
        height = int(measured)
        viewport(height)
        image = send("Page.captureScreenshot",
                     {"format": "png", "captureBeyondViewport": True},
                     session=session)["data"]
        pathlib.Path(shot).write_bytes(base64.b64decode(image))
        print("screenshot: %s (%dx%d)" % (shot, width, height))
        for event in events:
            note(event)
    try:
        send("Browser.close")
    except RuntimeError:
        pass
except RuntimeError as error:
    problems.append("error: " + str(error))
finally:
    try:
        browser.wait(timeout=10)
    except subprocess.TimeoutExpired:
        browser.kill()
    subprocess.run(["rm", "-rf", profile])

if problems:
    for problem in problems:
        print(page + ": " + problem, file=sys.stderr)
    sys.exit(1)
print(page + ": loaded with no console errors or warnings, no failed or "
      "external loads")
PY
