"""The pure parts of the wire: backoff, Retry-After, which URLs and addresses are accepted."""

from datetime import UTC, datetime

import pytest

from core.errors import ApplicationError
from webhooks import transport
from webhooks.transport import MAX_DELAY_SECONDS, is_public_address, parse_retry_after, retry_delay, validate_url

NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("attempt", "low", "high"),
    [
        (1, 30, 60),
        (2, 60, 120),
        (3, 120, 240),
        (4, 240, 480),
        (8, 3840, 7680),
        (9, 7680, 15360),
        (10, 3 * 3600, 6 * 3600),
    ],
)
def test_backoff_doubles_with_jitter_in_the_upper_half_of_each_step(attempt, low, high):
    # when the random draw is at either end
    lowest = retry_delay(attempt, rand=lambda: 0.0)
    highest = retry_delay(attempt, rand=lambda: 1.0)
    # then
    assert (lowest, highest) == (low, high)


def test_backoff_is_capped():
    assert retry_delay(40, rand=lambda: 1.0) == MAX_DELAY_SECONDS
    assert retry_delay(40, rand=lambda: 0.0) == MAX_DELAY_SECONDS / 2


def test_backoff_jitter_spreads_deliveries_that_failed_together():
    delays = {retry_delay(3) for _ in range(50)}
    assert len(delays) > 40
    assert all(120 <= delay <= 240 for delay in delays)


def test_retry_after_wins_over_the_backoff_within_bounds():
    assert retry_delay(1, retry_after=300, rand=lambda: 0.0) == 300
    assert retry_delay(5, retry_after=0, rand=lambda: 0.0) == 1
    assert retry_delay(1, retry_after=10**9) == MAX_DELAY_SECONDS


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("Wed, 25 Nov 2026 12:02:00 GMT", 120.0),
        ("Wed, 25 Nov 2026 11:00:00 GMT", 0.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("-5", None),
        ("1.5", None),
    ],
)
def test_parse_retry_after(header, seconds):
    assert parse_retry_after(header, now=NOW) == seconds


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/tpm",
        "http://ci.example.org:8080/hooks?token=abc",
        "https://93.184.216.34/hook",
        "https://[2606:2800:220:1:248:1893:25c8:1946]/hook",
    ],
)
def test_public_http_urls_are_accepted(url, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    assert validate_url(f"  {url} ") == url


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "Give the URL that receives the events."),
        ("ftp://example.com/x", "Use an http:// or https:// URL."),
        ("javascript:alert(1)", "Use an http:// or https:// URL."),
        ("example.com/hook", "Use an http:// or https:// URL."),
        ("https:///path-only", "The URL needs a host name."),
        ("https://user:pw@example.com/", "Leave credentials out of the URL; check our X-TPM-Signature header instead."),
        ("https://example.com:99999/", "This is not a valid URL: Port out of range 0-65535."),
        ("https://exa mple.com/", "The URL may not contain spaces."),
        ("https://" + "a" * 2000 + ".com/", "Keep the URL under 2000 characters."),
        ("http://localhost:8000/hook", "Webhooks are delivered over the internet; localhost is not allowed."),
        ("http://127.0.0.1/hook", "127.0.0.1 is not a public address; webhooks go to public hosts."),
        ("http://10.1.2.3/hook", "10.1.2.3 is not a public address; webhooks go to public hosts."),
        (
            "http://169.254.169.254/latest/meta-data",
            "169.254.169.254 is not a public address; webhooks go to public hosts.",
        ),
        ("http://[::1]/hook", "::1 is not a public address; webhooks go to public hosts."),
        (
            "http://[::ffff:192.168.0.1]/hook",
            "::ffff:192.168.0.1 is not a public address; webhooks go to public hosts.",
        ),
    ],
)
def test_other_urls_are_refused_with_a_reason(url, message, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    with pytest.raises(ApplicationError) as refused:
        validate_url(url)
    assert refused.value.field == "url"
    assert refused.value.message == message


def test_private_networks_can_be_allowed_for_development(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    assert validate_url("http://127.0.0.1:9000/hook") == "http://127.0.0.1:9000/hook"
    assert validate_url("http://localhost/hook") == "http://localhost/hook"


def test_private_networks_follow_debug_by_default(settings):
    del settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS
    settings.DEBUG = False
    assert transport.private_networks_allowed() is False
    settings.DEBUG = True
    assert transport.private_networks_allowed() is True


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fd00::1", False),
        ("fe80::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:8.8.8.8", True),
    ],
)
def test_is_public_address(address, public):
    assert is_public_address(address) is public


def test_a_post_to_a_closed_port_reports_the_error_instead_of_raising(closed_port):
    outcome = transport.post(f"http://127.0.0.1:{closed_port}/", body=b"{}", headers={})
    assert outcome.status_code is None
    assert outcome.error.startswith("ConnectError")
    assert outcome.retryable is True
    assert outcome.succeeded is False


def test_a_redirect_is_not_followed_and_counts_as_a_failure(receiver):
    receiver.answer((302, {"Location": "http://169.254.169.254/"}))
    outcome = transport.post(receiver.url, body=b"{}", headers={})
    assert outcome.status_code == 302
    assert outcome.succeeded is False
    assert len(receiver.requests) == 1


def test_retry_after_is_read_on_503_only(receiver):
    receiver.answer((503, {"Retry-After": "30"}), (500, {"Retry-After": "30"}))
    assert transport.post(receiver.url, body=b"{}", headers={}).retry_after == 30
    assert transport.post(receiver.url, body=b"{}", headers={}).retry_after is None
