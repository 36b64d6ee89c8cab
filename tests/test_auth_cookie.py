"""The re-login cookie: the authenticator's token format, and its parts without the component."""

from __future__ import annotations

import time

import jwt
import streamlit_authenticator as stauth

from dashboard.shell.remember_cookie import QuietAuthenticator, RememberCookie

KEY = "cookie-key-for-tests-" + "k" * 24
CREDENTIALS = {"usernames": {"shop1": {"name": "Shop 1", "email": "s@x", "password": "$2b$04$x"}}}


def _token(payload: dict, key: str = KEY) -> str:
    return jwt.encode(payload, key, algorithm="HS256")


def test_a_token_in_the_authenticators_format_is_read_back():
    cookie = RememberCookie("mallboard_auth", KEY, 7)
    exp = time.time() + 3600
    assert cookie.decode(_token({"username": "shop1", "exp_date": exp})) == {
        "username": "shop1",
        "exp_date": exp,
    }


def test_expired_forged_or_malformed_tokens_are_refused():
    cookie = RememberCookie("mallboard_auth", KEY, 7)
    assert cookie.decode(_token({"username": "shop1", "exp_date": time.time() - 1})) is None
    assert (
        cookie.decode(_token({"username": "shop1", "exp_date": time.time() + 60}, "other-key" * 4))
        is None
    )
    assert cookie.decode(_token({"exp_date": time.time() + 60})) is None
    assert cookie.decode("not-a-token") is None
    assert cookie.decode("") is None and cookie.decode(None) is None


def test_the_quiet_authenticator_has_every_part_the_library_sets_up():
    """Authenticate.__init__ is replaced, not called: a library upgrade must not drop a part."""
    library = stauth.Authenticate(CREDENTIALS, "mallboard_auth", KEY, cookie_expiry_days=7)
    ours = QuietAuthenticator(CREDENTIALS, RememberCookie("mallboard_auth", KEY, 7))
    assert set(vars(ours)) == set(vars(library))
    assert type(ours.authentication_controller) is type(library.authentication_controller)
    assert ours.secret_key == library.secret_key and ours.path is None
    assert isinstance(ours.cookie_controller, RememberCookie)
