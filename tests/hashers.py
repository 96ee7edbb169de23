"""Argon2 with the cheapest parameters: the same algorithm and stored format as production, fast
enough for the hundreds of users the suite creates."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 64
    parallelism = 1
