"""The streaming runtime: every module that reaches into Faust, aiokafka, mode or the registry
client beyond their public API.

Those four are pinned exactly in ``pyproject.toml``. ``tests/unit/app/streaming/
test_private_names.py`` checks each name below on the installed classes and hashes the source of
the upstream functions copied or mirrored here; run it against a new version, re-check the
module it names, then move the pin. A private name used anywhere else belongs in this package.

Private names, by library (file here: why).

faust-streaming 0.15.3
- ``faust.streams._current_event``: current.py, makes a batch's event current per key, so a table
  write goes to that event's partition.
- ``faust.transport.drivers.aiokafka.Producer._ensure_producer``: current.py, the started
  aiokafka producer for batch sends.
- ``faust.streams.Stream._processors``: batches.py, runs the processors Faust's iterator runs
  (``agent.test_context`` adds one).
- ``faust.transport.consumer.Consumer._drain_messages``: transport.py, overridden by a modified
  copy that runs the conductor callback's first step inline.
- ``Consumer._read_offset``, ``._commit_every``, ``._n_acked``, ``._add_gap``: transport.py,
  read and written by that copy exactly as upstream's loop does.
- ``faust.transport.drivers.aiokafka.Consumer._new_consumer_thread``: transport.py, overridden
  (upstream's one line, our thread class) to build the consumer thread below.
- ``AIOKafkaConsumerThread._create_worker_consumer``: transport.py, overridden to set the fetch
  wait on the consumer it builds.
- ``faust.stores.base.SerializedStore._get``, ``._encode_key``, ``._decode_value``:
  table_reads.py, one store lookup per read instead of two.
- ``SerializedStore._set``: table_writes.py, stores bytes encoded once for store and changelog.
- ``faust.tables.base.Collection._should_expire_keys``: table_writes.py, tables with key TTLs
  (windowed) are written through Faust.

mode-streaming 0.7.1
- ``mode.Service._stopped``: transport.py, the stop checks of the copied drain loop.

aiokafka 0.14.0
- ``AIOKafkaConsumer._fetch_max_wait_ms``: transport.py, set before ``start()`` builds the
  Fetcher (Faust hard-codes 1500 ms and has no setting).
- ``aiokafka.client.AIOKafkaClient._wait_on_metadata``: batch_send.py, the topic's partitions
  are known before a record is partitioned.
- ``AIOKafkaProducer._partition``: batch_send.py, explicit partitions and non-default
  partitioners, as ``send`` does.
- ``AIOKafkaProducer._partitioner``, ``._metadata``: batch_send.py, the default partitioner's
  arithmetic on a cached murmur2 (pure Python in aiokafka).

python-schema-registry-client 2.6.1
- ``AvroMessageSerializer._get_encoder_func``, ``._get_decoder_func``: registry_serializer.py,
  the codec fills the per-id caches before the first message.

Upstream code copied or mirrored (source hashed by the test):
- ``Consumer._drain_messages``, ``aiokafka.Consumer._new_consumer_thread``: copied in
  transport.py.
- ``Stream._py_aiter``, ``Stream._c_aiter`` and the Cython ``StreamIterator``
  (``faust/_cython/streams.pyx``, what the worker runs): their per-event bookkeeping is kept in
  batches.py.
- ``AIOKafkaProducer._partition``, ``DefaultPartitioner.__call__``: batch_send.py.
- ``SerializedStore.__getitem__``: table_reads.py; ``SerializedStore.__setitem__``,
  ``Table.on_key_set``, ``Collection._on_changelog_sent``: table_writes.py.
- ``MessageSerializer.decode_message``, ``.encode_record_with_schema_id``,
  ``AvroMessageSerializer._get_decoder_func``: app/serialization/codec.py fills the caches they
  read and builds same-schema decoders itself.

Undocumented Faust internals without an underscore, also checked: ``Stream.channel``,
``Channel.is_iterator``/``.queue``, ``Consumer.unacked``, ``App.flow_control``,
``App.consumer_generation_id``, ``Conductor.acking_topics``/``.acks_enabled_for``,
``Message.tracked``/``.generation_id`` and the message sensors (batches.py, transport.py);
``Collection.changelog_topic``, ``Store.set_persisted_offset``,
``TableManager.persist_offset_on_commit``, ``App.in_transaction`` (table_writes.py).

Outside this package, also checked: ``App._new_transport`` (overridden in app/core.py to install
transport.Transport), ``App._prepare_subservice`` (app/core.py passes ``app.service`` an
instance), ``Codec._dumps``/``._loads`` (Faust's codec extension point, in
app/serialization/codec.py), ``Record._options`` (app/models/conformance.py,
app/serialization/datum.py).

No imports here: importing a submodule must not load the others.
"""
