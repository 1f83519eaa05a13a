// Jobs v2 through azure-iothub's JobClient: a twin-update job over tagged devices, cancelling a job scheduled for
// the future, and the job query by type and status with paging.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import iothub from 'azure-iothub';
import { assertHubError, connectionString, errors, newDeviceId, registry, removeDevices } from './support.mjs';

const { JobClient } = iothub;
const reg = registry();
const jobs = JobClient.fromConnectionString(connectionString);
const created = [];
const scheduled = [];

after(async () => {
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
