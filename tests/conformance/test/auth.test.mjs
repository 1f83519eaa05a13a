// Shared access signatures as azure-iothub mints them: a fresh token per request, sr = the bare HostName.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertHubError, connectionString, emulatorStatus, errors, newDeviceId, newKey, registry, removeDevices, withField,
} from './support.mjs';

describe('SAS authentication', () => {
  test('the owner connection string is accepted', async () => {
    const { httpResponse } = await registry().list();
    assert.equal(httpResponse.statusCode, 200);
  });

  test('a connection string with a wrong key fails with UnauthorizedError (401)', async () => {
    const wrong = registry(withField(connectionString, 'SharedAccessKey', newKey()));
    await assertHubError(wrong.list(), errors.UnauthorizedError, 401, 'IotHubUnauthorizedAccess');
  });

  test('a wrong key is refused before the request acts: nothing is created', async () => {
    const deviceId = newDeviceId('unauth');
    const wrong = registry(withField(connectionString, 'SharedAccessKey', newKey()));
    await assertHubError(wrong.create({ deviceId }), errors.UnauthorizedError, 401, 'IotHubUnauthorizedAccess');
    await assertHubError(registry().get(deviceId), errors.DeviceNotFoundError, 404, 'DeviceNotFound');
  });

  test('an unknown policy name fails with UnauthorizedError (401)', async () => {
    const unknown = registry(withField(connectionString, 'SharedAccessKeyName', 'nosuchpolicy'));
    await assertHubError(unknown.list(), errors.UnauthorizedError, 401, 'IotHubUnauthorizedAccess');
  });
});

// Policy rights are checked with the built-in policies' keys, which only the emulator's status file gives us.
describe('built-in policy rights', () => {
  // Per test rather than per suite, so a skip shows up in the counts.
  const needsStatus = { skip: emulatorStatus ? false : 'needs the emulator status file' };
  const withPolicy = (name) => registry(withField(
    withField(connectionString, 'SharedAccessKeyName', name), 'SharedAccessKey', emulatorStatus.policies[name]));

  test('registryRead may list devices but not create one (401)', needsStatus, async () => {
    const reader = withPolicy('registryRead');
    const { httpResponse } = await reader.list();
    assert.equal(httpResponse.statusCode, 200);

    const deviceId = newDeviceId('readonly');
    await assertHubError(reader.create({ deviceId }), errors.UnauthorizedError, 401, 'IotHubUnauthorizedAccess');
  });

  test('registryReadWrite may create and delete a device', needsStatus, async () => {
    const writer = withPolicy('registryReadWrite');
    const deviceId = newDeviceId('readwrite');
    const { responseBody: device } = await writer.create({ deviceId });
    assert.equal(device.deviceId, deviceId);
    await removeDevices(writer, [deviceId]);
    await assertHubError(writer.get(deviceId), errors.DeviceNotFoundError, 404, 'DeviceNotFound');
  });
});
