// A stock Node.js client of the pipeline: kafkajs and @kafkajs/confluent-schema-registry as npm serves them, with no
// extra compression codec installed. It publishes one TransformationRequested with an idempotent producer (the
// schema registered from schemas/ as an upstream producer would), then reads every topic of the topology from the
// beginning, decoding each value through the registry, until it has read the events it waits for. One JSON line per
// record read goes to stdout; anything it cannot do ends it with exit 1.
//
// Environment: BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL, TOPIC_PREFIX, REQUEST (the request's Avro JSON),
// SCHEMA_FILE (transformation-requested.avsc), WAIT_FOR (JSON: [[topic name, request id], ...], topic names as the
// keys of `topics` below), TIMEOUT_MS.
'use strict';
const fs = require('node:fs');
const { Kafka, logLevel } = require('kafkajs');
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry');

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const prefix = process.env.TOPIC_PREFIX ?? '';
const topics = {
  requested: `${prefix}cinematic.transformation.requested`,
  started: `${prefix}cinematic.transformation.started`,
  completed: `${prefix}cinematic.transformation.completed`,
  failed: `${prefix}cinematic.transformation.failed`,
  archived: `${prefix}cinematic.transformation.archived`,
  credits: `${prefix}cinematic.credits.recorded`,
};

async function main() {
  const request = JSON.parse(env('REQUEST'));
  const kafka = new Kafka({ clientId: 'stock-kafkajs', brokers: env('BOOTSTRAP_SERVERS').split(','), logLevel: logLevel.WARN });
  const registry = new SchemaRegistry({ host: env('SCHEMA_REGISTRY_URL') });

  const { id } = await registry.register(
    { type: SchemaType.AVRO, schema: fs.readFileSync(env('SCHEMA_FILE'), 'utf8') },
    { subject: `${topics.requested}-value` });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({
    topic: topics.requested,
    messages: [{ key: request.tenant_id, value: await registry.encode(id, request) }],
  });
  await producer.disconnect();

  const wanted = new Set(JSON.parse(env('WAIT_FOR')).map(([topic, requestId]) => `${topic} ${requestId}`));
  const consumer = kafka.consumer({ groupId: `${prefix}stock-kafkajs` });
  await consumer.connect();
  await consumer.subscribe({ topics: Object.values(topics), fromBeginning: true });
  const done = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still waiting for ${[...wanted].join(', ')}`)), Number(process.env.TIMEOUT_MS ?? 120000));
    consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const value = await registry.decode(message.value);
        const name = Object.keys(topics).find((k) => topics[k] === topic);
        console.log(JSON.stringify({ topic: name, partition, offset: message.offset, key: message.key?.toString(), value },
          (_, v) => (typeof v === 'bigint' ? v.toString() : v)));
        if (wanted.delete(`${name} ${value.request_id}`) && wanted.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      },
    }).catch(reject);
  });
  try {
    await done;
  } finally {
    await consumer.disconnect();
  }
}

main().then(() => process.exit(0), (error) => {
  console.error(error?.stack ?? String(error));
  process.exit(1);
});
