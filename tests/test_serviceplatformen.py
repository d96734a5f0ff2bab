"""The Serviceplatformen client against a fake Serviceplatformen on a loopback port
(tests/peers/serviceplatformen.py): mutual TLS, the STS's token for the service agreement, the
token cache, retries of what is safe to repeat, and a clear error for the rest."""

import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.peers.certificates import make_certificate
from tests.peers.serviceplatformen import FakeServiceplatformen, Fault
from vum.serviceplatformen.client import (
    Config,
    Service,
    ServiceplatformenClient,
    ServiceplatformenError,
)

CVR = "29189846"
DEMO = Service(
    name="SF0000 Demo",
    entity_id="http://entityid.kombit.dk/service/demo/1",
    path="/service/Demo_1/demo",
)
OTHER = Service(
    name="SF9999 Udenfor aftalen",
    entity_id="http://entityid.kombit.dk/service/andet/1",
    path="/service/Andet_1/andet",
)
A_CPR = "0101904321"


@pytest.fixture
def municipality(tmp_path: Path) -> tuple[Path, Path]:
    """The municipality's certificate (FOCES in production)."""
    return make_certificate("kommunen-foces", tmp_path / "kommunen")


@pytest.fixture
def platform(tmp_path: Path, municipality: tuple[Path, Path]) -> Iterator[FakeServiceplatformen]:
    with FakeServiceplatformen(
        tmp_path / "platform",
        municipality_cert=municipality[0],
        cvr=CVR,
        services={DEMO.entity_id: DEMO.path},
    ) as fake:
        yield fake


@pytest.fixture
def config(platform: FakeServiceplatformen, municipality: tuple[Path, Path]) -> Config:
    return Config(
        base_url=platform.base_url,
        sts_url=platform.sts_url,
        cvr=CVR,
        cert_file=str(municipality[0]),
        key_file=str(municipality[1]),
        verify=str(platform.cert_path),
        timeout=1.0,
        attempts=3,
        backoff=0.01,
    )


def endpoints(platform: FakeServiceplatformen) -> list[tuple[str, int]]:
    return [(call.endpoint, call.status) for call in platform.calls]


def test_a_call_gets_a_token_from_the_sts_once_and_reuses_it(
    platform: FakeServiceplatformen, config: Config
) -> None:
    client = ServiceplatformenClient(config)

    first = client.call(DEMO, "demo", idempotent=True, json={"cpr": A_CPR})
    second = client.call(DEMO, "demo", idempotent=True, json={"cpr": A_CPR})

    assert first.json()["svar"] == "ok"
    assert second.json()["svar"] == "ok"
    assert endpoints(platform) == [
        ("sts", 200),
        ("token", 200),
        (DEMO.path, 200),
        (DEMO.path, 200),
    ]


def test_a_service_outside_the_agreement_or_another_cvr_is_refused_by_the_sts(
    platform: FakeServiceplatformen, config: Config
) -> None:
    with pytest.raises(ServiceplatformenError) as outside:
        ServiceplatformenClient(config).call(OTHER, "andet", idempotent=True)
    with pytest.raises(ServiceplatformenError) as other_cvr:
        ServiceplatformenClient(replace(config, cvr="12345678")).call(DEMO, "demo", idempotent=True)

    assert outside.value.status == 400
    assert not outside.value.retryable
    assert "SF9999 Udenfor aftalen afviste kaldet (400)" in outside.value.reason
    assert other_cvr.value.status == 400
    assert [call.detail for call in platform.calls] == [
        '{"fejl": "serviceaftalen omfatter ikke http://entityid.kombit.dk/service/andet/1"}',
        '{"fejl": "ingen serviceaftale for det CVR-nummer"}',
    ]


def test_only_the_municipalitys_certificate_gets_through(
    tmp_path: Path, platform: FakeServiceplatformen, config: Config
) -> None:
    stranger = make_certificate("en-anden", tmp_path / "fremmed")
    client = ServiceplatformenClient(
        replace(config, cert_file=str(stranger[0]), key_file=str(stranger[1]), attempts=1)
    )

    with pytest.raises(ServiceplatformenError) as refused:
        client.call(DEMO, "demo", idempotent=True)

    assert "kunne ikke få forbindelse" in refused.value.reason
    assert platform.calls == []


def test_try_later_answers_are_retried_with_a_growing_wait(
    platform: FakeServiceplatformen, config: Config, caplog: pytest.LogCaptureFixture
) -> None:
    platform.fail_next(DEMO.path, Fault(status=503), Fault(status=502))

    with caplog.at_level(logging.INFO, logger="vum.serviceplatformen.client"):
        answer = ServiceplatformenClient(config).call(
            DEMO, "demo", idempotent=True, json={"cpr": A_CPR}
        )

    assert answer.json()["svar"] == "ok"
    assert endpoints(platform)[-3:] == [(DEMO.path, 503), (DEMO.path, 502), (DEMO.path, 200)]
    lines = [record.getMessage() for record in caplog.records]
    assert [line.split(" efter ")[0] for line in lines[-3:]] == [
        "Serviceplatformen SF0000 Demo demo: 503",
        "Serviceplatformen SF0000 Demo demo: 502",
        "Serviceplatformen SF0000 Demo demo: 200",
    ]
    assert not any(A_CPR in line for line in lines)


def test_a_service_that_stays_away_gives_a_clear_retryable_error(
    platform: FakeServiceplatformen, config: Config
) -> None:
    platform.fail_next(DEMO.path, *[Fault(status=503)] * 3)

    with pytest.raises(ServiceplatformenError) as failed:
        ServiceplatformenClient(config).call(DEMO, "demo", idempotent=True)

    assert failed.value.status == 503
    assert failed.value.retryable
    assert failed.value.reason == "SF0000 Demo er ikke til rådighed lige nu (503)."


def test_a_timeout_is_retried_only_when_the_call_may_be_repeated(
    platform: FakeServiceplatformen, config: Config
) -> None:
    client = ServiceplatformenClient(config)
    platform.fail_next(DEMO.path, Fault(delay=1.5))
    assert client.call(DEMO, "demo", idempotent=True).json()["svar"] == "ok"

    platform.fail_next(DEMO.path, Fault(delay=1.5))
    with pytest.raises(ServiceplatformenError) as lost:
        client.call(DEMO, "send", idempotent=False)

    assert lost.value.reason == "SF0000 Demo svarede ikke inden for 1 sekunder."
    assert lost.value.retryable


def test_an_answer_that_is_no_use_is_not_retried(
    platform: FakeServiceplatformen, config: Config
) -> None:
    platform.fail_next(DEMO.path, Fault(status=400))

    with pytest.raises(ServiceplatformenError) as refused:
        ServiceplatformenClient(config).call(DEMO, "demo", idempotent=True)

    assert refused.value.status == 400
    assert endpoints(platform)[-1] == (DEMO.path, 400)
    assert len([call for call in platform.calls if call.endpoint == DEMO.path]) == 1


def test_an_expired_token_is_replaced_once(platform: FakeServiceplatformen, config: Config) -> None:
    client = ServiceplatformenClient(config)
    client.call(DEMO, "demo", idempotent=True)
    platform.expire_tokens()

    assert client.call(DEMO, "demo", idempotent=True).json()["svar"] == "ok"
    assert endpoints(platform)[-4:] == [
        (DEMO.path, 401),
        ("sts", 200),
        ("token", 200),
        (DEMO.path, 200),
    ]


def test_a_malformed_sts_answer_is_a_clear_error(
    platform: FakeServiceplatformen, config: Config
) -> None:
    platform.fail_next("sts", Fault(malformed=True))

    with pytest.raises(ServiceplatformenError) as unreadable:
        ServiceplatformenClient(config).call(DEMO, "demo", idempotent=True)

    assert unreadable.value.reason == (
        "KOMBITs STS gav et svar, vum ikke kan læse, for SF0000 Demo."
    )


def test_the_client_is_off_unless_configured() -> None:
    with pytest.raises(ServiceplatformenError) as off:
        Config.from_settings()

    assert "ikke slået til" in off.value.reason
