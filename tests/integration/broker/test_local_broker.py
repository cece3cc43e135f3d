"""The local Tansu broker: topics with their partition counts, publish and read back."""

from __future__ import annotations

import json

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from academichub.broker.dead_letters import DeadLetters
from academichub.broker.local import LocalBroker, port_open
from academichub.broker.publisher import KafkaPublisher
from academichub.broker.records import RawEvent
from academichub.broker.topics_admin import ensure_topics
from academichub.contracts import TOPICS, DeadLetter, Paper, TopicName
from academichub.contracts.examples import PAPER
from academichub.platform.errors import ConfigError
from tests.support.brokers import BrokerUnderTest
from tests.support.kafka import read_topic

pytestmark = pytest.mark.integration


async def test_topics_exist_with_their_partition_counts(broker: BrokerUnderTest) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
    await admin.start()
    try:
        described = await admin.describe_topics([str(t) for t in TOPICS])
    finally:
        await admin.close()
    partitions = {d["topic"]: len(d["partitions"]) for d in described}
    assert partitions == {str(name): spec.partitions for name, spec in TOPICS.items()}
    # Creating them again is harmless.
    assert await ensure_topics(broker.bootstrap_servers) == []


async def test_published_events_are_read_back_keyed_and_in_order(broker: BrokerUnderTest) -> None:
    publisher = KafkaPublisher(broker.bootstrap_servers, client_id="test")
    await publisher.start()
    try:
        papers = [Paper.model_validate({**PAPER, "version": v}) for v in (1, 2, 3)]
        await publisher.publish_many(TopicName.PAPERS, [(p.id, p) for p in papers])
        letter = await DeadLetters(publisher, service="test").send(
            TopicName.PAPERS, RawEvent(0, 7, b"k", b"{not json"), "papers: value is not JSON"
        )
    finally:
        await publisher.stop()
    got = await read_topic(broker.bootstrap_servers, TopicName.PAPERS, expect=3)
    assert [k for k, _ in got] == ["arxiv:2504.17830"] * 3
    assert [e.version for _, e in got] == [1, 2, 3]  # type: ignore[attr-defined]
    dlq = await read_topic(broker.bootstrap_servers, TopicName.PAPERS_DLQ, expect=1)
    assert dlq == [("k", letter)]
    assert isinstance(dlq[0][1], DeadLetter)
    assert json.loads(dlq[0][1].model_dump_json())["error"] == "papers: value is not JSON"


def test_stop_frees_the_port(tmp_path: object) -> None:
    broker = LocalBroker()
    broker.start()
    assert port_open("127.0.0.1", broker.port)
    broker.stop()
    assert not broker.running
    assert not port_open("127.0.0.1", broker.port)


async def test_producers_are_idempotent_where_the_broker_allows_it(broker: BrokerUnderTest) -> None:
    """Apache Kafka gives the idempotent producer; Tansu refuses InitProducerId, so ``auto``
    produces without it there, and events arrive either way."""
    auto = KafkaPublisher(broker.bootstrap_servers, client_id="test")
    await auto.start()
    try:
        assert auto.idempotent == (broker.kind == "kafka")
        await auto.publish(TopicName.PAPERS, "arxiv:2504.17830", Paper.model_validate(PAPER))
    finally:
        await auto.stop()
    off = KafkaPublisher(broker.bootstrap_servers, client_id="test", idempotence="off")
    await off.start()
    try:
        assert not off.idempotent
    finally:
        await off.stop()
    got = await read_topic(broker.bootstrap_servers, TopicName.PAPERS, expect=1)
    assert [k for k, _ in got] == ["arxiv:2504.17830"]


async def test_demanding_idempotence_from_a_broker_without_it_names_the_setting(
    broker: BrokerUnderTest,
) -> None:
    demanding = KafkaPublisher(broker.bootstrap_servers, client_id="test", idempotence="on")
    if broker.kind == "kafka":
        await demanding.start()
        assert demanding.idempotent
        await demanding.stop()
        return
    with pytest.raises(ConfigError, match="ACADEMICHUB_PRODUCER_IDEMPOTENCE=on"):
        await demanding.start()
