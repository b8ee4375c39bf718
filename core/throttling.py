"""The API's throttles (REST_FRAMEWORK DEFAULT_THROTTLE_CLASSES), in a module
of their own: DRF imports them while it defines its views, so they may not
import DRF's views themselves (as core.api does).

DRF's throttles keep the rates they find when rest_framework.throttling is
first imported; these read them from the settings at each request, so
settings changed later apply (as tests' overrides do)."""

from rest_framework import throttling
from rest_framework.settings import api_settings


class RateFromSettings:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


class AnonRateThrottle(RateFromSettings, throttling.AnonRateThrottle):
    """Anonymous requests, counted by address (REST_FRAMEWORK NUM_PROXIES)."""


class UserRateThrottle(RateFromSettings, throttling.UserRateThrottle):
    """Signed-in requests (session or token), counted by person."""
