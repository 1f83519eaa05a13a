extern alias DeviceSdk;
using System.Diagnostics;
using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Core.Twins;
using IotLabKit.Emulator.Storage;
using IotLabKit.Testing;
using DeviceSdk::IotLabKit.Device;

namespace IotLabKit.Bench;

/// <summary>
/// How long jobs take: a twin-update job over N devices and a direct-method job over M devices connected with our
/// DeviceClient over TLS+MQTT (devices seeded straight into the SQLite store, one transaction), timed two ways — on
/// the hub's clock (<c>endTime − createdTime</c> of the job) and as a client sees it (from sending the PUT to the
/// first GET that reads <c>completed</c>). Connecting the devices is not part of the figure.
/// </summary>
internal static class JobDurations
{
    public sealed record Result(string Job, int Devices, long Succeeded, TimeSpan HubTime, TimeSpan ClientTime);

    public static Task<IReadOnlyList<Result>> MeasureTwinJobsAsync(int devices, int runs, TimeSpan limit)
        => MeasureAsync(devices, runs, limit, connect: false, run => new JsonObject
        {
            ["type"] = "scheduleUpdateTwin",
            ["queryCondition"] = "*",
            ["updateTwin"] = new JsonObject { ["etag"] = "*", ["properties"] = new JsonObject { ["desired"] = new JsonObject { ["run"] = run } } },
        });

    public static Task<IReadOnlyList<Result>> MeasureMethodJobsAsync(int devices, int runs, TimeSpan limit)
        => MeasureAsync(devices, runs, limit, connect: true, run => new JsonObject
        {
            ["type"] = "scheduleDeviceMethod",
            ["queryCondition"] = "*",
            ["cloudToDeviceMethod"] = new JsonObject { ["methodName"] = "ping", ["payload"] = new JsonObject { ["run"] = run }, ["responseTimeoutInSeconds"] = 60 },
        });

    private static async Task<IReadOnlyList<Result>> MeasureAsync(int devices, int runs, TimeSpan limit, bool connect, Func<int, JsonObject> job)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "iotlabkit-bench-jobs-" + Guid.NewGuid().ToString("N")[..10]);
        var clients = new List<DeviceClient>();
        try
        {
            var keys = Seed(dataDir, devices);
            await using var emulator = await EmulatorProcess.StartAsync(new EmulatorOptions { DataDir = dataDir, StartTimeout = limit });
            if (connect) clients = await ConnectAsync(emulator, keys);
            using var http = emulator.CreateHttpClient();
            var results = new List<Result>();
            for (var run = 1; run <= runs; run++)
            {
                var body = job(run);
                var jobId = $"bench-{(string)body["type"]!}-{run}";
                body["jobId"] = jobId;
                var clock = Stopwatch.StartNew();
                await SendAsync(emulator, http, HttpMethod.Put, jobId, body.ToJsonString());
                var ended = await WaitAsync(emulator, http, jobId, clock, limit);
                var hub = DateTimeOffset.Parse((string)ended["endTime"]!) - DateTimeOffset.Parse((string)ended["createdTime"]!);
                results.Add(new Result(jobId, devices, (long)ended["deviceJobStatistics"]!["succeededCount"]!, hub, clock.Elapsed));
            }
            foreach (var client in clients) await client.DisposeAsync();
            clients.Clear();
            await emulator.StopAsync();
            return results;
        }
        finally
        {
            foreach (var client in clients) await client.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(dataDir, recursive: true); }
            catch (IOException) { }
        }
    }

    private static async Task<List<DeviceClient>> ConnectAsync(EmulatorProcess emulator, Dictionary<string, string> keys)
    {
        var clients = new List<DeviceClient>();
        using var gate = new SemaphoreSlim(16);
        await Task.WhenAll(keys.Select(async pair =>
        {
            await gate.WaitAsync();
            try
            {
                var client = DeviceClient.CreateFromConnectionString(emulator.DeviceConnectionString(pair.Key, pair.Value), TransportType.Mqtt,
                    new DeviceClientOptions { CaCertificatePath = emulator.Status.CaCertificatePath });
                lock (clients) clients.Add(client);
                await client.SetMethodHandlerAsync("ping", (request, _) => Task.FromResult(new MethodResponse(request.Data, 200)), null);
            }
            finally { gate.Release(); }
        }));
        return clients;
    }

    private static Dictionary<string, string> Seed(string dataDir, int devices)
    {
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        using var hub = new HubState(new SqliteHubStore(dataDir), TimeProvider.System);
        hub.Write(tx =>
        {
            for (var i = 0; i < devices; i++)
            {
                var id = $"bench-{i:D6}";
                keys[id] = DeviceValidator.NewKey();
                tx.Put(new DeviceRecord(new DeviceIdentity
                {
                    DeviceId = id,
                    GenerationId = tx.NextGenerationId(),
                    ETagCounter = tx.NextDeviceETag(),
                    Authentication = new DeviceAuthentication { PrimaryKey = keys[id], SecondaryKey = DeviceValidator.NewKey() },
                }, TwinDocument.Create(tx.Now)));
            }
            return 0;
        });
        return keys;
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
