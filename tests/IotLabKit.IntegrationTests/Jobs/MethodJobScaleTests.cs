extern alias DeviceSdk;
using System.Text;
using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Core.Twins;
using IotLabKit.Emulator.Storage;
using IotLabKit.Testing;
using DeviceSdk::IotLabKit.Device;

namespace IotLabKit.IntegrationTests.Jobs;

/// <summary>
/// A direct-method job over 1,000 devices connected with our own <see cref="DeviceClient"/> over TLS+MQTT: every
/// device answers, the job counts each once, and each device's answer is in <c>devices.jobs</c>.
/// Run alone with <c>--filter Category=Scale</c>.
/// </summary>
[Trait("Category", "Scale")]
public sealed class MethodJobScaleTests
{
    private const int DeviceCount = 1000;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task A_method_job_over_1000_connected_devices_completes_with_every_answer_counted()
    {
        var dataDir = JobSupport.NewDataDir();
        var clients = new List<DeviceClient>();
        try
        {
            var keys = SeedDevicesWithKeys(dataDir, DeviceCount);
            await using var emulator = await EmulatorProcess.StartAsync(new EmulatorOptions { DataDir = dataDir });
            var caPath = emulator.Status.CaCertificatePath;

            // Connect in small waves: 1,000 TLS handshakes at once would only queue on a 2-core machine.
            var answered = 0;
            using var connecting = new SemaphoreSlim(16);
            var connections = keys.Select(async pair =>
            {
                await connecting.WaitAsync();
                try
                {
                    var client = DeviceClient.CreateFromConnectionString(emulator.DeviceConnectionString(pair.Key, pair.Value),
                        TransportType.Mqtt, new DeviceClientOptions { CaCertificatePath = caPath });
                    lock (clients) clients.Add(client);
                    await client.SetMethodHandlerAsync("ping", (request, _) =>
                    {
                        Interlocked.Increment(ref answered);
                        return Task.FromResult(new MethodResponse(Encoding.UTF8.GetBytes($$"""{"pong":"{{pair.Key}}","got":{{request.DataAsJson}}}"""), 200));
                    }, null);
                }
                finally { connecting.Release(); }
            });
            await Task.WhenAll(connections);

            using var http = emulator.CreateHttpClient();
            var body = new JsonObject
            {
                ["jobId"] = "ping-1000",
                ["type"] = "scheduleDeviceMethod",
                ["queryCondition"] = "*",
                ["cloudToDeviceMethod"] = new JsonObject { ["methodName"] = "ping", ["payload"] = new JsonObject { ["n"] = 7 }, ["responseTimeoutInSeconds"] = 60 },
            };
            using (var request = new HttpRequestMessage(HttpMethod.Put, "/jobs/v2/ping-1000?api-version=2021-04-12")
            {
                Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
            })
            {
                request.Headers.TryAddWithoutValidation("Authorization", emulator.CreateServiceToken());
                using var response = await http.SendAsync(request);
                await EmulatorFixture.ReadOkAsync(response);
            }

            var done = await JobSupport.WaitForJobAsync(emulator, http, "ping-1000", JobSupport.Ended, Patience);
            Assert.Equal("completed", (string?)done["status"]);
            Assert.Equal(DeviceCount, JobSupport.Stat(done, "deviceCount"));
            Assert.Equal(DeviceCount, JobSupport.Stat(done, "succeededCount"));
            Assert.Equal(0, JobSupport.Stat(done, "failedCount"));
            Assert.Equal(DeviceCount, Volatile.Read(ref answered));

            // Every device's answer, read back through the devices.jobs query, all pages.
            var outcomes = new Dictionary<string, JsonNode>();
            string? continuation = null;
            do
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/devices/query?api-version=2021-04-12")
                {
                    Content = new StringContent("""{"query":"SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'ping-1000'"}""", Encoding.UTF8, "application/json"),
                };
                request.Headers.TryAddWithoutValidation("Authorization", emulator.CreateServiceToken());
                request.Headers.TryAddWithoutValidation("x-ms-max-item-count", "500");
                if (continuation is not null) request.Headers.TryAddWithoutValidation("x-ms-continuation", continuation);
                using var response = await http.SendAsync(request);
                Assert.Equal("DeviceJob", Assert.Single(response.Headers.GetValues("x-ms-item-type")));
                foreach (var item in JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray())
                    outcomes.Add((string)item!["deviceId"]!, item["outcome"]!["deviceMethodResponse"]!);
                continuation = response.Headers.TryGetValues("x-ms-continuation", out var values) ? values.Single() : null;
            } while (continuation is not null);
            Assert.Equal(DeviceCount, outcomes.Count);
            foreach (var (deviceId, answer) in outcomes)
            {
                Assert.Equal(200, (int)answer["status"]!);
                Assert.Equal(deviceId, (string?)answer["payload"]!["pong"]);
                Assert.Equal(7, (int)answer["payload"]!["got"]!["n"]!);
            }
        }
        finally
        {
            foreach (var client in clients) await client.DisposeAsync();
            JobSupport.DeleteDir(dataDir);
        }
    }

    private static Dictionary<string, string> SeedDevicesWithKeys(string dataDir, int count)
    {
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var hub = new HubState(new SqliteHubStore(dataDir), TimeProvider.System))
        {
            hub.Write(tx =>
            {
                for (var i = 0; i < count; i++)
                {
                    var id = JobSupport.DeviceId("ping", i);
                    var key = DeviceValidator.NewKey();
                    keys[id] = key;
                    tx.Put(new DeviceRecord(new DeviceIdentity
                    {
                        DeviceId = id,
                        GenerationId = tx.NextGenerationId(),
                        ETagCounter = tx.NextDeviceETag(),
                        Authentication = new DeviceAuthentication { PrimaryKey = key, SecondaryKey = DeviceValidator.NewKey() },
                    }, TwinDocument.Create(tx.Now)));
                }
                return 0;
            });
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        return keys;
    }
}
