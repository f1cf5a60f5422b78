#!/usr/bin/python3
"""Stand-in for the OAuth2 token endpoint of the IAM (wire-formats.md §3.1,
§3.5; errors per RFC 6749 §5.2).

Routes:
  POST /token                              client_credentials grant
  GET  /.well-known/openid-configuration   discovery document

The request is form-encoded (application/x-www-form-urlencoded), with the
client authenticated by HTTP Basic (client_secret_basic) or by client_id and
client_secret in the form (client_secret_post), not both.  "scope" is split
on white space (the prototype's trailing space is fine); every scope must be
allowed for the client.  "audience" is copied into the token's "aud".

Success: 200 {"access_token", "token_type": "Bearer", "expires_in", "scope"}
with Cache-Control: no-store (RFC 6749 §5.1).  The access token is an HS256
JWT (three base64url parts) with iss, sub (the client id), aud, scope, exp,
iat, jti, signed with fixture["oauth2"]["signing_key"], which the other
stand-ins use to check it.  Knob "expires_in" overrides the lifetime.
"""
import base64
import time
import urllib.parse
import uuid

import common
from common import Route

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class OAuthError(Exception):
    def __init__(self, error, description, status=400):
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


class OAuthHandler(common.StandinHandler):
    server_version = "standin-iam"
    extra_knobs = {"expires_in": None}
    routes = [
        Route("POST", r"/token", "token", "POST /token", auth=True),
        Route("GET", r"/\.well-known/openid-configuration", "discovery",
              "GET /.well-known/openid-configuration"),
    ]

    # RFC 6749 §5.2 error answers
    def oauth_error(self, status, error, description, basic=False):
        headers = dict(NO_STORE)
        if status == 401 and basic:
            headers["WWW-Authenticate"] = 'Basic realm="standin-iam"'
        self.reply(status, {"error": error, "error_description": description},
                   "application/json;charset=UTF-8", headers)

    def error_status(self, status):
        self.oauth_error(status, "server_error" if status >= 500 else "invalid_request",
                         f"injected {status}")

    def unauthorized(self):
        self.oauth_error(401, "invalid_client", "Bad client credentials")

    def handle_exception(self, exc):
        if isinstance(exc, OAuthError):
            basic = self.headers.get("Authorization", "").lower().startswith("basic ")
            self.oauth_error(exc.status, exc.error, str(exc), basic)
            return True
        return False

    def client(self, form):
        """The fixture client that authenticated, or raise invalid_client."""
        auth = self.headers.get("Authorization", "")
        in_form = "client_id" in form or "client_secret" in form
        if auth.lower().startswith("basic "):
            if in_form and "client_secret" in form:
                raise OAuthError("invalid_request", "Use only one client authentication method")
            try:
                raw = base64.b64decode(auth[6:].strip(), validate=True).decode()
            except ValueError:
                raise OAuthError("invalid_client", "Malformed Basic credentials", 401)
            cid, _, secret = raw.partition(":")
            # RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic
            cid, secret = urllib.parse.unquote_plus(cid), urllib.parse.unquote_plus(secret)
        elif in_form:
            cid, secret = form.get("client_id", ""), form.get("client_secret", "")
        else:
            raise OAuthError("invalid_client", "Client authentication is required", 401)
        for c in self.fixture["oauth2"]["clients"]:
            if c["client_id"] == cid and c["client_secret"] == secret:
                return c
        raise OAuthError("invalid_client", "Bad client credentials", 401)

    def token(self):
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            raise OAuthError("invalid_request", "Content-Type must be application/x-www-form-urlencoded")
        pairs = urllib.parse.parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        form = {}
        for k, v in pairs:
            if k in form:
                raise OAuthError("invalid_request", f"Parameter {k} is repeated")
            form[k] = v
        client = self.client(form)
        grant = form.get("grant_type")
        if not grant:
            raise OAuthError("invalid_request", "Missing grant_type")
        if grant != "client_credentials":
            raise OAuthError("unsupported_grant_type", f"Unsupported grant type: {grant}")
        if grant not in client["grant_types"]:
            raise OAuthError("unauthorized_client", f"Client {client['client_id']} may not use {grant}")
        scopes = form.get("scope", "").split() or list(client["scopes"])
        bad = [s for s in scopes if s not in client["scopes"]]
        if bad:
            raise OAuthError("invalid_scope", f"Scope not allowed: {' '.join(bad)}")
        conf = self.fixture["oauth2"]
        lifetime = int(self.app.knobs["expires_in"] or conf["expires_in"])
        now = int(time.time())
        claims = {"iss": conf["issuer"], "sub": client["client_id"], "client_id": client["client_id"],
                  "scope": " ".join(scopes), "iat": now, "nbf": now, "exp": now + lifetime,
                  "jti": str(uuid.uuid4())}
        if form.get("audience"):
            auds = form["audience"].split()
            claims["aud"] = auds[0] if len(auds) == 1 else auds
        token = common.jwt_encode(claims, conf["signing_key"])
        self.reply(200, {"access_token": token, "token_type": "Bearer", "expires_in": lifetime,
                         "scope": claims["scope"]}, "application/json;charset=UTF-8", NO_STORE)

    def discovery(self):
        base = f"http://{self.headers.get('Host', '127.0.0.1')}{self.app.args.prefix.rstrip('/')}"
        self.reply(200, {"issuer": self.fixture["oauth2"]["issuer"], "token_endpoint": base + "/token",
                         "grant_types_supported": ["client_credentials"],
                         "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]})


if __name__ == "__main__":
    common.serve(OAuthHandler, "Stand-in OAuth2 token endpoint (wire-formats.md §3.1)")
