"""A consumer member's watch on its group's committed offsets: a broker that lost its state (a
restarted memory broker, a recreated cluster) forgets the group's offsets while the member keeps
reading from its old positions, past the events written since at lower offsets; committing there
would lose them for good. So the member remembers what it committed, checks it before each commit,
and reads a partition again from its start when the broker lost it (the inbox makes what was
handled already a no-op)."""

from __future__ import annotations

import logging

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition

from continuum.observability import CONSUMER_OFFSETS_LOST

log = logging.getLogger("continuum.messaging.consumer")


class GroupOffsets(ConsumerRebalanceListener):  # type: ignore[misc]
    """What this member expects the group's committed offset to be, per assigned partition; as the
    consumer's rebalance listener it learns them afresh after every (re)assignment."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.committed: dict[TopicPartition, int | None] = {}
        self.assignment_changed = True

    def on_partitions_revoked(self, revoked: object) -> None:
        self.assignment_changed = True

    def on_partitions_assigned(self, assigned: object) -> None:
        self.assignment_changed = True

    async def learn(self, consumer: AIOKafkaConsumer) -> None:
        """After a (re)assignment, positions start from the group's committed offsets: those are
        what the offset check expects until this member commits."""
        if self.assignment_changed:
            self.assignment_changed = False
            self.committed = {p: await consumer.committed(p) for p in consumer.assignment()}

    async def lost(self, consumer: AIOKafkaConsumer, tp: TopicPartition) -> bool:
        """Whether the broker lost the offset this member last committed for ``tp`` (or found at
        assignment): it now has none, or an earlier one. One offset fetch per partition batch."""
        committed: int | None = await consumer.committed(tp)
        expected = self.committed.get(tp)
        if committed == expected:
            return False
        if expected is not None and (committed is None or committed < expected):
            return True
        # Moved on by someone else (the partition's next owner after a rebalance, an operator): the
        # commit that follows fails or is theirs to make; not a loss.
        self.committed[tp] = committed
        return False

    async def read_again_from_the_start(self, consumer: AIOKafkaConsumer, tp: TopicPartition) -> None:
        """The broker lost this group's offset of ``tp``: read the partition from its start. The
        inbox makes what was already handled a no-op; nothing at a lower offset is skipped."""
        log.warning(
            "broker lost the group's offsets; reading the partition again from its start",
            extra={"consumer": self.name, "topic": tp.topic, "partition": tp.partition},
        )
        CONSUMER_OFFSETS_LOST.labels(self.name).inc()
        await consumer.seek_to_beginning(tp)
        self.committed[tp] = await consumer.committed(tp)
