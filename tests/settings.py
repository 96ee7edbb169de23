"""Talat's settings for the test suite: the real settings module, with test-friendly
environment defaults (tasks run inline, e-mail kept in memory, plain HTTP)."""

import os

os.environ.setdefault("TALAT_SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("TALAT_INSECURE_HTTP", "1")
os.environ.setdefault("TALAT_TASKS_BACKEND", "immediate")
os.environ.setdefault("TALAT_EMAIL_URL", "memory")
os.environ.setdefault("TALAT_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Fixed keys used only by the test suite.
os.environ.setdefault("TALAT_FIELD_KEYS", "1:0Bt0dYzJug6NTY143sLf-4qU64f-LSZk7uDq-vW9CwA=")
os.environ.setdefault("TALAT_INDEX_KEY", "e2sctItvaewhmMvcwlBRThg2M4ptLQ0DtVUbt77P-k4=")
os.environ.setdefault("TALAT_AUDIT_SIGNING_KEY", "Pgk0Jc4DhIIkp9xmg5Vsbw0epPSC3rydM3I6IBoynhc=")

from talat.settings import *  # noqa: E402,F403

# Tests serve static files from the apps' folders; production serves the hashed, collected copies.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
PASSWORD_HASHERS = ["tests.hashers.FastArgon2PasswordHasher"]
