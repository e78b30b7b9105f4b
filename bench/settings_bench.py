"""Settings for bench/bench_api.py only: the project's settings plus one bare Django JSON view.

The bare view (``/bench/bare?bytes=N``) answers a JSON body of about N bytes, built once per size,
through the same middleware stack and the same gunicorn process as the API; the API's figures are
printed beside it. It exists under these settings only: ``gonghui.settings`` never routes it.
"""

from gonghui.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls_bench"
# The bench client sends no Host the deployment would know.
ALLOWED_HOSTS = ["*"]
