"""What every real-browser run of the app shares (the browser tests and `python -m benchmarks.load`): Debian's
chromium, its flags, and the selector of an app that is connected and idle."""

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The app connected to its server and its script not running (a page run finished).
READY = '[data-testid="stApp"][data-test-connection-state="CONNECTED"][data-test-script-state="notRunning"]'
