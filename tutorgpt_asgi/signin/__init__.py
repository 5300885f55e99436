"""Sign in with an OpenID Connect provider (service layer): the relying party, login attempts
and single-use login codes. ``web/signin.py`` serves it; ``POST /session`` redeems the codes."""

from tutorgpt_asgi.signin.errors import SignInError
from tutorgpt_asgi.signin.service import CompletedLogin, SignInService, StartedLogin
from tutorgpt_asgi.signin.store import VerifiedClaims

__all__ = ["CompletedLogin", "SignInError", "SignInService", "StartedLogin", "VerifiedClaims"]
