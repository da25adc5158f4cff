"""Secrets at rest: encrypted with a key outside the database, readable by the worker, rotatable."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from webhooks import crypto, services
from webhooks.models import WebhookEndpoint


def test_new_secrets_are_long_random_and_prefixed():
    secrets = {crypto.new_secret() for _ in range(20)}
    assert len(secrets) == 20
    assert all(secret.startswith("whsec_") and len(secret) >= 40 for secret in secrets)


def test_the_secret_is_stored_encrypted_and_decrypts_back(workspace, admin_user):
    # when
    endpoint, secret = services.endpoint_create(
        workspace=workspace, actor=admin_user, url="https://hooks.example.com/a", events=["story.created"]
    )

    # then
    stored = WebhookEndpoint.objects.values_list("secret_encrypted", flat=True).get(pk=endpoint.pk)
    assert secret not in stored
    assert secret.removeprefix("whsec_") not in stored
    assert crypto.decrypt_secret(stored) == secret


def test_with_field_encryption_key_set_new_secrets_use_it_and_old_ones_still_open(settings):
    # given a secret stored under the key derived from SECRET_KEY
    old_token = crypto.encrypt_secret("whsec_old")
    field_key = Fernet.generate_key().decode()

    # when
    settings.FIELD_ENCRYPTION_KEY = field_key
    new_token = crypto.encrypt_secret("whsec_new")

    # then
    assert Fernet(field_key.encode()).decrypt(new_token.encode()) == b"whsec_new"
    assert crypto.decrypt_secret(old_token) == "whsec_old"
    assert crypto.decrypt_secret(new_token) == "whsec_new"


def test_field_encryption_keys_rotate_first_encrypts_all_decrypt(settings):
    # given
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = old_key
    token = crypto.encrypt_secret("whsec_kept")

    # when
    settings.FIELD_ENCRYPTION_KEY = f"{new_key}, {old_key}"

    # then
    assert crypto.decrypt_secret(token) == "whsec_kept"
    assert Fernet(new_key.encode()).decrypt(crypto.encrypt_secret("x").encode()) == b"x"


def test_a_changed_secret_key_is_survived_through_its_fallbacks(settings):
    # given
    token = crypto.encrypt_secret("whsec_before_rotation")

    # when
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "another-secret-key-after-rotation-0123456789-abcdefghijklmnop"

    # then
    assert crypto.decrypt_secret(token) == "whsec_before_rotation"


def test_without_the_key_the_secret_does_not_open(settings):
    token = crypto.encrypt_secret("whsec_lost")
    settings.SECRET_KEY = "a-completely-different-secret-key-0123456789-abcdefghijklmno"
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt_secret(token)


def test_a_malformed_field_encryption_key_is_a_configuration_error(settings):
    settings.FIELD_ENCRYPTION_KEY = "not-a-fernet-key"
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEY must be Fernet keys"):
        crypto.encrypt_secret("whsec_x")


def test_signature_is_hmac_sha256_of_timestamp_dot_body():
    # a receiver in any language computes the same value
    import hashlib
    import hmac

    body = b'{"event":"ping"}'
    expected = hmac.new(b"whsec_s", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert crypto.sign(secret="whsec_s", timestamp=1700000000, body=body) == f"sha256={expected}"
    assert crypto.verify(secret="whsec_s", timestamp=1700000000, body=body, signature=f"sha256={expected}")
    assert not crypto.verify(secret="whsec_s", timestamp=1700000001, body=body, signature=f"sha256={expected}")
