// Shared plumbing for the conformance tests: the hub under test, unique ids, and one way to assert an SDK error.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import iothub from 'azure-iothub';

const require = createRequire(import.meta.url);
// The service SDK throws its own copies of the error classes, not azure-iot-common's, so take them from it.
export const errors = require('azure-iothub/dist/common-core/errors.js');

export const { Registry } = iothub;

/** The service connection string of the hub under test (the emulator run.mjs started, or a real hub). */
export const connectionString = (() => {
  const value = process.env.IOTHUB_CONNECTION_STRING;
  if (!value) throw new Error('IOTHUB_CONNECTION_STRING is not set; run the suite through run.mjs.');
  return value;
})();

/** The emulator's status JSON when the suite runs against an emulator started by run.mjs, else null. */
export const emulatorStatus = process.env.IOTLABKIT_STATUS_FILE
  ? JSON.parse(readFileSync(process.env.IOTLABKIT_STATUS_FILE, 'utf8'))
  : null;

export function registry(cs = connectionString) {
  return Registry.fromConnectionString(cs);
}

/** Replaces one field of a connection string (e.g. SharedAccessKey) and keeps the rest as written. */
export function withField(cs, name, value) {
  const parts = cs.split(';').filter((p) => p.length > 0);
  const index = parts.findIndex((p) => p.toLowerCase().startsWith(`${name.toLowerCase()}=`));
  const part = `${name}=${value}`;
  if (index < 0) parts.push(part); else parts[index] = part;
  return parts.join(';');
}

// One prefix per file run, so runs against a persistent hub never trip over leftovers of an earlier run.
const runPrefix = `conf-${randomBytes(3).toString('hex')}`;
let counter = 0;

/** A device id unique to this run. */
export function newDeviceId(label) {
  counter += 1;
  return `${runPrefix}-${label}-${counter}`;
}

/** A random 32-byte key, base64, as IoT Hub generates them. */
export function newKey() {
  return randomBytes(32).toString('base64');
}

/**
 * Asserts that `promise` rejects with the SDK error class `ErrorClass`, the HTTP status `statusCode` and,
 * when given, the IoT Hub error code name in the response body's `Message` ("ErrorCode:<code>;…").
 */
export async function assertHubError(promise, ErrorClass, statusCode, errorCode) {
  let caught;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught, `expected ${ErrorClass.name}, but the call succeeded`);
  assert.ok(caught instanceof ErrorClass,
    `expected ${ErrorClass.name}, got ${caught?.constructor?.name}: ${caught?.message} ${caught?.responseBody ?? ''}`);
  assert.equal(caught.response?.statusCode, statusCode, 'HTTP status');
  if (errorCode) {
    const body = JSON.parse(caught.responseBody);
    assert.match(body.Message, new RegExp(`^ErrorCode:${errorCode};`), 'error envelope Message');
    assert.equal(caught.response.headers['iothub-errorcode'], errorCode, 'iothub-errorcode header');
  }
  return caught;
}

/** Deletes devices, ignoring ones already gone: test clean-up must not mask the test's own result. */
export async function removeDevices(reg, ids) {
  for (const id of ids) {
    try {
      await reg.delete(id);
    } catch (err) {
      if (!(err instanceof errors.DeviceNotFoundError)) throw err;
    }
  }
}
