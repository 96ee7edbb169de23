"""Talat's settings for the test suite: the real settings module, with test-friendly
environment defaults (tasks run inline, e-mail kept in memory, plain HTTP)."""

import os

os.environ.setdefault("TALAT_SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("TALAT_INSECURE_HTTP", "1")
os.environ.setdefault("TALAT_TASKS_BACKEND", "immediate")
os.environ.setdefault("TALAT_EMAIL_URL", "memory")
os.environ.setdefault("TALAT_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from talat.settings import *  # noqa: E402,F403

# Tests serve static files from the apps' folders; production serves the hashed, collected copies.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
