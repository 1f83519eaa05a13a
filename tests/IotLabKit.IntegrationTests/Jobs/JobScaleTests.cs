using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core.Twins;
using IotLabKit.Emulator.Storage;
using IotLabKit.Testing;

namespace IotLabKit.IntegrationTests.Jobs;

/// <summary>
/// Jobs over 10,000 devices, and restart safety: kill -9 in the middle of a job. Devices are seeded straight into
/// the store (one transaction) so the tests spend their time on the job, not on 10,000 REST calls.
/// Run alone with <c>--filter Category=Scale</c>.
/// </summary>
[Trait("Category", "Scale")]
public sealed class JobScaleTests
{
    private const int DeviceCount = 10_000;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private static async Task<JsonObject> PutJobAsync(EmulatorProcess emulator, HttpClient http, string jobId, JsonObject body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/jobs/v2/{jobId}?api-version=2021-04-12")
        {
            Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", emulator.CreateServiceToken());
        using var response = await http.SendAsync(request);
        return await EmulatorFixture.ReadOkAsync(response);
    }

    private static JsonObject DesiredJob(string jobId, string condition, JsonObject desired) => new()
    {
        ["jobId"] = jobId,
        ["type"] = "scheduleUpdateTwin",
        ["queryCondition"] = condition,
        ["updateTwin"] = new JsonObject { ["etag"] = "*", ["properties"] = new JsonObject { ["desired"] = desired } },
        ["maxExecutionTimeInSeconds"] = 600,
    };

    /// <summary>Every stored twin's desired section and every stored device result of the job, read after the emulator stopped.</summary>
    private static (Dictionary<string, TwinSection> Desired, Dictionary<string, string> Results) ReadStore(string dataDir, string jobId)
    {
        using var store = new SqliteHubStore(dataDir);
        var desired = store.LoadAll(StoreCollections.Devices)
            .Select(e => DeviceRecordSerializer.Deserialize(e.Json))
            .ToDictionary(r => r.Identity.DeviceId, r => r.Twin.Desired);
        var results = store.LoadAll(JobRecordSerializer.DeviceJobs)
            .Where(e => e.Id.StartsWith(jobId + "/", StringComparison.Ordinal))
            .ToDictionary(e => e.Id[(jobId.Length + 1)..], e => (string)JsonNode.Parse(e.Json)!["status"]!);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        return (desired, results);
    }

    [Fact]
    public async Task A_twin_update_job_over_10000_devices_completes_with_every_device_counted()
    {
        var dataDir = JobSupport.NewDataDir();
        try
        {
            JobSupport.SeedDevices(dataDir, "fleet", DeviceCount, i => new JsonObject { ["ring"] = i % 2 == 0 ? "even" : "odd" });
            await using var emulator = await EmulatorProcess.StartAsync(new EmulatorOptions { DataDir = dataDir });
            using var http = emulator.CreateHttpClient();

            await PutJobAsync(emulator, http, "all-10000", DesiredJob("all-10000", "*", new JsonObject { ["firmware"] = "2.0" }));
            var done = await JobSupport.WaitForJobAsync(emulator, http, "all-10000", JobSupport.Ended, Patience);
            Assert.Equal("completed", (string?)done["status"]);
            Assert.Equal(DeviceCount, JobSupport.Stat(done, "deviceCount"));
            Assert.Equal(DeviceCount, JobSupport.Stat(done, "succeededCount"));
            Assert.Equal(0, JobSupport.Stat(done, "failedCount") + JobSupport.Stat(done, "pendingCount") + JobSupport.Stat(done, "runningCount"));

            // A condition over tags picks half of them, and only those change.
            await PutJobAsync(emulator, http, "even-5000", DesiredJob("even-5000", "tags.ring = 'even'", new JsonObject { ["ring"] = "even" }));
            var even = await JobSupport.WaitForJobAsync(emulator, http, "even-5000", JobSupport.Ended, Patience);
            Assert.Equal(DeviceCount / 2, JobSupport.Stat(even, "deviceCount"));
            Assert.Equal(DeviceCount / 2, JobSupport.Stat(even, "succeededCount"));

            await emulator.StopAsync();
            var (desired, results) = ReadStore(dataDir, "all-10000");
            Assert.Equal(DeviceCount, desired.Count);
            Assert.Equal(DeviceCount, results.Count);
            Assert.All(results.Values, s => Assert.Equal("completed", s));
            for (var i = 0; i < DeviceCount; i++)
            {
                var twin = desired[JobSupport.DeviceId("fleet", i)];
                Assert.Equal("2.0", (string?)twin.Values["firmware"]);
                Assert.Equal(i % 2 == 0 ? 3 : 2, twin.Version);
            }
        }
        finally
        {
            JobSupport.DeleteDir(dataDir);
        }
    }

    [Fact]
    public async Task Kill_9_in_the_middle_of_a_10000_device_job_loses_nothing_and_applies_nothing_twice()
    {
        var dataDir = JobSupport.NewDataDir();
        try
        {
            JobSupport.SeedDevices(dataDir, "kill", DeviceCount);
            // Paced so that "partway" lasts long enough to be observed (about five seconds at 2,000 devices/s).
            var options = new EmulatorOptions { DataDir = dataDir, ExtraArguments = ["--job-device-rate", "2000"] };
            await using var emulator = await EmulatorProcess.StartAsync(options);
            JsonObject partway;
            using (var http = emulator.CreateHttpClient())
            {
                await PutJobAsync(emulator, http, "killed", DesiredJob("killed", "*", new JsonObject { ["survivesKill"] = true }));
                partway = await JobSupport.WaitForJobAsync(emulator, http, "killed",
                    j => JobSupport.Stat(j, "succeededCount") >= DeviceCount / 10 || JobSupport.Ended(j), Patience);
            }
            await emulator.KillAsync();
            Assert.Equal("running", (string?)partway["status"]);
            var before = JobSupport.Stat(partway, "succeededCount");
            Assert.InRange(before, DeviceCount / 10, DeviceCount - 1);

            await emulator.RestartAsync();
            using (var http = emulator.CreateHttpClient())
            {
                var resumed = await JobSupport.WaitForJobAsync(emulator, http, "killed", _ => true, Patience);
                Assert.Equal(DeviceCount, JobSupport.Stat(resumed, "deviceCount"));
                Assert.True(JobSupport.Stat(resumed, "succeededCount") >= before, "results acknowledged before the kill were lost");

                var done = await JobSupport.WaitForJobAsync(emulator, http, "killed", JobSupport.Ended, Patience);
                Assert.Equal("completed", (string?)done["status"]);
                Assert.Equal(DeviceCount, JobSupport.Stat(done, "deviceCount"));
                Assert.Equal(DeviceCount, JobSupport.Stat(done, "succeededCount"));
                Assert.Equal(0, JobSupport.Stat(done, "failedCount"));
                Assert.Equal(0, JobSupport.Stat(done, "pendingCount"));
            }
            await emulator.StopAsync();

            var (desired, results) = ReadStore(dataDir, "killed");
            Assert.Equal(DeviceCount, results.Count);
            Assert.All(results.Values, s => Assert.Equal("completed", s));
            foreach (var (deviceId, twin) in desired)
            {
                Assert.True((bool)twin.Values["survivesKill"]!, deviceId);
                // Seeded at desired $version 1: exactly one job write makes it 2.
                Assert.Equal(2, twin.Version);
            }
        }
        finally
        {
            JobSupport.DeleteDir(dataDir);
        }
    }
}
