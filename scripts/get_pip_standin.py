"""Stand-in for the get-pip script ansible-test downloads to bootstrap pip in its venvs.

ensurepip must run as a subprocess: run in-process it blanks pip's configuration and TLS fails.
Then the requested pip is installed with the arguments ansible-test gave (minus the two flags
that only the real get-pip understands).
"""
import subprocess
import sys

subprocess.run([sys.executable, "-m", "ensurepip", "--upgrade"], check=True, stdout=subprocess.DEVNULL)
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
if args:
    subprocess.run([sys.executable, "-m", "pip", "install", "--disable-pip-version-check", *args], check=True)
