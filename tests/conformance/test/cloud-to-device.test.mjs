// Cloud-to-device messages with Microsoft's SDKs, unmodified: azure-iothub's Client.send over AMQPS (port 5671,
// CBS put-token) delivers to an azure-iot-device + azure-iot-device-mqtt device, and the positive feedback comes
// back through Client.getFeedbackReceiver. A device's queue over 50 is refused as IoT Hub refuses it. The same
// with the AmqpWs transport: AMQP over WebSocket at wss://<host>:443/$iothub/websocket (sub-protocol AMQPWSB10).

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, describe, test } from 'node:test';
import device from 'azure-iot-device';
import deviceMqtt from 'azure-iot-device-mqtt';
import iothub from 'azure-iothub';
import {
  connectionString, emulatorStatus, errors, newDeviceId, newKey, registry, removeDevices, withField,
} from './support.mjs';

const require = createRequire(import.meta.url);
// Client.send wants the service SDK's own Message class.
const { Message } = require('azure-iothub/dist/common-core/message.js');

const reg = registry();
const created = [];
const closers = [];

after(async () => {
  for (const close of closers) await close();
  await removeDevices(reg, created);
});

const hostName = connectionString.split(';').find((p) => p.startsWith('HostName=')).slice('HostName='.length);
const mqttPort = emulatorStatus?.mqttPort ?? 8883;

async function newDevice(label) {
  const deviceId = newDeviceId(label);
  const { responseBody: made } = await reg.create({ deviceId });
  created.push(deviceId);
  let cs = `HostName=${hostName};DeviceId=${deviceId};SharedAccessKey=${made.authentication.symmetricKey.primaryKey}`;
  if (mqttPort !== 8883) cs += `;GatewayHostName=localhost:${mqttPort}`;
  return { deviceId, cs };
}

// Client dials amqps://<HostName> on 5671. When another emulator on this machine holds 5671, the emulator under test
// listens elsewhere (its status says where) and a HostName with that port takes the SDK there, unmodified.
const amqpsPort = emulatorStatus?.amqpsPort ?? 5671;
const serviceConnectionString = amqpsPort === 5671 ? connectionString : withField(connectionString, 'HostName', `localhost:${amqpsPort}`);

async function openService(transport) {
  // AmqpWs always dials port 443 (the HTTPS port, which run.mjs gives the emulator), so it takes the plain string.
  const client = transport
    ? iothub.Client.fromConnectionString(connectionString, transport)
    : iothub.Client.fromConnectionString(serviceConnectionString);
  await client.open();
  closers.push(() => client.close());
  return client;
}

/** Resolves with the next event `name` of `emitter` that satisfies `predicate`, or fails after `ms`. */
function next(emitter, name, predicate, ms = 30_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.removeListener(name, on);
      reject(new Error(`no matching '${name}' within ${ms} ms`));
    }, ms);
    function on(value) {
      if (!predicate(value)) return;
      clearTimeout(timer);
      emitter.removeListener(name, on);
      resolve(value);
    }
    emitter.on(name, on);
  });
}

/** Sends one message with positive ack to a new MQTT device; checks what it receives and the feedback. */
async function sendReceiveAndGetFeedback(transport) {
  const service = await openService(transport);
  const { result: feedback } = await service.getFeedbackReceiver();
  const { deviceId, cs } = await newDevice('c2d');
  const deviceClient = device.Client.fromConnectionString(cs, deviceMqtt.Mqtt);
  closers.push(() => deviceClient.close());
  await deviceClient.open();
  // Listening for 'message' subscribes to devices/{id}/messages/devicebound/#; a message sent before the
  // subscription lands waits in the device's queue and is delivered once it does.
  const received = next(deviceClient, 'message', () => true);

  const messageId = `mid-${Date.now()}`;
  const message = new Message(JSON.stringify({ fan: 'on' }));
  message.messageId = messageId;
  message.correlationId = 'corr-1';
  message.ack = 'positive';
  message.properties.add('level', 'high/low & more');
  const feedbackArrived = next(feedback, 'message', (m) => JSON.parse(m.data.toString()).some((r) => r.originalMessageId === messageId));
  await service.send(deviceId, message);

  const got = await received;
  assert.equal(got.data.toString(), '{"fan":"on"}');
  assert.equal(got.messageId, messageId);
  assert.equal(got.correlationId, 'corr-1');
  assert.equal(got.to, `/devices/${deviceId}/messages/devicebound`);
  assert.equal(got.properties.getValue('level'), 'high/low & more');
  await deviceClient.complete(got);

  const feedbackMessage = await feedbackArrived;
  const record = JSON.parse(feedbackMessage.data.toString()).find((r) => r.originalMessageId === messageId);
  assert.equal(record.deviceId, deviceId);
  assert.equal(record.statusCode, 'Success');
  assert.equal(record.description, 'Success');
  assert.ok(!Number.isNaN(Date.parse(record.enqueuedTimeUtc)), 'enqueuedTimeUtc is a date');
  await new Promise((resolve, reject) => feedback.complete(feedbackMessage, (err) => (err ? reject(err) : resolve())));
}

describe('cloud-to-device messages (Client.send over AMQP, device over MQTT)', () => {
  test('the device receives body and properties, completes, and positive feedback arrives', () => sendReceiveAndGetFeedback());

  test('a queue over 50 messages is refused with DeviceMaximumQueueDepthExceededError', async () => {
    const service = await openService();
    const { deviceId } = await newDevice('full');
    for (let i = 0; i < 50; i += 1) await service.send(deviceId, new Message(`m${i}`));
    await assert.rejects(service.send(deviceId, new Message('one too many')), (err) => {
      assert.ok(err instanceof errors.DeviceMaximumQueueDepthExceededError, `got ${err?.constructor?.name}: ${err?.message}`);
      return true;
    });
    const { responseBody } = await reg.get(deviceId);
    assert.equal(responseBody.cloudToDeviceMessageCount, 50);
  });
});

describe('cloud-to-device messages over AMQP over WebSocket (Client with AmqpWs, device over MQTT)', () => {
  test('the device receives body and properties, completes, and positive feedback arrives', () => sendReceiveAndGetFeedback(iothub.AmqpWs));

  test('a wrong key is refused at the CBS put-token over the WebSocket', async () => {
    const client = iothub.Client.fromConnectionString(withField(connectionString, 'SharedAccessKey', newKey()), iothub.AmqpWs);
    // The SDK wraps the put-token answer (status-code 401 → UnauthorizedError) in its "Could not connect" error.
    await assert.rejects(client.open(), (err) => {
      assert.ok(err.amqpError instanceof errors.UnauthorizedError, `got ${err?.amqpError?.constructor?.name}: ${err?.amqpError?.message ?? err?.message}`);
      return true;
    });
    await client.close().catch(() => {});
  });
});
