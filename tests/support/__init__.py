"""Helpers for the tests, not tests: real servers on 127.0.0.1, a serve target, JupyterLab driving.

pytest collects nothing here (no ``test_*`` files); the browser helpers (``lab``, ``axe``) need
Playwright and are imported only by ``tests/browser`` and the front-end benchmark.
"""
