"""Why a sign-in failed, with a stable code the reader can quote and the status to answer."""

from __future__ import annotations


class SignInError(Exception):
    """A sign-in that cannot go on. ``message`` is written for the reader, never a traceback.

    Codes: ``SIGNIN_NOT_CONFIGURED``, ``UNKNOWN_PROVIDER``, ``ORIGIN_NOT_ALLOWED``,
    ``INVALID_STATE``, ``LOGIN_DENIED``, ``PROVIDER_ERROR``, ``PROVIDER_UNAVAILABLE``,
    ``TOKEN_EXCHANGE_FAILED``, ``INVALID_ID_TOKEN``, ``RATE_LIMIT_EXCEEDED``.
    """

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def not_configured() -> SignInError:
    return SignInError("SIGNIN_NOT_CONFIGURED", "Sign-in is not set up for this book.", 404)


def invalid_state() -> SignInError:
    return SignInError(
        "INVALID_STATE",
        "This sign-in link is unknown, expired, already used, or was started in another browser. "
        "Close this window and choose “Sign in” again.",
        400,
    )


def provider_unavailable() -> SignInError:
    return SignInError(
        "PROVIDER_UNAVAILABLE",
        "The sign-in provider could not be reached. Please try again in a moment.",
        502,
    )


def invalid_id_token() -> SignInError:
    return SignInError(
        "INVALID_ID_TOKEN",
        "The sign-in provider's answer could not be verified, so you were not signed in.",
        401,
    )
