"""Every private name of Faust, aiokafka, mode and the registry client that Headwater relies on.

``app/streaming/`` reaches into these libraries (see its ``__init__`` docstring), so their
versions are pinned exactly in ``pyproject.toml``. A new version can rename or reshape any of
these without notice; this test says which name broke and which module to re-check before the
pin moves. Copied or mirrored upstream functions are compared by a hash of their source.
"""

from __future__ import annotations

import ast
import contextvars
import hashlib
import inspect
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import aiokafka
import faust
import faust._cython
import faust.streams
import mode
import pytest
import schema_registry
from aiokafka import partitioner
from aiokafka.client import AIOKafkaClient
from aiokafka.cluster import ClusterMetadata
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.producer.producer import AIOKafkaProducer
from faust.app.base import App
from faust.channels import Channel
from faust.sensors.base import SensorDelegate
from faust.serializers.codecs import Codec
from faust.stores.base import SerializedStore, Store
from faust.tables.base import Collection
from faust.tables.manager import TableManager
from faust.tables.table import Table
from faust.transport import consumer as base_consumer
from faust.transport.conductor import Conductor
from faust.transport.drivers import aiokafka as driver
from faust.types.models import ModelOptions
from faust.types.tuples import Message
from schema_registry.serializers.message_serializer import (
    AvroMessageSerializer,
    MessageSerializer,
)

ROOT = Path(__file__).resolve().parents[4]
STREAMING = ROOT / "app" / "streaming"

#: Import name -> distribution; the four pinned exactly.
DISTS = {
    "faust": "faust-streaming",
    "aiokafka": "aiokafka",
    "mode": "mode-streaming",
    "schema_registry": "python-schema-registry-client",
}


@dataclass(frozen=True)
class Private:
    symbol: str  # dotted, as the test id
    used_by: str
    check: Callable[[], str | None]  # None when fine, else what changed, with "{symbol}"

    @property
    def dist(self) -> str:
        return DISTS[self.symbol.split(".")[0]]


def _symbol(owner: Any, name: str) -> str:
    prefix = (
        owner.__name__ if inspect.ismodule(owner) else f"{owner.__module__}.{owner.__qualname__}"
    )
    return f"{prefix}.{name}"


def _in_init(owner: type, name: str) -> bool:
    """``self.<name> = ...`` in the ``__init__`` of ``owner`` or of a class it inherits."""
    assigned = re.compile(rf"\bself\.{re.escape(name)}\s*(:[^=\n]+)?=[^=]")
    for cls in owner.__mro__:
        init = vars(cls).get("__init__")
        if init is None or not inspect.isfunction(init):
            continue
        if assigned.search(inspect.getsource(init)):
            return True
    return False


def attr(owner: Any, name: str, used_by: str, params: tuple[str, ...] | None = None) -> Private:
    """A module or class attribute (method, property, class attribute, slot)."""

    def check() -> str | None:
        if not hasattr(owner, name):
            return "renamed or removed {symbol}"
        if params is not None:
            found = tuple(inspect.signature(getattr(owner, name)).parameters)
            if found != params:
                return f"changed the parameters of {{symbol}} to {found} (from {params})"
        return None

    return Private(_symbol(owner, name), used_by, check)


def instance_attr(owner: type, name: str, used_by: str, read_in: str | None = None) -> Private:
    """An attribute set on instances in ``__init__`` (and, if ``read_in``, read by that method)."""

    def check() -> str | None:
        if not (name in dir(owner) or _in_init(owner, name)):
            return "renamed or removed {symbol} (no longer set in __init__)"
        if read_in is not None and f"self.{name}" not in inspect.getsource(getattr(owner, read_in)):
            return f"no longer reads {{symbol}} in {read_in}()"
        return None

    return Private(_symbol(owner, name), used_by, check)


class _Probe(faust.Record, namespace="headwater.tests.private_names.probe"):
    a: int
    b: int = 1


def _record_options() -> str | None:
    options = getattr(_Probe, "_options", None)
    if not isinstance(options, ModelOptions):
        return "renamed or removed {symbol}"
    if set(options.fields) != {"a", "b"} or dict(options.defaults) != {"b": 1}:
        return "changed the fields/defaults of {symbol}"
    if set(options.descriptors) != {"a", "b"}:
        return "changed the descriptors of {symbol}"
    return None


def _context_var() -> str | None:
    var = getattr(faust.streams, "_current_event", None)
    return None if isinstance(var, contextvars.ContextVar) else "renamed or retyped {symbol}"


T, B, S, C, W, R = (
    "app/streaming/transport.py",
    "app/streaming/batches.py",
    "app/streaming/batch_send.py",
    "app/streaming/current.py",
    "app/streaming/table_writes.py",
    "app/streaming/table_reads.py",
)
REG = "app/streaming/registry_serializer.py"
CODEC = "app/serialization/codec.py"

PRIVATE: list[Private] = [
    # faust-streaming
    Private("faust.streams._current_event", C, _context_var),
    attr(driver.Producer, "_ensure_producer", C, ("self",)),
    instance_attr(faust.Stream, "_processors", B),
    attr(base_consumer.Consumer, "_drain_messages", T, ("self", "fetcher")),
    instance_attr(driver.Consumer, "_read_offset", T),
    instance_attr(driver.Consumer, "_commit_every", T),
    instance_attr(driver.Consumer, "_n_acked", T),
    attr(driver.Consumer, "_add_gap", T, ("self", "tp", "offset_from", "offset_to")),
    attr(driver.Consumer, "_new_consumer_thread", T, ("self",)),
    attr(driver.AIOKafkaConsumerThread, "_create_worker_consumer", T, ("self", "transport")),
    attr(SerializedStore, "_get", R, ("self", "key")),
    attr(SerializedStore, "_encode_key", R, ("self", "key")),
    attr(SerializedStore, "_decode_value", R, ("self", "value")),
    attr(SerializedStore, "_set", W, ("self", "key", "value")),
    attr(Collection, "_should_expire_keys", W, ("self",)),
    attr(App, "_new_transport", "app/core.py", ("self",)),
    attr(App, "_prepare_subservice", "app/core.py", ("self", "service")),
    attr(Codec, "_dumps", CODEC),
    attr(Codec, "_loads", CODEC),
    Private(
        "faust.models.record.Record._options",
        "app/models/conformance.py and app/serialization/datum.py",
        _record_options,
    ),
    # faust-streaming internals without an underscore (undocumented, used the way Faust does)
    instance_attr(faust.Stream, "channel", B),
    instance_attr(Channel, "is_iterator", B),
    attr(Channel, "queue", B),
    attr(App, "flow_control", B),
    attr(App, "consumer_generation_id", B),
    attr(App, "in_transaction", W),
    attr(base_consumer.Consumer, "unacked", B),
    attr(Conductor, "acking_topics", B),
    attr(Conductor, "acks_enabled_for", T, ("self", "topic")),
    attr(Message, "tracked", B),
    attr(Message, "generation_id", B),
    attr(SensorDelegate, "on_message_in", B, ("self", "tp", "offset", "message")),
    attr(SensorDelegate, "on_message_out", B, ("self", "tp", "offset", "message")),
    attr(Collection, "changelog_topic", W),
    attr(Store, "set_persisted_offset", W, ("self", "tp", "offset")),
    attr(TableManager, "persist_offset_on_commit", W, ("self", "store", "tp", "offset")),
    # mode-streaming
    instance_attr(mode.Service, "_stopped", T),
    # aiokafka
    instance_attr(aiokafka.AIOKafkaConsumer, "_fetch_max_wait_ms", T, read_in="start"),
    attr(AIOKafkaClient, "_wait_on_metadata", S, ("self", "topic")),
    attr(
        AIOKafkaProducer,
        "_partition",
        S,
        ("self", "topic", "partition", "key", "value", "serialized_key", "serialized_value"),
    ),
    instance_attr(AIOKafkaProducer, "_partitioner", S),
    instance_attr(AIOKafkaProducer, "_metadata", S),
    attr(AIOKafkaProducer, "create_batch", S, ("self",)),
    attr(AIOKafkaProducer, "send_batch", S, ("self", "batch", "topic", "partition")),
    attr(ClusterMetadata, "partitions_for_topic", S, ("self", "topic")),
    attr(partitioner, "murmur2", S, ("data",)),
    # python-schema-registry-client
    attr(AvroMessageSerializer, "_get_encoder_func", REG, ("self", "schema")),
    attr(AvroMessageSerializer, "_get_decoder_func", REG, ("self", "payload", "writer_schema")),
    instance_attr(AvroMessageSerializer, "id_to_writers", CODEC),
    instance_attr(AvroMessageSerializer, "id_to_decoder_func", CODEC),
]


@pytest.mark.parametrize("private", PRIVATE, ids=lambda p: p.symbol)
def test_private_name_is_there(private: Private) -> None:
    problem = private.check()
    if problem is not None:
        what = problem.format(symbol=private.symbol)
        pytest.fail(
            f"{private.dist} {version(private.dist)} {what}, used by "
            f"{private.used_by}: re-check that module against the new version, then update "
            "the pin",
            pytrace=False,
        )


@dataclass(frozen=True)
class Mirror:
    symbol: str
    used_by: str
    source: Callable[[], str]
    sha256: str


def _src(owner: Any, name: str) -> Callable[[], str]:
    return lambda: inspect.getsource(getattr(owner, name))


def _pyx() -> str:
    return (Path(faust._cython.__file__).parent / "streams.pyx").read_text()


MIRRORS = [
    Mirror(
        "faust.transport.consumer.Consumer._drain_messages",
        T,
        _src(base_consumer.Consumer, "_drain_messages"),
        "44a2500309e83c630493f6828af50166ec8d96a0b3e4fb2bab735f704ae93417",
    ),
    Mirror(
        "faust.transport.drivers.aiokafka.Consumer._new_consumer_thread",
        T,
        _src(driver.Consumer, "_new_consumer_thread"),
        "0870ec53dea75083995e3565c0f0a25a1c63ecceaeb238e92e2585e3623af5a9",
    ),
    # The worker iterates with the Cython StreamIterator (_c_aiter) when it is built, else
    # with _py_aiter; take_batches keeps the per-event bookkeeping both do.
    Mirror(
        "faust.streams.Stream._py_aiter",
        B,
        _src(faust.streams.Stream, "_py_aiter"),
        "3a48ee257a65435b482d51edb74f2993a67867949b1ef89b49fea893769e0614",
    ),
    Mirror(
        "faust.streams.Stream._c_aiter",
        B,
        _src(faust.streams.Stream, "_c_aiter"),
        "fa44582a5882e9df5240199eabc475668bcd3c13b1816c45805dc746145b80bf",
    ),
    Mirror(
        "faust._cython.streams.StreamIterator",
        B,
        _pyx,
        "0041622f4a251188f53d73e6d51d18d16f0f427512df1e96c043cfdeea4c3250",
    ),
    Mirror(
        "aiokafka.producer.producer.AIOKafkaProducer._partition",
        S,
        _src(AIOKafkaProducer, "_partition"),
        "e45fa9c539d431d1a8af1efb94604c35e9108132a28f6a1e5b03977a0c67beaa",
    ),
    Mirror(
        "aiokafka.partitioner.DefaultPartitioner.__call__",
        S,
        _src(DefaultPartitioner, "__call__"),
        "4911320054e76343aabfde5fc9fe3bd27701e332ea3aa0ae06dad1f28fabba74",
    ),
    Mirror(
        "faust.stores.base.SerializedStore.__getitem__",
        R,
        _src(SerializedStore, "__getitem__"),
        "059a9eb349de2114f10c7d6e74daa48411eacc5ee8aff8e2d3d36033c3ebc0d6",
    ),
    Mirror(
        "faust.stores.base.SerializedStore.__setitem__",
        W,
        _src(SerializedStore, "__setitem__"),
        "6cadf304f59f254df10250c7209bbe8ab68844746747cac3bef589fbff4506be",
    ),
    Mirror(
        "faust.tables.table.Table.on_key_set",
        W,
        _src(Table, "on_key_set"),
        "a370e35ca55c2c7e36e93f0d4b485927c32d49199043cab2314572846184dd94",
    ),
    Mirror(
        "faust.tables.base.Collection._on_changelog_sent",
        W,
        _src(Collection, "_on_changelog_sent"),
        "60122c86a120d82cffa95da4c22323e12d67fa82f3112f08ac7f8edde7c47826",
    ),
    # AvroCodec fills the caches these read, and builds same-schema decoders itself.
    Mirror(
        "schema_registry.serializers.message_serializer.MessageSerializer.decode_message",
        CODEC,
        _src(MessageSerializer, "decode_message"),
        "081ad97a78a3189490da45f9a45431a766ba0180bd69faadcc2fbbe74fff5d49",
    ),
    Mirror(
        "schema_registry.serializers.message_serializer.MessageSerializer"
        ".encode_record_with_schema_id",
        CODEC,
        _src(MessageSerializer, "encode_record_with_schema_id"),
        "1f340d7f48e06467d3dda6dba9495b656d798a73e0debc61b4e9f80f75fea4df",
    ),
    Mirror(
        "schema_registry.serializers.message_serializer.AvroMessageSerializer._get_decoder_func",
        CODEC,
        _src(AvroMessageSerializer, "_get_decoder_func"),
        "813d1468fef89e49a1617d7028c7467bb2e218fac6663f3cfabbabe5ef9dc120",
    ),
]


@pytest.mark.parametrize("mirror", MIRRORS, ids=lambda m: m.symbol)
def test_mirrored_upstream_source_is_unchanged(mirror: Mirror) -> None:
    try:
        source = mirror.source()
    except (AttributeError, OSError) as err:
        gone = f"{type(err).__name__}: {err}"
    else:
        gone = None
    if gone is not None:
        pytest.fail(
            f"upstream {mirror.symbol} is gone ({gone}): re-check {mirror.used_by} against the "
            "new version",
            pytrace=False,
        )
    found = hashlib.sha256(source.encode()).hexdigest()
    if found != mirror.sha256:
        pytest.fail(
            f"upstream {mirror.symbol} changed: compare it with {mirror.used_by} and update the "
            f"copy and the hash (now {found})",
            pytrace=False,
        )


def _pins() -> dict[str, str]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        deps = tomllib.load(f)["project"]["dependencies"]
    pins: dict[str, str] = {}
    for dep in deps:
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)(\[[^\]]*\])?==([^\s,;]+)", dep.strip())
        if m:
            pins[m.group(1)] = m.group(3)
    return pins


@pytest.mark.parametrize("dist", sorted(DISTS.values()))
def test_installed_version_is_the_exact_pin(dist: str) -> None:
    pins = _pins()
    assert dist in pins, (
        f"pyproject.toml must pin {dist} exactly (==): app/streaming uses its privates"
    )
    assert version(dist) == pins[dist], (
        f"{dist} {version(dist)} is installed but pyproject.toml pins {pins[dist]}: "
        "reinstall (make venv), or run this test against the new version before moving the pin"
    )


def test_the_modules_named_here_import_these_libraries() -> None:
    # A typo in a library name above would make a check pass on the wrong module.
    assert {m.__name__ for m in (faust, aiokafka, mode, schema_registry)} == set(DISTS)


#: Underscore names app/streaming defines itself (not library privates).
OWN = {
    "_producer",
    "_open",
    "_sent",
    "_ship",
    "_default_partition",
    "_app",
    "_send",
    "_tables",
    "_on_sent",
}


def test_every_library_private_used_in_app_streaming_is_listed() -> None:
    listed = {p.symbol.rsplit(".", 1)[1] for p in PRIVATE}
    unlisted: set[str] = set()
    for path in sorted(STREAMING.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names: list[str] = []
            if isinstance(node, ast.Attribute):
                names = [node.attr]
            elif isinstance(node, ast.ImportFrom):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ClassDef):  # overrides
                names = [
                    f.name
                    for f in node.body
                    if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
                ]
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"getattr", "hasattr", "setattr"}
                and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
            ):
                names = [node.args[1].value]
            for name in names:
                private = name.startswith("_") and not name.startswith("__")
                if private and name not in OWN and name not in listed:
                    unlisted.add(f"{path.relative_to(ROOT)}: {name}")
    assert not unlisted, (
        f"private names not in this test's table: {sorted(unlisted)}; add them (and to "
        "app/streaming/__init__.py's docstring)"
    )


def test_the_package_docstring_lists_every_private_name() -> None:
    doc = ast.get_docstring(ast.parse((STREAMING / "__init__.py").read_text())) or ""
    missing = [
        p.symbol
        for p in PRIVATE
        if p.symbol.rsplit(".", 1)[1].startswith("_") and p.symbol.rsplit(".", 1)[1] not in doc
    ]
    missing += [m.symbol for m in MIRRORS if m.symbol.rsplit(".", 1)[1] not in doc]
    assert not missing, f"app/streaming/__init__.py does not mention {missing}"
