// Queries through azure-iothub's Registry.createQuery: paging with the continuation token, GROUP BY, item types,
// and an invalid query. Devices come from Registry.addDevices (the bulk POST /devices).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertHubError, errors, newDeviceId, registry, removeDevices } from './support.mjs';

const reg = registry();
const run = newDeviceId('query');
const ids = Array.from({ length: 7 }, (_, i) => `${run}-${i}`);

before(async () => {
  const { responseBody: result } = await reg.addDevices(ids.map((deviceId) => ({ deviceId, status: 'enabled' })));
  assert.equal(result.isSuccessful, true, JSON.stringify(result));
  for (const [i, deviceId] of ids.entries()) {
    await reg.updateTwin(deviceId, { tags: { run, parity: i % 2 === 0 ? 'even' : 'odd' } }, '*');
  }
});

after(() => removeDevices(reg, ids));

/** Reads every page, passing the continuation token back as the SDK requires (next() alone restarts at page 1). */
async function allPages(query, read = (q) => q.next(q.continuationToken)) {
  const pages = [];
  while (query.hasMoreResults) {
    const { result, message } = await read(query);
    pages.push({ result, itemType: message.headers['x-ms-item-type'], continuation: message.headers['x-ms-continuation'] });
    assert.ok(pages.length <= 100, 'paging did not end');
  }
  return pages;
}

describe('Registry.createQuery', () => {
  test('pages through twins with nextAsTwin until hasMoreResults is false', async () => {
    const query = reg.createQuery(`SELECT * FROM devices WHERE tags.run = '${run}'`, 3);

    const pages = await allPages(query, (q) => q.nextAsTwin(q.continuationToken));

    assert.deepEqual(pages.map((p) => p.result.length), [3, 3, 1]);
    assert.ok(pages.every((p) => p.itemType === 'Twin'));
    assert.ok(pages.slice(0, -1).every((p) => typeof p.continuation === 'string' && p.continuation.length > 0));
    assert.equal(pages.at(-1).continuation, undefined, 'the last page carries no x-ms-continuation header');
    assert.equal(query.hasMoreResults, false);
    const twins = pages.flatMap((p) => p.result);
    assert.deepEqual(twins.map((t) => t.deviceId), ids);
    assert.ok(twins.every((t) => t.tags.run === run));
    assert.equal(typeof twins[0].properties.desired.$version, 'number');
    assert.equal(typeof twins[0].etag, 'string');
  });

  test('returns projections as plain objects with item type Raw', async () => {
    const query = reg.createQuery(`SELECT deviceId, tags.parity AS p FROM devices WHERE tags.run = '${run}' AND tags.parity = 'odd'`);

    const pages = await allPages(query);

    assert.equal(pages.length, 1);
    assert.equal(pages[0].itemType, 'Raw');
    assert.deepEqual(pages[0].result, [1, 3, 5].map((i) => ({ deviceId: ids[i], p: 'odd' })));
  });

  test('pages GROUP BY rows with their aliases', async () => {
    const query = reg.createQuery(
      `SELECT tags.parity AS parity, COUNT() AS devices FROM devices WHERE tags.run = '${run}' GROUP BY tags.parity`, 1);

    const pages = await allPages(query);

    assert.deepEqual(pages.map((p) => p.result.length), [1, 1]);
    assert.deepEqual(pages.flatMap((p) => p.result), [{ devices: 4, parity: 'even' }, { devices: 3, parity: 'odd' }]);
    assert.equal(pages.at(-1).continuation, undefined);
  });

  test('counts with TOP and aggregates in one Raw row', async () => {
    const { result, message } = await reg.createQuery(`SELECT COUNT() AS n FROM devices WHERE tags.run = '${run}'`).next();
    assert.deepEqual(result, [{ n: 7 }]);
    assert.equal(message.headers['x-ms-item-type'], 'Raw');

    const top = await allPages(reg.createQuery(`SELECT TOP 2 deviceId FROM devices WHERE tags.run = '${run}'`, 1));
    assert.deepEqual(top.flatMap((p) => p.result), ids.slice(0, 2).map((deviceId) => ({ deviceId })));
  });

  test('sees a twin change at once', async () => {
    await reg.updateTwin(ids[6], { tags: { flagged: true } }, '*');
    const { result } = await reg.createQuery(`SELECT deviceId FROM devices WHERE tags.run = '${run}' AND tags.flagged = true`).next();
    assert.deepEqual(result, [{ deviceId: ids[6] }]);
  });

  test('an invalid query fails with ArgumentError (400) and a message that says where', async () => {
    const err = await assertHubError(reg.createQuery('SELECT * FORM devices').next(), errors.ArgumentError, 400, 'ArgumentInvalid');
    assert.match(JSON.parse(err.responseBody).Message, /position 10/);
  });
});
