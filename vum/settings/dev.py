from vum.settings.base import *  # noqa: F403
from vum.settings.base import env

DEBUG = env.bool("DEBUG", default=True)
