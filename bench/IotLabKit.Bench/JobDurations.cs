using System.Diagnostics;
using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Core.Twins;
using IotLabKit.Emulator.Storage;
using IotLabKit.Testing;

namespace IotLabKit.Bench;

/// <summary>
/// How long jobs take: a twin-update job over N devices (seeded straight into the SQLite store, one transaction),
/// timed two ways — on the hub's clock (<c>endTime − createdTime</c> of the job) and as a client sees it (from
/// sending the PUT to the first GET that reads <c>completed</c>).
/// </summary>
internal static class JobDurations
{
    public sealed record Result(string Job, int Devices, long Succeeded, TimeSpan HubTime, TimeSpan ClientTime);

    public static async Task<IReadOnlyList<Result>> MeasureTwinJobsAsync(int devices, int runs, TimeSpan limit)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "iotlabkit-bench-jobs-" + Guid.NewGuid().ToString("N")[..10]);
        try
        {
            Seed(dataDir, devices);
            await using var emulator = await EmulatorProcess.StartAsync(new EmulatorOptions { DataDir = dataDir, StartTimeout = limit });
            using var http = emulator.CreateHttpClient();
            var results = new List<Result>();
            for (var run = 1; run <= runs; run++)
            {
                var jobId = $"bench-twin-{run}";
                var body = new JsonObject
                {
                    ["jobId"] = jobId,
                    ["type"] = "scheduleUpdateTwin",
                    ["queryCondition"] = "*",
                    ["updateTwin"] = new JsonObject { ["etag"] = "*", ["properties"] = new JsonObject { ["desired"] = new JsonObject { ["run"] = run } } },
                };
                var clock = Stopwatch.StartNew();
                await SendAsync(emulator, http, HttpMethod.Put, jobId, body.ToJsonString());
                var job = await WaitAsync(emulator, http, jobId, clock, limit);
                var hub = DateTimeOffset.Parse((string)job["endTime"]!) - DateTimeOffset.Parse((string)job["createdTime"]!);
                results.Add(new Result(jobId, devices, (long)job["deviceJobStatistics"]!["succeededCount"]!, hub, clock.Elapsed));
            }
            await emulator.StopAsync();
            return results;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(dataDir, recursive: true); }
            catch (IOException) { }
        }
    }

    private static void Seed(string dataDir, int devices)
    {
        using var hub = new HubState(new SqliteHubStore(dataDir), TimeProvider.System);
        hub.Write(tx =>
        {
            for (var i = 0; i < devices; i++)
            {
                tx.Put(new DeviceRecord(new DeviceIdentity
                {
                    DeviceId = $"bench-{i:D6}",
                    GenerationId = tx.NextGenerationId(),
                    ETagCounter = tx.NextDeviceETag(),
                    Authentication = new DeviceAuthentication { PrimaryKey = DeviceValidator.NewKey(), SecondaryKey = DeviceValidator.NewKey() },
                }, TwinDocument.Create(tx.Now)));
            }
            return 0;
        });
    }

    private static async Task<JsonObject> WaitAsync(EmulatorProcess emulator, HttpClient http, string jobId, Stopwatch clock, TimeSpan limit)
    {
        while (clock.Elapsed < limit)
        {
            var job = JsonNode.Parse(await SendAsync(emulator, http, HttpMethod.Get, jobId, null))!.AsObject();
            if ((string?)job["status"] is "completed" or "failed" or "cancelled") return job;
        }
        throw new TimeoutException($"Job {jobId} did not end within {limit}.");
    }

    private static async Task<string> SendAsync(EmulatorProcess emulator, HttpClient http, HttpMethod method, string jobId, string? body)
    {
        using var request = new HttpRequestMessage(method, $"/jobs/v2/{jobId}?api-version=2021-04-12");
        request.Headers.TryAddWithoutValidation("Authorization", emulator.CreateServiceToken());
        if (body is not null) request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{method} job {jobId}: {(int)response.StatusCode} {text}");
        return text;
    }
}
