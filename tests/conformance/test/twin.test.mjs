// Device twins through azure-iothub's Registry and Twin: read, desired merge with versions and metadata,
// optimistic concurrency, deletion by null, tags.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { assertHubError, errors, newDeviceId, registry, removeDevices } from './support.mjs';

const reg = registry();
const created = [];

after(() => removeDevices(reg, created));

async function newTwin(label) {
  const deviceId = newDeviceId(label);
  await reg.create({ deviceId });
  created.push(deviceId);
  const { responseBody: twin } = await reg.getTwin(deviceId);
  return twin;
}

const isoUtc = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe('Registry.getTwin', () => {
  test('a new device has a twin with desired and reported at $version 1, an etag and root metadata', async () => {
    const deviceId = newDeviceId('fresh');
    await reg.create({ deviceId });
    created.push(deviceId);

    const { responseBody: twin, httpResponse } = await reg.getTwin(deviceId);
    assert.equal(httpResponse.statusCode, 200);
    assert.match(httpResponse.headers['content-type'], /^application\/json/);
    assert.equal(twin.deviceId, deviceId);
    assert.equal(typeof twin.etag, 'string');
    assert.notEqual(twin.etag, '*', 'the etag comes from the hub, not the SDK default');
    assert.equal(twin.status, 'enabled');
    assert.equal(twin.properties.desired.$version, 1);
    assert.equal(twin.properties.reported.$version, 1);
    assert.match(twin.properties.desired.$metadata.$lastUpdated, isoUtc);
    assert.match(twin.properties.reported.$metadata.$lastUpdated, isoUtc);
    const userKeys = Object.keys(twin.properties.desired).filter((k) => !k.startsWith('$'));
    assert.deepEqual(userKeys, [], 'no desired properties yet');
  });

  test('of a missing device fails with DeviceNotFoundError (404)', async () => {
    await assertHubError(reg.getTwin(newDeviceId('missing')), errors.DeviceNotFoundError, 404, 'DeviceNotFound');
  });
});

describe('Registry.updateTwin', () => {
  test('with the current etag merges desired, bumps $version, writes leaf metadata and changes the etag', async () => {
    const twin = await newTwin('desired');
    const patch = { properties: { desired: { telemetryConfig: { sendFrequency: '5m' }, speed: 10 } } };

    const { responseBody: updated, httpResponse } = await reg.updateTwin(twin.deviceId, patch, twin.etag);
    assert.equal(httpResponse.statusCode, 200);
    const desired = updated.properties.desired;
    assert.deepEqual(desired.telemetryConfig, { sendFrequency: '5m' });
    assert.equal(desired.speed, 10);
    assert.equal(desired.$version, 2);
    assert.notEqual(updated.etag, twin.etag, 'etag changes on every twin write');

    const meta = desired.$metadata;
    assert.match(meta.$lastUpdated, isoUtc);
    assert.equal(meta.$lastUpdatedVersion, 2);
    assert.match(meta.telemetryConfig.$lastUpdated, isoUtc);
    assert.equal(meta.telemetryConfig.$lastUpdatedVersion, 2);
    assert.match(meta.telemetryConfig.sendFrequency.$lastUpdated, isoUtc);
    assert.equal(meta.telemetryConfig.sendFrequency.$lastUpdatedVersion, 2);
    assert.equal(meta.speed.$lastUpdatedVersion, 2);

    // What the response said is what the hub stored.
    const { responseBody: read } = await reg.getTwin(twin.deviceId);
    assert.equal(read.etag, updated.etag);
    assert.deepEqual(read.properties.desired, updated.properties.desired);
  });

  test('a second patch merges into the first: untouched members and their metadata stay', async () => {
    const twin = await newTwin('merge');
    const { responseBody: first } = await reg.updateTwin(twin.deviceId,
      { properties: { desired: { telemetryConfig: { sendFrequency: '5m', unit: 'celsius' }, speed: 10 } } }, twin.etag);
    const { responseBody: second } = await reg.updateTwin(twin.deviceId,
      { properties: { desired: { telemetryConfig: { sendFrequency: '1m' }, mode: 'eco' } } }, first.etag);

    const desired = second.properties.desired;
    assert.deepEqual(desired.telemetryConfig, { sendFrequency: '1m', unit: 'celsius' });
    assert.equal(desired.speed, 10);
    assert.equal(desired.mode, 'eco');
    assert.equal(desired.$version, 3);
    assert.equal(desired.$metadata.telemetryConfig.sendFrequency.$lastUpdatedVersion, 3);
    assert.equal(desired.$metadata.telemetryConfig.unit.$lastUpdatedVersion, 2, 'unchanged leaf keeps its metadata');
    assert.equal(desired.$metadata.speed.$lastUpdatedVersion, 2, 'unchanged leaf keeps its metadata');
    assert.equal(desired.$metadata.mode.$lastUpdatedVersion, 3);
    assert.equal(second.properties.reported.$version, 1, 'a service write never touches reported');
  });

  test('with a stale etag fails with InvalidEtagError (412) and changes nothing', async () => {
    const twin = await newTwin('stale');
    const { responseBody: current } = await reg.updateTwin(twin.deviceId,
      { properties: { desired: { speed: 1 } } }, twin.etag);

    await assertHubError(reg.updateTwin(twin.deviceId, { properties: { desired: { speed: 99 } } }, twin.etag),
      errors.InvalidEtagError, 412, 'PreconditionFailed');

    const { responseBody: read } = await reg.getTwin(twin.deviceId);
    assert.equal(read.properties.desired.speed, 1);
    assert.equal(read.properties.desired.$version, 2);
    assert.equal(read.etag, current.etag);
  });

  test('with etag "*" always applies', async () => {
    const twin = await newTwin('star');
    await reg.updateTwin(twin.deviceId, { properties: { desired: { speed: 1 } } }, twin.etag);
    const { responseBody: updated } = await reg.updateTwin(twin.deviceId, { properties: { desired: { speed: 2 } } }, '*');
    assert.equal(updated.properties.desired.speed, 2);
    assert.equal(updated.properties.desired.$version, 3);
  });

  test('null deletes a desired property and leaves its siblings', async () => {
    const twin = await newTwin('null');
    const { responseBody: first } = await reg.updateTwin(twin.deviceId,
      { properties: { desired: { speed: 10, telemetryConfig: { sendFrequency: '5m', unit: 'celsius' } } } }, twin.etag);

    const { responseBody: updated } = await reg.updateTwin(twin.deviceId,
      { properties: { desired: { speed: null, telemetryConfig: { unit: null } } } }, first.etag);
    const desired = updated.properties.desired;
    assert.ok(!Object.hasOwn(desired, 'speed'), 'speed is deleted');
    assert.deepEqual(desired.telemetryConfig, { sendFrequency: '5m' });
    assert.equal(desired.$version, 3);

    const { responseBody: read } = await reg.getTwin(twin.deviceId);
    assert.ok(!Object.hasOwn(read.properties.desired, 'speed'), 'the deletion is stored');
    assert.deepEqual(read.properties.desired.telemetryConfig, { sendFrequency: '5m' });
  });

  test('tags: set, merged, deleted by null; desired $version does not move', async () => {
    const twin = await newTwin('tags');
    const { responseBody: first } = await reg.updateTwin(twin.deviceId,
      { tags: { env: 'lab', site: { building: '43', floor: 2 } } }, twin.etag);
    assert.deepEqual(first.tags, { env: 'lab', site: { building: '43', floor: 2 } });
    assert.equal(first.properties.desired.$version, 1, 'a tags-only write is not a desired change');
    assert.notEqual(first.etag, twin.etag, 'etag changes on a tags write');

    const { responseBody: second } = await reg.updateTwin(twin.deviceId,
      { tags: { site: { floor: null }, owner: 'ops' } }, first.etag);
    assert.deepEqual(second.tags, { env: 'lab', site: { building: '43' }, owner: 'ops' });

    const { responseBody: read } = await reg.getTwin(twin.deviceId);
    assert.deepEqual(read.tags, { env: 'lab', site: { building: '43' }, owner: 'ops' });
  });
});

describe('Registry.updateTwin validation', () => {
  for (const [label, desired] of [
    ['a key with a dot', { 'a.b': 1 }],
    ['a key with a space', { 'a b': 1 }],
  ]) {
    test(`${label} fails with ArgumentError (400) and changes nothing`, async () => {
      const twin = await newTwin('invalid');
      await assertHubError(reg.updateTwin(twin.deviceId, { properties: { desired } }, twin.etag),
        errors.ArgumentError, 400);
      const { responseBody: read } = await reg.getTwin(twin.deviceId);
      assert.equal(read.properties.desired.$version, 1);
      assert.equal(read.etag, twin.etag);
    });
  }

  test('nesting deeper than IoT Hub allows fails with ArgumentError (400)', async () => {
    const twin = await newTwin('deep');
    let desired = { leaf: 1 };
    for (let i = 0; i < 12; i += 1) desired = { [`level${i}`]: desired };
    await assertHubError(reg.updateTwin(twin.deviceId, { properties: { desired } }, twin.etag),
      errors.ArgumentError, 400);
  });
});

describe('Twin.update (the SDK sample flow)', () => {
  test('getTwin then twin.update(patch) applies the patch and refreshes the Twin object', async () => {
    const twin = await newTwin('object');
    const before = twin.etag;
    const { result } = await twin.update({ tags: { lab: 'az220' }, properties: { desired: { interval: 30 } } });
    assert.equal(result, twin, 'update resolves with the same Twin object');
    assert.equal(twin.tags.lab, 'az220');
    assert.equal(twin.properties.desired.interval, 30);
    assert.equal(twin.properties.desired.$version, 2);
    assert.notEqual(twin.etag, before);
  });
});
