// Devices over MQTT with Microsoft's azure-iot-device + azure-iot-device-mqtt, and the service side of direct
// methods with azure-iothub's Client: twin GET and reported patch, desired-property notifications, methods,
// telemetry, and a refused CONNECT.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import device from 'azure-iot-device';
import deviceMqtt from 'azure-iot-device-mqtt';
import iothub from 'azure-iothub';
import {
  assertHubError, connectionString, emulatorStatus, newDeviceId, newKey, registry, removeDevices,
} from './support.mjs';

const reg = registry();
const created = [];
const openClients = [];

after(async () => {
  for (const client of openClients) await client.close();
  await removeDevices(reg, created);
});

const hostName = connectionString.split(';').find((p) => p.startsWith('HostName=')).slice('HostName='.length);
// The SDK dials 8883 unless told otherwise; the emulator takes another port when 8883 is busy and says which.
const mqttPort = emulatorStatus?.mqttPort ?? 8883;

function deviceConnectionString(deviceId, key) {
  let cs = `HostName=${hostName};DeviceId=${deviceId};SharedAccessKey=${key}`;
  if (mqttPort !== 8883) cs += `;GatewayHostName=localhost:${mqttPort}`;
  return cs;
}

/** Creates a device in the registry and opens an MQTT client for it. */
async function connectedDevice(label) {
  const deviceId = newDeviceId(label);
  const { responseBody: made } = await reg.create({ deviceId });
  created.push(deviceId);
  const client = device.Client.fromConnectionString(
    deviceConnectionString(deviceId, made.authentication.symmetricKey.primaryKey), deviceMqtt.Mqtt);
  await client.open();
  openClients.push(client);
  return { deviceId, client };
}

function updateReported(twin, patch) {
  return new Promise((resolve, reject) => twin.properties.reported.update(patch, (err) => (err ? reject(err) : resolve())));
}

/** Resolves with the first desired-property notification that satisfies `predicate`, or fails after `ms`. */
function nextDesired(twin, predicate, ms = 15_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      twin.removeListener('properties.desired', onDesired);
      reject(new Error(`no matching desired-property notification within ${ms} ms`));
    }, ms);
    function onDesired(delta) {
      if (!predicate(delta)) return;
      clearTimeout(timer);
      twin.removeListener('properties.desired', onDesired);
      resolve(delta);
    }
    twin.on('properties.desired', onDesired);
  });
}

describe('device twin over MQTT', () => {
  test('the device reads the twin the service wrote: desired values and $version', async () => {
    const { deviceId, client } = await connectedDevice('twinget');
    const { responseBody: serviceTwin } = await reg.getTwin(deviceId);
    await reg.updateTwin(deviceId, { properties: { desired: { telemetryConfig: { sendFrequency: '5m' } } } },
      serviceTwin.etag);

    const twin = await client.getTwin();
    assert.deepEqual(twin.properties.desired.telemetryConfig, { sendFrequency: '5m' });
    assert.equal(twin.properties.desired.$version, 2);
    assert.equal(twin.properties.reported.$version, 1);
  });

  test('a reported patch reaches the service twin with a new reported $version and metadata', async () => {
    const { deviceId, client } = await connectedDevice('reported');
    const twin = await client.getTwin();
    await updateReported(twin, { temperature: 21.5, firmware: { version: '2.0.1' } });

    const { responseBody: serviceTwin } = await reg.getTwin(deviceId);
    const reported = serviceTwin.properties.reported;
    assert.equal(reported.temperature, 21.5);
    assert.deepEqual(reported.firmware, { version: '2.0.1' });
    assert.equal(reported.$version, 2);
    assert.match(reported.$metadata.firmware.version.$lastUpdated, /^\d{4}-\d{2}-\d{2}T/);
    assert.equal(serviceTwin.properties.desired.$version, 1, 'a device write never touches desired');

    await updateReported(twin, { temperature: null });
    const { responseBody: after } = await reg.getTwin(deviceId);
    assert.ok(!Object.hasOwn(after.properties.reported, 'temperature'), 'null deletes a reported property');
    assert.deepEqual(after.properties.reported.firmware, { version: '2.0.1' });
    assert.equal(after.properties.reported.$version, 3);
  });

  test('a desired change from the service is pushed to the connected device with its $version', async () => {
    const { deviceId, client } = await connectedDevice('desired');
    const twin = await client.getTwin();
    // The SUBSCRIBE must be acknowledged before the change, or the hub has nobody to tell (a hub does not queue
    // desired patches for later). Adding a listener subscribes too, but without telling when it is done.
    await new Promise((resolve, reject) => twin.enableTwinDesiredPropertiesUpdates((err) => (err ? reject(err) : resolve())));
    const pushed = nextDesired(twin, (delta) => delta.telemetryConfig?.sendFrequency === '1m');
    const { responseBody: serviceTwin } = await reg.getTwin(deviceId);
    await reg.updateTwin(deviceId, { properties: { desired: { telemetryConfig: { sendFrequency: '1m' } } } },
      serviceTwin.etag);

    const delta = await pushed;
    assert.equal(delta.$version, 2);
    assert.equal(twin.properties.desired.telemetryConfig.sendFrequency, '1m');
    assert.equal(twin.properties.desired.$version, 2);
  });
});

describe('direct methods', () => {
  test('the service invokes a method; the device answers with status and payload', async () => {
    const { deviceId, client } = await connectedDevice('method');
    const received = [];
    client.onDeviceMethod('reboot', (request, response) => {
      received.push(request.payload);
      response.send(200, { rebooting: true, delay: request.payload.delay }, () => {});
    });
    const service = iothub.Client.fromConnectionString(connectionString);

    const { result } = await service.invokeDeviceMethod(deviceId,
      // onDeviceMethod subscribes without saying when it is done; connectTimeoutInSeconds lets the hub wait for it.
      { methodName: 'reboot', payload: { delay: 5 }, responseTimeoutInSeconds: 15, connectTimeoutInSeconds: 10 });
    assert.deepEqual(received, [{ delay: 5 }]);
    assert.equal(result.status, 200);
    assert.deepEqual(result.payload, { rebooting: true, delay: 5 });
  });

  test('a device status other than 200 travels inside a 200 answer', async () => {
    const { deviceId, client } = await connectedDevice('methodfail');
    client.onDeviceMethod('selfTest', (request, response) => response.send(503, { reason: 'busy' }, () => {}));
    const service = iothub.Client.fromConnectionString(connectionString);

    const { result, message } = await service.invokeDeviceMethod(deviceId,
      { methodName: 'selfTest', payload: null, responseTimeoutInSeconds: 15, connectTimeoutInSeconds: 10 });
    assert.equal(message.statusCode, 200);
    assert.equal(result.status, 503);
    assert.deepEqual(result.payload, { reason: 'busy' });
  });

  test('a method to a device that is not connected fails at once with 404 (DeviceNotOnline, 404103)', async () => {
    const deviceId = newDeviceId('offline');
    await reg.create({ deviceId });
    created.push(deviceId);
    const service = iothub.Client.fromConnectionString(connectionString);

    const err = await assertHubError(
      service.invokeDeviceMethod(deviceId, { methodName: 'reboot', payload: null, responseTimeoutInSeconds: 15 }),
      Error, 404);
    const inner = JSON.parse(JSON.parse(err.responseBody).Message);
    assert.equal(inner.errorCode, 404103);
  });
});

describe('telemetry and connection', () => {
  test('sendEvent is acknowledged', async () => {
    const { client } = await connectedDevice('telemetry');
    const message = new device.Message(JSON.stringify({ temperature: 22.1 }));
    message.contentType = 'application/json';
    message.contentEncoding = 'utf-8';
    message.properties.add('alert', 'no');
    const { transportObj } = await client.sendEvent(message);
    assert.ok(transportObj, 'the transport acknowledged the message');
  });

  test('a wrong device key is refused with UnauthorizedError on open', async () => {
    const deviceId = newDeviceId('badkey');
    await reg.create({ deviceId });
    created.push(deviceId);
    const client = device.Client.fromConnectionString(deviceConnectionString(deviceId, newKey()), deviceMqtt.Mqtt);
    await assert.rejects(client.open(), (err) => {
      assert.equal(err.constructor.name, 'UnauthorizedError', `${err.constructor.name}: ${err.message}`);
      return true;
    });
  });
});
