"""The insight service's settings: the common ones, its name, and the dashboard's sign-in."""

from __future__ import annotations

from pydantic import SecretStr

from continuum.settings import ServiceSettings


class InsightSettings(ServiceSettings):
    service_name: str = "insight"

    # The dashboard's sign-in through the council's OpenID Connect provider (authorization code
    # with PKCE; insight/dashboard/oidc.py). Unset, the dashboard's sign-in page says sign-in is not
    # configured; in dev and test the dev issuer (/dashboard/dev-sign-in) signs in instead. The
    # provider's access tokens are verified as the API's bearer tokens are (CONTINUUM_JWT_JWKS_URL,
    # _ISSUER, _AUDIENCE); its ID token's signature by the same JWKS, its audience the client id.
    oidc_issuer: str | None = None
    oidc_authorization_endpoint: str | None = None
    oidc_token_endpoint: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_scope: str = "openid profile"
    #: Where the provider sends the browser back: this service's public URL + /dashboard/callback.
    oidc_redirect_uri: str | None = None

    @property
    def oidc_configured(self) -> bool:
        return all(
            (
                self.oidc_issuer,
                self.oidc_authorization_endpoint,
                self.oidc_token_endpoint,
                self.oidc_client_id,
                self.oidc_client_secret,
                self.oidc_redirect_uri,
            )
        )
