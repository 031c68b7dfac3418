import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casereview.settings")
application = get_wsgi_application()

# Everything loaded so far (Django, the apps, their modules) lives as long as the worker:
# keep it out of the garbage collector's full passes, which otherwise make the slowest
# requests (docs/benchmarks.md: p95 on the pages that build many objects).
gc.freeze()
