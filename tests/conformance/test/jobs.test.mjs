// Jobs v2 through azure-iothub's JobClient: a twin-update job over tagged devices, a method job over devices
// connected with azure-iot-device over MQTT, cancelling a job scheduled for the future, and the job query by type
// and status with paging.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import device from 'azure-iot-device';
import deviceMqtt from 'azure-iot-device-mqtt';
import iothub from 'azure-iothub';
import {
  assertHubError, connectionString, emulatorStatus, errors, newDeviceId, registry, removeDevices,
} from './support.mjs';

const { JobClient } = iothub;
const reg = registry();
const jobs = JobClient.fromConnectionString(connectionString);
const created = [];
const scheduled = [];

const openClients = [];

after(async () => {
  for (const client of openClients) await client.close();
  for (const jobId of scheduled) {
    try { await jobs.cancelJob(jobId); } catch { /* already gone or ended */ }
  }
  await removeDevices(reg, created);
});

let jobCounter = 0;
function newJobId(label) {
  jobCounter += 1;
  return `${newDeviceId('job')}-${label}-${jobCounter}`;
}

const ended = (job) => ['completed', 'failed', 'cancelled'].includes(job.status);

/** Reads the job until `until` holds; the hub has no push for job progress, so clients poll. */
async function waitForJob(jobId, until, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let job;
  do {
    ({ jobStatus: job } = await jobs.getJob(jobId));
    if (until(job)) return job;
  } while (Date.now() < deadline);
  throw new Error(`job ${jobId} did not reach the expected state in ${timeoutMs} ms; last seen ${JSON.stringify(job)}`);
}

async function taggedDevices(site, count) {
  const ids = [];
  for (let i = 0; i < count; i += 1) {
    const deviceId = newDeviceId(`jobdev${i}`);
    await reg.create({ deviceId });
    created.push(deviceId);
    await reg.updateTwin(deviceId, { tags: { site } }, '*');
    ids.push(deviceId);
  }
  return ids;
}

describe('JobClient.scheduleTwinUpdate', () => {
  test('updates the twins of the tagged devices only, with statistics that add up', async () => {
    const site = newDeviceId('site');
    const targets = await taggedDevices(site, 3);
    const bystander = newDeviceId('bystander');
    await reg.create({ deviceId: bystander });
    created.push(bystander);

    const jobId = newJobId('twin');
    const patch = { etag: '*', tags: { campaign: 'spring' }, properties: { desired: { telemetryInterval: 5 } } };
    const { jobStatus: createdJob, response } = await jobs.scheduleTwinUpdate(jobId, `tags.site = '${site}'`, patch, new Date(), 300);
    assert.equal(response.statusCode, 200);
    assert.equal(createdJob.jobId, jobId);
    assert.equal(createdJob.type, 'scheduleUpdateTwin');
    assert.ok(['queued', 'running', 'completed'].includes(createdJob.status), createdJob.status);

    const job = await waitForJob(jobId, ended);
    assert.equal(job.status, 'completed');
    assert.deepEqual(job.deviceJobStatistics, { deviceCount: 3, failedCount: 0, succeededCount: 3, runningCount: 0, pendingCount: 0 });
    assert.equal(job.queryCondition, `tags.site = '${site}'`);
    assert.equal(job.maxExecutionTimeInSeconds, 300);

    for (const deviceId of targets) {
      const { responseBody: twin } = await reg.getTwin(deviceId);
      assert.equal(twin.properties.desired.telemetryInterval, 5);
      assert.equal(twin.properties.desired.$version, 2);
      assert.equal(twin.tags.campaign, 'spring');
      assert.equal(twin.tags.site, site);
    }
    const { responseBody: other } = await reg.getTwin(bystander);
    assert.equal(other.properties.desired.$version, 1);
    assert.equal(other.tags.campaign, undefined);
  });

  test('refuses a real etag in the patch with InvalidEtagError (412)', async () => {
    const patch = { etag: 'AAAAAAAAAAE=', properties: { desired: { x: 1 } } };
    await assertHubError(jobs.scheduleTwinUpdate(newJobId('etag'), '*', patch, new Date(), 60),
      errors.InvalidEtagError, 412, 'PreconditionFailed');
  });

  test('refuses a job id that exists with DeviceAlreadyExistsError (409)', async () => {
    const jobId = newJobId('dup');
    const later = new Date(Date.now() + 3_600_000);
    await jobs.scheduleTwinUpdate(jobId, '*', { tags: { a: 1 } }, later, 60);
    scheduled.push(jobId);
    await assertHubError(jobs.scheduleTwinUpdate(jobId, '*', { tags: { a: 1 } }, later, 60),
      errors.DeviceAlreadyExistsError, 409, 'JobAlreadyExists');
  });
});

const hostName = connectionString.split(';').find((p) => p.startsWith('HostName=')).slice('HostName='.length);
// The SDK dials 8883 unless told otherwise; the emulator takes another port when 8883 is busy and says which.
const mqttPort = emulatorStatus?.mqttPort ?? 8883;

/** Opens an MQTT client for a registered device, with a handler for `method` that echoes the payload. */
async function connectDevice(deviceId, key, method, calls) {
  let cs = `HostName=${hostName};DeviceId=${deviceId};SharedAccessKey=${key}`;
  if (mqttPort !== 8883) cs += `;GatewayHostName=localhost:${mqttPort}`;
  const client = device.Client.fromConnectionString(cs, deviceMqtt.Mqtt);
  await client.open();
  openClients.push(client);
  client.onDeviceMethod(method, (request, response) => {
    calls.push({ deviceId, payload: request.payload });
    response.send(200, { echo: request.payload, from: deviceId }, () => {});
  });
  // onDeviceMethod subscribes without saying when it is done; a call that may wait for the device proves it is.
  const service = iothub.Client.fromConnectionString(connectionString);
  await service.invokeDeviceMethod(deviceId, { methodName: method, payload: 'ready?', responseTimeoutInSeconds: 15, connectTimeoutInSeconds: 10 });
  return client;
}

describe('JobClient.scheduleDeviceMethod', () => {
  test('calls every connected tagged device, fails the offline one, and keeps each answer in devices.jobs', async () => {
    const site = newDeviceId('msite');
    const [online1, online2, offline] = await taggedDevices(site, 3);
    const calls = [];
    for (const deviceId of [online1, online2]) {
      const { responseBody: d } = await reg.get(deviceId);
      await connectDevice(deviceId, d.authentication.symmetricKey.primaryKey, 'blink', calls);
    }
    calls.length = 0;

    const jobId = newJobId('method');
    const { jobStatus: createdJob } = await jobs.scheduleDeviceMethod(jobId, `tags.site = '${site}'`,
      { methodName: 'blink', payload: { times: 3 }, responseTimeoutInSeconds: 30 }, new Date(), 300);
    assert.equal(createdJob.type, 'scheduleDeviceMethod');
    assert.equal(createdJob.cloudToDeviceMethod.methodName, 'blink');

    const job = await waitForJob(jobId, ended);
    assert.equal(job.status, 'completed');
    assert.deepEqual(job.deviceJobStatistics, { deviceCount: 3, failedCount: 1, succeededCount: 2, runningCount: 0, pendingCount: 0 });
    assert.deepEqual(calls.map((c) => c.deviceId).sort(), [online1, online2].sort());
    assert.ok(calls.every((c) => c.payload.times === 3));

    const query = reg.createQuery(`SELECT * FROM devices.jobs WHERE devices.jobs.jobId = '${jobId}'`, 100);
    const { result: results, message } = await query.next();
    assert.equal(message.headers['x-ms-item-type'], 'DeviceJob');
    const byDevice = Object.fromEntries(results.map((r) => [r.deviceId, r]));
    assert.deepEqual(Object.keys(byDevice).sort(), [online1, online2, offline].sort());
    for (const deviceId of [online1, online2]) {
      assert.equal(byDevice[deviceId].status, 'completed');
      assert.equal(byDevice[deviceId].jobType, 'scheduleDeviceMethod');
      assert.equal(byDevice[deviceId].outcome.deviceMethodResponse.status, 200);
      assert.deepEqual(byDevice[deviceId].outcome.deviceMethodResponse.payload, { echo: { times: 3 }, from: deviceId });
    }
    assert.equal(byDevice[offline].status, 'failed');
    assert.equal(byDevice[offline].error.code, 'DeviceNotOnline');
  });
});

describe('JobClient.cancelJob', () => {
  test('cancels a job scheduled for the future before it touches any twin', async () => {
    const site = newDeviceId('later');
    const [deviceId] = await taggedDevices(site, 1);
    const jobId = newJobId('cancel');
    const start = new Date(Date.now() + 3_600_000);

    const { jobStatus: createdJob } = await jobs.scheduleTwinUpdate(jobId, `tags.site = '${site}'`, { properties: { desired: { later: true } } }, start, 600);
    assert.equal(createdJob.status, 'scheduled');
    assert.equal(new Date(createdJob.startTime).getTime(), start.getTime());

    const { jobStatus: cancelled, response } = await jobs.cancelJob(jobId);
    assert.equal(response.statusCode, 200);
    assert.equal(cancelled.status, 'cancelled');

    const { jobStatus: read } = await jobs.getJob(jobId);
    assert.equal(read.status, 'cancelled');
    assert.equal(read.deviceJobStatistics.deviceCount, 0);
    const { responseBody: twin } = await reg.getTwin(deviceId);
    assert.equal(twin.properties.desired.later, undefined);
  });

  test('of an unknown job fails with 404 JobNotFound', async () => {
    const err = await assertHubError(jobs.cancelJob(newJobId('missing')), Error, 404, 'JobNotFound');
    assert.equal(err.constructor.name, 'Error', 'the SDK has no typed error for JobNotFound');
  });
});

describe('JobClient.createQuery', () => {
  test('filters by type and status and pages until the continuation header is gone', async () => {
    const later = new Date(Date.now() + 3_600_000);
    const twinJobs = [];
    for (let i = 0; i < 3; i += 1) {
      const jobId = newJobId(`q${i}`);
      await jobs.scheduleTwinUpdate(jobId, '*', { tags: { q: i } }, later, 60);
      twinJobs.push(jobId);
      scheduled.push(jobId);
    }
    const methodJob = newJobId('qm');
    await jobs.scheduleDeviceMethod(methodJob, '*', { methodName: 'noop', payload: null, responseTimeoutInSeconds: 30 }, later, 60);
    scheduled.push(methodJob);

    const query = jobs.createQuery('scheduleUpdateTwin', 'scheduled', 2);
    const seen = [];
    let pages = 0;
    while (query.hasMoreResults && pages < 100) {
      const { result, message } = await query.next(query.continuationToken);
      assert.equal(message.headers['x-ms-item-type'], 'JobResponse');
      assert.ok(Array.isArray(result));
      assert.ok(result.length <= 2, `page of ${result.length}`);
      seen.push(...result);
      pages += 1;
    }
    assert.ok(pages >= 2, 'three matching jobs in pages of two need at least two pages');
    const ids = seen.map((j) => j.jobId);
    for (const jobId of twinJobs) assert.ok(ids.includes(jobId), `${jobId} missing from the query`);
    assert.ok(!ids.includes(methodJob), 'a method job came back from a scheduleUpdateTwin query');
    assert.ok(seen.every((j) => j.type === 'scheduleUpdateTwin' && j.status === 'scheduled'));

    const { result: methods } = await jobs.createQuery('scheduleDeviceMethod', 'scheduled').next();
    assert.ok(methods.some((j) => j.jobId === methodJob));
    assert.equal(methods.find((j) => j.jobId === methodJob).cloudToDeviceMethod.methodName, 'noop');
  });
});
