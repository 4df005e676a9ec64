"""Run the tests against the Django project in ``django_project/``.

Plain pytest, no plugin: the settings module is named here and Django is set up once
before collection.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "django_project.settings"
django.setup()
