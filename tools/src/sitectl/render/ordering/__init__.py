"""Python start-up code that every process of a render runs (the directory goes first on
PYTHONPATH): it makes Ansible's host order reproducible. See sitecustomize.py."""

from pathlib import Path

DIRECTORY = Path(__file__).resolve().parent
