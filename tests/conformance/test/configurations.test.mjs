// Automatic device configurations through azure-iothub's Registry: add, get, list, update, remove; content written
// into targeted twins only, metrics counted, the higher priority winning whatever the creation order, removal
// leaving values in place, and a stale etag refused. Nothing here calls the emulator's own evaluate route: the
// hub evaluates shortly after every configuration change, and the tests wait for that, as against a real hub.

import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, describe, test } from 'node:test';
import { assertHubError, emulatorStatus, errors, newDeviceId, registry, removeDevices } from './support.mjs';

const reg = registry();
const devices = [];
const configurations = [];

after(async () => {
  for (const id of configurations) {
    try { await reg.removeConfiguration(id); } catch { /* already removed by the test */ }
  }
  await removeDevices(reg, devices);
});

// The emulator evaluates right after a change; a real hub "shortly after" (it can take minutes).
const evaluationTimeoutMs = emulatorStatus ? 30_000 : 10 * 60_000;

/** Reads until `until` holds, pausing between reads; fails with the last value when the time is up. */
async function waitFor(read, until, what) {
  const deadline = Date.now() + evaluationTimeoutMs;
  let value;
  for (;;) {
    value = await read();
    if (until(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${evaluationTimeoutMs} ms; last seen ${JSON.stringify(value)}`);
    await delay(emulatorStatus ? 100 : 5_000);
  }
}

const twinOf = async (deviceId) => (await reg.getTwin(deviceId)).responseBody;
const configurationOf = async (id) => (await reg.getConfiguration(id)).responseBody;
const statusIn = (twin, id) => twin.configurations?.[id]?.status;

async function taggedDevices(cohort, count) {
  const ids = [];
  for (let i = 0; i < count; i += 1) {
    const deviceId = newDeviceId(`cfgdev${i}`);
    await reg.create({ deviceId });
    devices.push(deviceId);
    await reg.updateTwin(deviceId, { tags: { cohort } }, '*');
    ids.push(deviceId);
  }
  return ids;
}

function configuration(label, cohort, priority, deviceContent, queries = {}) {
  const id = newDeviceId(`cfg-${label}`);
  configurations.push(id);
  return {
    id,
    content: { deviceContent },
    targetCondition: `tags.cohort = '${cohort}'`,
    priority,
    labels: { suite: 'conformance' },
    metrics: { queries },
  };
}

describe('Registry configuration calls', () => {
  test('addConfiguration, getConfiguration and getConfigurations give the configuration back in the hub\'s shape', async () => {
    const cohort = newDeviceId('cohort');
    const config = configuration('shape', cohort, 10,
      { 'properties.desired.firmware': { fwVersion: '1.0.1', fwPackageURI: 'https://MyPackage.uri', fwPackageCheckValue: '1234' } },
      { fwupdated: "SELECT deviceId FROM devices WHERE properties.reported.firmware.currentFwVersion='1.0.1'" });

    const { responseBody: added, httpResponse } = await reg.addConfiguration(config);
    assert.ok(httpResponse.statusCode === 200 || httpResponse.statusCode === 201, `status ${httpResponse.statusCode}`);
    assert.equal(added.id, config.id);
    assert.equal(typeof added.etag, 'string');
    assert.deepEqual(added.content.deviceContent, config.content.deviceContent);

    const read = await configurationOf(config.id);
    assert.equal(read.targetCondition, config.targetCondition);
    assert.equal(read.priority, 10);
    assert.equal(read.labels.suite, 'conformance');
    assert.equal(read.metrics.queries.fwupdated, config.metrics.queries.fwupdated);
    assert.equal(read.systemMetrics.queries.targetedCount, `select deviceId from devices where ${config.targetCondition}`);
    assert.equal(read.systemMetrics.queries.appliedCount, `select deviceId from devices where configurations.[[${config.id}]].status = 'Applied'`);

    const { responseBody: all } = await reg.getConfigurations();
    assert.ok(Array.isArray(all));
    assert.ok(all.some((c) => c.id === config.id), 'the new configuration is listed');
  });

  test('content goes into targeted twins only, and the system and custom metrics count them', async () => {
    const cohort = newDeviceId('cohort');
    const targets = await taggedDevices(cohort, 2);
    const bystander = newDeviceId('bystander');
    await reg.create({ deviceId: bystander });
    devices.push(bystander);
    const config = configuration('metrics', cohort, 1, { 'properties.desired.telemetry': { interval: 30 } },
      { thirty: `SELECT deviceId FROM devices WHERE properties.desired.telemetry.interval = 30 AND tags.cohort = '${cohort}'` });

    await reg.addConfiguration(config);
    const counted = await waitFor(() => configurationOf(config.id),
      (c) => c.systemMetrics.results.appliedCount === 2 && c.metrics.results.thirty === 2, 'the evaluation');

    assert.equal(counted.systemMetrics.results.targetedCount, 2);
    for (const deviceId of targets) {
      const twin = await twinOf(deviceId);
      assert.deepEqual(twin.properties.desired.telemetry, { interval: 30 });
      assert.equal(statusIn(twin, config.id), 'Applied');
    }
    const untouched = await twinOf(bystander);
    assert.equal(untouched.properties.desired.telemetry, undefined);
    assert.equal(statusIn(untouched, config.id), undefined);
    assert.equal(untouched.properties.desired.$version, 1);
  });

  for (const order of ['high first', 'low first']) {
    test(`the higher priority wins whatever the creation order (${order})`, async () => {
      const cohort = newDeviceId('cohort');
      const [deviceId] = await taggedDevices(cohort, 1);
      const high = configuration('high', cohort, 20, { 'properties.desired.mode': 'turbo' });
      const low = configuration('low', cohort, 5, { 'properties.desired.mode': 'eco' });
      for (const c of order === 'high first' ? [high, low] : [low, high]) await reg.addConfiguration(c);

      const twin = await waitFor(() => twinOf(deviceId),
        (t) => statusIn(t, high.id) === 'Applied' && statusIn(t, low.id) === 'Targeted', 'both configurations evaluated');
      assert.equal(twin.properties.desired.mode, 'turbo');
      const lowRead = await waitFor(() => configurationOf(low.id), (c) => c.systemMetrics.results.targetedCount === 1, 'low counted');
      assert.equal(lowRead.systemMetrics.results.appliedCount, 0, 'the losing configuration is applied nowhere');
    });
  }

  test('removeConfiguration leaves the values it wrote, and the next priority applies', async () => {
    const cohort = newDeviceId('cohort');
    const [deviceId] = await taggedDevices(cohort, 1);
    const high = configuration('gone', cohort, 20, { 'properties.desired.mode': 'turbo', 'properties.desired.onlyHigh': true });
    const low = configuration('next', cohort, 5, { 'properties.desired.mode': 'eco' });
    await reg.addConfiguration(high);
    await reg.addConfiguration(low);
    await waitFor(() => twinOf(deviceId), (t) => statusIn(t, high.id) === 'Applied' && statusIn(t, low.id) === 'Targeted', 'both evaluated');

    await reg.removeConfiguration(high.id);
    await assertHubError(reg.getConfiguration(high.id), Error, 404, 'ConfigurationNotFound');

    const twin = await waitFor(() => twinOf(deviceId), (t) => statusIn(t, high.id) === undefined && statusIn(t, low.id) === 'Applied', 'the next configuration applied');
    assert.equal(twin.properties.desired.mode, 'eco');
    assert.equal(twin.properties.desired.onlyHigh, true, 'values a removed configuration wrote stay in the twin');
  });

  test('updateConfiguration changes what may change and refuses a stale etag with 412', async () => {
    const cohort = newDeviceId('cohort');
    const config = configuration('etag', cohort, 1, { 'properties.desired.x': 1 });
    const { responseBody: added } = await reg.addConfiguration(config);

    const { responseBody: updated } = await reg.updateConfiguration({ ...added, priority: 7, labels: { suite: 'updated' } });
    assert.equal(updated.priority, 7);
    assert.equal(updated.labels.suite, 'updated');
    assert.notEqual(updated.etag, added.etag, 'an update moves the etag');

    const stale = { ...added, priority: 9 };
    await assertHubError(reg.updateConfiguration(stale), errors.InvalidEtagError, 412, 'PreconditionFailed');
    assert.equal((await configurationOf(config.id)).priority, 7, 'the stale update changed nothing');

    const { responseBody: forced } = await reg.updateConfiguration(stale, true);
    assert.equal(forced.priority, 9);
  });

  test('changing the content of a configuration is refused', async () => {
    const cohort = newDeviceId('cohort');
    const config = configuration('immutable', cohort, 1, { 'properties.desired.x': 1 });
    const { responseBody: added } = await reg.addConfiguration(config);
    const changed = { ...added, content: { deviceContent: { 'properties.desired.x': 2 } } };
    await assertHubError(reg.updateConfiguration(changed), errors.ArgumentError, 400, 'CannotModifyImmutableConfigurationContent');
  });
});
