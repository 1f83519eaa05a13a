// The identity registry through azure-iothub's Registry: create, get, list, update, delete and their errors.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { assertHubError, errors, newDeviceId, newKey, registry, removeDevices } from './support.mjs';

const reg = registry();
const created = [];

after(() => removeDevices(reg, created));

function isBase64Key(value) {
  return typeof value === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length >= 16;
}

describe('Registry.create', () => {
  test('with keys: the device comes back with those keys, enabled, with an etag', async () => {
    const deviceId = newDeviceId('keys');
    const primaryKey = newKey();
    const secondaryKey = newKey();
    const { responseBody: device, httpResponse } = await reg.create({
      deviceId,
      status: 'enabled',
      authentication: { symmetricKey: { primaryKey, secondaryKey } },
    });
    created.push(deviceId);

    assert.equal(httpResponse.statusCode, 200);
    assert.match(httpResponse.headers['content-type'], /^application\/json/);
    assert.equal(device.deviceId, deviceId);
    assert.equal(device.status, 'enabled');
    assert.equal(device.authentication.type, 'sas');
    assert.equal(device.authentication.symmetricKey.primaryKey, primaryKey);
    assert.equal(device.authentication.symmetricKey.secondaryKey, secondaryKey);
    assert.equal(typeof device.etag, 'string');
    assert.ok(device.etag.length > 0, 'etag is set');
    assert.equal(typeof device.generationId, 'string');
    assert.ok(device.generationId.length > 0, 'generationId is set');
    assert.equal(device.connectionState, 'Disconnected');
  });

  test('without keys: the hub generates two different base64 keys', async () => {
    const deviceId = newDeviceId('nokeys');
    const { responseBody: device } = await reg.create({ deviceId });
    created.push(deviceId);

    const { primaryKey, secondaryKey } = device.authentication.symmetricKey;
    assert.equal(device.deviceId, deviceId);
    assert.equal(device.authentication.type, 'sas');
    assert.ok(isBase64Key(primaryKey), `primaryKey ${primaryKey} is a generated base64 key`);
    assert.ok(isBase64Key(secondaryKey), `secondaryKey ${secondaryKey} is a generated base64 key`);
    assert.notEqual(primaryKey, secondaryKey);
  });

  test('of an existing id fails with DeviceAlreadyExistsError (409) and leaves the device as it was', async () => {
    const deviceId = newDeviceId('dup');
    const primaryKey = newKey();
    const secondaryKey = newKey();
    await reg.create({ deviceId, authentication: { symmetricKey: { primaryKey, secondaryKey } } });
    created.push(deviceId);

    await assertHubError(reg.create({ deviceId, status: 'disabled' }),
      errors.DeviceAlreadyExistsError, 409, 'DeviceAlreadyExists');

    const { responseBody: device } = await reg.get(deviceId);
    assert.equal(device.status, 'enabled');
    assert.equal(device.authentication.symmetricKey.primaryKey, primaryKey);
  });
});

describe('device ids', () => {
  test('an id with the punctuation IoT Hub allows round-trips through the URI encoding', async () => {
    // encodeURIComponent turns these into %XX escapes (and leaves some as they are); the hub must decode them all.
    const deviceId = `${newDeviceId('chars')}:a.b+c%d_e#f*g?h!i(j),k=l@m;n$o'p`;
    const { responseBody: made } = await reg.create({ deviceId });
    created.push(deviceId);
    assert.equal(made.deviceId, deviceId);

    const { responseBody: read } = await reg.get(deviceId);
    assert.equal(read.deviceId, deviceId);
    const { responseBody: twin } = await reg.getTwin(deviceId);
    assert.equal(twin.deviceId, deviceId);
  });

  test('an id with a character IoT Hub does not allow fails with ArgumentError (400)', async () => {
    await assertHubError(reg.create({ deviceId: `${newDeviceId('bad')} space` }), errors.ArgumentError, 400);
  });

  test('an id longer than 128 characters fails with ArgumentError (400)', async () => {
    await assertHubError(reg.create({ deviceId: 'x'.repeat(129) }), errors.ArgumentError, 400);
  });
});

describe('Registry.get', () => {
  test('returns the device as created, keys and etag included', async () => {
    const deviceId = newDeviceId('get');
    const { responseBody: made } = await reg.create({ deviceId });
    created.push(deviceId);

    const { responseBody: device, httpResponse } = await reg.get(deviceId);
    assert.equal(httpResponse.statusCode, 200);
    assert.equal(device.deviceId, deviceId);
    assert.equal(device.etag, made.etag);
    assert.equal(device.generationId, made.generationId);
    assert.deepEqual(device.authentication.symmetricKey, made.authentication.symmetricKey);
  });

  test('of a missing id fails with DeviceNotFoundError (404)', async () => {
    await assertHubError(reg.get(newDeviceId('missing')), errors.DeviceNotFoundError, 404, 'DeviceNotFound');
  });
});

describe('Registry.list', () => {
  test('GET /devices/ (trailing slash) lists the devices created, as Device objects', async () => {
    const ids = [newDeviceId('list'), newDeviceId('list')];
    for (const deviceId of ids) {
      await reg.create({ deviceId });
      created.push(deviceId);
    }

    const { responseBody: devices, httpResponse } = await reg.list();
    assert.equal(httpResponse.statusCode, 200);
    assert.ok(Array.isArray(devices));
    const listed = devices.filter((d) => ids.includes(d.deviceId));
    assert.deepEqual(listed.map((d) => d.deviceId).sort(), [...ids].sort());
    for (const device of listed) {
      assert.equal(device.status, 'enabled');
      assert.ok(device.etag, 'listed devices carry their etag');
    }
  });
});

describe('Registry.getRegistryStatistics', () => {
  test('counts devices, enabled and disabled, and sees a new disabled device', async () => {
    const { responseBody: before } = await reg.getRegistryStatistics();
    const deviceId = newDeviceId('stats');
    await reg.create({ deviceId, status: 'disabled' });
    created.push(deviceId);

    const { responseBody: after } = await reg.getRegistryStatistics();
    assert.equal(after.totalDeviceCount, after.enabledDeviceCount + after.disabledDeviceCount);
    assert.equal(after.totalDeviceCount, before.totalDeviceCount + 1);
    assert.equal(after.disabledDeviceCount, before.disabledDeviceCount + 1);
  });
});

describe('Registry.update', () => {
  test('with If-Match "*" changes status and reason, keeps the keys, and changes the etag', async () => {
    const deviceId = newDeviceId('update');
    const { responseBody: made } = await reg.create({ deviceId });
    created.push(deviceId);

    // The SDK sends the whole device as read, etag and read-only fields included.
    const { responseBody: read } = await reg.get(deviceId);
    read.status = 'disabled';
    read.statusReason = 'maintenance';
    const { responseBody: updated, httpResponse } = await reg.update(read);
    assert.equal(httpResponse.statusCode, 200);
    assert.equal(updated.status, 'disabled');
    assert.equal(updated.statusReason, 'maintenance');
    assert.notEqual(updated.etag, made.etag, 'etag changes on update');
    assert.equal(updated.generationId, made.generationId, 'an update is not a re-creation');

    const { responseBody: again } = await reg.get(deviceId);
    assert.equal(again.status, 'disabled');
    assert.equal(again.statusReason, 'maintenance');
    assert.deepEqual(again.authentication.symmetricKey, made.authentication.symmetricKey);
  });
});

describe('Registry.delete', () => {
  test('removes the device: get then fails with DeviceNotFoundError (404)', async () => {
    const deviceId = newDeviceId('delete');
    await reg.create({ deviceId });
    created.push(deviceId);

    const { httpResponse } = await reg.delete(deviceId);
    assert.equal(httpResponse.statusCode, 204);
    await assertHubError(reg.get(deviceId), errors.DeviceNotFoundError, 404, 'DeviceNotFound');

    const { responseBody: devices } = await reg.list();
    assert.ok(!devices.some((d) => d.deviceId === deviceId), 'a deleted device is not listed');
  });

  test('of a missing device fails with DeviceNotFoundError (404)', async () => {
    await assertHubError(reg.delete(newDeviceId('gone')), errors.DeviceNotFoundError, 404, 'DeviceNotFound');
  });
});
