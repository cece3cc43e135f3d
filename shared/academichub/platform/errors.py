"""The failure classes every service uses to decide what to do.

    AcademicHubError
    ├── PoisonEvent      an input that can never be processed: count it, dead-letter it, go on
    ├── TransientError   the world is briefly unavailable: retry with backoff, within a bound
    └── ConfigError      the process cannot start as configured: say which setting, exit

Anything else is a bug and crashes the process loudly (without committing offsets).
"""


class AcademicHubError(Exception):
    """Base of AcademicHub's classified failures."""


class PoisonEvent(AcademicHubError):
    """An event or input that will never be processable as it is."""


class TransientError(AcademicHubError):
    """A dependency failed in a way that may succeed when tried again."""


class ConfigError(AcademicHubError):
    """The configuration is unusable; the message names the setting."""
