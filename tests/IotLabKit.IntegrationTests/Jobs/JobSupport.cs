using System.Diagnostics;
using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Core.Twins;
using IotLabKit.Emulator.Storage;
using IotLabKit.Testing;

namespace IotLabKit.IntegrationTests.Jobs;

/// <summary>Seeding devices in bulk, and waiting on a job's observed state.</summary>
internal static class JobSupport
{
    /// <summary>
    /// Writes <paramref name="count"/> devices straight into a data directory's store with the emulator's own
    /// classes, in one transaction (the fast path for 10,000-device scenarios; the REST path is tested elsewhere).
    /// </summary>
    public static void SeedDevices(string dataDir, string prefix, int count, Func<int, JsonObject>? tags = null)
    {
        using var hub = new HubState(new SqliteHubStore(dataDir), TimeProvider.System);
        hub.Write(tx =>
        {
            var now = tx.Now;
            for (var i = 0; i < count; i++)
            {
                var identity = new DeviceIdentity
                {
                    DeviceId = DeviceId(prefix, i),
                    GenerationId = tx.NextGenerationId(),
                    ETagCounter = tx.NextDeviceETag(),
                    StatusUpdatedTime = now,
                    Authentication = new DeviceAuthentication { PrimaryKey = DeviceValidator.NewKey(), SecondaryKey = DeviceValidator.NewKey() },
                };
                var twin = TwinDocument.Create(now);
                if (tags?.Invoke(i) is { } t) twin = twin with { Tags = t };
                tx.Put(new DeviceRecord(identity, twin));
            }
            return 0;
        });
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    /// <summary>The id of seeded device <paramref name="i"/>, sortable: prefix-00042.</summary>
    public static string DeviceId(string prefix, int i) => $"{prefix}-{i:D5}";

    /// <summary>A fresh data directory the caller deletes.</summary>
    public static string NewDataDir() => Path.Combine(Path.GetTempPath(), "iotlabkit-jobs-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>Deletes a data directory, ignoring what cannot be deleted.</summary>
    public static void DeleteDir(string dir)
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>
    /// Polls <c>GET /jobs/v2/{id}</c> until <paramref name="until"/> holds (an observed condition, bounded by
    /// <paramref name="timeout"/>); returns the job that satisfied it.
    /// </summary>
    public static async Task<JsonObject> WaitForJobAsync(EmulatorProcess emulator, HttpClient http, string jobId,
        Func<JsonObject, bool> until, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        JsonObject? last = null;
        while (clock.Elapsed < timeout)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/jobs/v2/{Uri.EscapeDataString(jobId)}?api-version=2021-04-12");
            request.Headers.TryAddWithoutValidation("Authorization", emulator.CreateServiceToken());
            using var response = await http.SendAsync(request);
            last = await EmulatorFixture.ReadOkAsync(response);
            if (until(last)) return last;
            // Polling is the only way a client can observe a job; yield the core between polls.
            await Task.Yield();
        }
        throw new TimeoutException($"Job {jobId} did not reach the expected state within {timeout}; last seen: {last?.ToJsonString()}");
    }

    /// <summary>True once the job is completed, failed or cancelled.</summary>
    public static bool Ended(JsonObject job) => (string?)job["status"] is "completed" or "failed" or "cancelled";

    /// <summary>The job's deviceJobStatistics counter.</summary>
    public static long Stat(JsonObject job, string name) => (long)job["deviceJobStatistics"]![name]!;
}
