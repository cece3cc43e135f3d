"""Which Kafka errors refuse one event for good, and which say the broker is unavailable."""

from __future__ import annotations

import pytest
from aiokafka.errors import (
    CorruptRecordException,
    InvalidTopicError,
    KafkaConnectionError,
    KafkaError,
    KafkaTimeoutError,
    LeaderNotAvailableError,
    MessageSizeTooLargeError,
    NodeNotReadyError,
    NotLeaderForPartitionError,
    RecordListTooLargeError,
    RequestTimedOutError,
    UnknownError,
    UnknownTopicOrPartitionError,
)

from academichub.broker.publisher import refused_for_good


@pytest.mark.parametrize(
    "error",
    [
        MessageSizeTooLargeError(),
        RecordListTooLargeError(),
        CorruptRecordException(),
        InvalidTopicError(),
    ],
)
def test_errors_the_broker_answers_for_one_record_refuse_it(error: KafkaError) -> None:
    assert refused_for_good(error)


@pytest.mark.parametrize(
    "error",
    [
        KafkaConnectionError(),
        KafkaTimeoutError(),
        NodeNotReadyError(),
        RequestTimedOutError(),
        LeaderNotAvailableError(),
        NotLeaderForPartitionError(),
        UnknownTopicOrPartitionError(),
        # What Tansu answers after a restart when two producers race for a partition's
        # first batch; sent again, it is stored.
        UnknownError(),
    ],
)
def test_connection_timeouts_and_retriable_errors_mean_unavailable(error: KafkaError) -> None:
    assert not refused_for_good(error)
