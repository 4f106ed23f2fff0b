"""Sign-in, the session cookie, CSRF on every form, and sign-out."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Connection

from app.models import User
from app.pages.session import PageSession, decode_session, encode_session
from tests.conftest import table_counts
from tests.html import attr, one
from tests.pages.conftest import csrf_of, sign_in, soup

SECRET = b"s" * 48


class TestCookieCodec:
    def test_round_trip(self) -> None:
        data = PageSession(csrf_token="abc", issued_at=1000, user_id=7, fingerprint="f")
        value = encode_session(SECRET, data)
        assert decode_session(SECRET, value, max_age_s=60, now=1010) == data

    def test_a_tampered_cookie_is_refused(self) -> None:
        value = encode_session(SECRET, PageSession("abc", 1000, 7, "f"))
        forged = encode_session(SECRET, PageSession("abc", 1000, 1, "f")).split(".")[0]
        assert decode_session(SECRET, forged + "." + value.split(".")[1],
                              max_age_s=60, now=1010) is None

    def test_another_secret_is_refused(self) -> None:
        value = encode_session(SECRET, PageSession("abc", 1000, 7, "f"))
        assert decode_session(b"t" * 48, value, max_age_s=60, now=1010) is None

    def test_an_expired_cookie_is_refused(self) -> None:
        value = encode_session(SECRET, PageSession("abc", 1000, 7, "f"))
        assert decode_session(SECRET, value, max_age_s=60, now=1061) is None

    @pytest.mark.parametrize("value", ["", ".", "x.y", "e30.AAAA", "!!!.???"])
    def test_garbage_is_refused(self, value: str) -> None:
        assert decode_session(SECRET, value, max_age_s=60, now=0) is None


class TestSignIn:
    def test_signed_out_visitor_is_sent_to_login(self, browser_client: TestClient) -> None:
        response = browser_client.get("/workflows?q=refund")
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=%2Fworkflows%3Fq%3Drefund"

    def test_home_sends_signed_out_visitor_to_login(self, browser_client: TestClient) -> None:
        assert browser_client.get("/").headers["location"] == "/login"

    def test_sign_in_sets_a_hardened_cookie_and_returns_to_next(
        self, browser_client: TestClient, make_account: Any
    ) -> None:
        lead = make_account("lead")
        form = browser_client.get("/login")
        response = browser_client.post("/login", data={
            "email": lead.user.email.upper(), "password": "pw-" + lead.user.email,
            "csrf_token": csrf_of(form), "next": "/recordings"})
        assert response.status_code == 303
        assert response.headers["location"] == "/recordings"
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
        assert browser_client.get("/").headers["location"] == "/workflows"

    def test_the_cookie_is_secure_over_https(self, app: Any, make_account: Any) -> None:
        with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
            response = client.get("/login")
        assert "secure" in response.headers["set-cookie"].lower()

    def test_next_never_leaves_the_site(self, client: TestClient, make_account: Any) -> None:
        lead = make_account("lead")
        form = client.get("/login")
        response = client.post("/login", follow_redirects=False, data={
            "email": lead.user.email, "password": "pw-" + lead.user.email,
            "csrf_token": csrf_of(form), "next": "//evil.example/x"})
        assert response.headers["location"] == "/workflows"

    @pytest.mark.parametrize("field", ["email", "password"])
    def test_a_wrong_email_or_password_is_refused_the_same_way(
        self, client: TestClient, make_account: Any, field: str
    ) -> None:
        lead = make_account("lead")
        data = {"email": lead.user.email, "password": "pw-" + lead.user.email}
        data[field] = "wrong@example.test" if field == "email" else "wrong"
        response = client.post("/login", data={**data, "csrf_token": csrf_of(client.get("/login"))})
        assert response.status_code == 400
        alert = one(soup(response), "[role=alert]")
        assert alert.text == "The email or the password is wrong."
        assert client.get("/account", follow_redirects=False).status_code == 303

    def test_a_changed_password_ends_the_session(
        self, client: TestClient, make_account: Any, session: Any
    ) -> None:
        lead = make_account("lead")
        sign_in(client, lead)
        user = session.get(User, lead.user.id)
        user.password_hash = "changed"
        session.commit()
        assert client.get("/account", follow_redirects=False).status_code == 303

    def test_sign_out_ends_the_session(self, client: TestClient, make_account: Any) -> None:
        csrf = sign_in(client, make_account("lead"))
        response = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
        assert response.headers["location"] == "/login"
        assert client.get("/workflows", follow_redirects=False).status_code == 303


class TestCsrf:
    def test_login_without_the_token_is_refused(
        self, client: TestClient, make_account: Any
    ) -> None:
        lead = make_account("lead")
        client.get("/login")
        response = client.post("/login", data={"email": lead.user.email,
                                                "password": "pw-" + lead.user.email})
        assert response.status_code == 403
        assert client.get("/account", follow_redirects=False).status_code == 303

    @pytest.mark.parametrize("token", [None, "", "forged-token"])
    def test_a_form_without_its_token_changes_nothing(
        self, client: TestClient, make_account: Any, connection: Connection, token: str | None
    ) -> None:
        sign_in(client, make_account("admin"))
        before = table_counts(connection)
        data = {"email": "new@example.test", "role": "agent", "team": "Support",
                "password": "long enough password"}
        if token is not None:
            data["csrf_token"] = token
        response = client.post("/admin/users", data=data)
        assert response.status_code == 403
        assert one(soup(response), "h1").text == "Not allowed"
        assert table_counts(connection) == before

    def test_sign_out_without_the_token_keeps_the_session(
        self, client: TestClient, make_account: Any
    ) -> None:
        sign_in(client, make_account("lead"))
        assert client.post("/logout", data={}).status_code == 403
        assert client.get("/account").status_code == 200

    def test_a_token_from_another_session_is_refused(
        self, app: Any, client: TestClient, make_account: Any
    ) -> None:
        sign_in(client, make_account("admin"))
        with TestClient(app) as other:
            stolen = sign_in(other, make_account("admin"))
        response = client.post("/admin/users/1/tokens", data={"csrf_token": stolen})
        assert response.status_code == 403


class TestHostileInput:
    @pytest.mark.parametrize("field", ["email", "password"])
    def test_a_nul_in_a_form_is_a_4xx(self, client: TestClient, make_account: Any,
                                      field: str) -> None:
        lead = make_account("lead")
        data = {"email": lead.user.email, "password": "pw-" + lead.user.email,
                "csrf_token": csrf_of(client.get("/login"))}
        data[field] += "\x00"
        assert client.post("/login", data=data).status_code == 422

    @pytest.mark.parametrize("next_url", ["/\x00x", "/a b", "/\\evil.example", "https://e.x",
                                          "/" + "a" * 600])
    def test_a_strange_next_falls_back_to_the_workflows(self, client: TestClient,
                                                        make_account: Any, next_url: str) -> None:
        lead = make_account("lead")
        form = soup(client.get("/login", params={"next": next_url}))
        assert attr(one(form, "input[name=next]"), "value") == "/workflows"
        response = client.post("/login", follow_redirects=False, data={
            "email": lead.user.email, "password": "pw-" + lead.user.email,
            "csrf_token": attr(one(form, "input[name=csrf_token]"), "value"),
            "next": next_url})
        if "\x00" in next_url:
            assert response.status_code == 422
        else:
            assert response.headers["location"] == "/workflows"
