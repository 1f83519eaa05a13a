extern alias DeviceSdk;
using System.Diagnostics;
using IotLabKit.Service;
using IotLabKit.Testing;
using DeviceSdk::IotLabKit.Device;

namespace IotLabKit.Bench;

/// <summary>One row of round-trip figures.</summary>
internal sealed record RoundTripResult(string Path, int Devices, int Calls, double[] LatenciesMs, double SequentialPerSecond, double ConcurrentPerSecond, int Concurrency)
{
    public double Percentile(double p) => LatenciesMs.Length == 0 ? double.NaN : LatenciesMs[Math.Clamp((int)Math.Ceiling(p / 100 * LatenciesMs.Length) - 1, 0, LatenciesMs.Length - 1)];
}

/// <summary>
/// Direct-method round trips through the emulator: <see cref="ServiceClient.InvokeDeviceMethodAsync(string, CloudToDeviceMethod, CancellationToken)"/>
/// (HTTPS keep-alive) → the emulator → the device over MQTT/TLS (our DeviceClient, handler echoes the payload) → back.
/// Devices are seeded straight into the store and connected before timing starts. Calls go round-robin over the
/// connected devices: one caller for latency and sequential calls/s, then <c>concurrency</c> callers for throughput.
/// </summary>
internal static class MethodRoundTrip
{
    public static async Task<RoundTripResult> MeasureAsync(int devices, int calls, int warmup, int concurrency, TimeSpan limit)
    {
        var dataDir = DeviceSeed.NewDataDir("methods");
        var keys = DeviceSeed.Create(dataDir, devices, "rt");
        await using var emulator = await EmulatorProcess.StartAsync(new EmulatorOptions { DataDir = dataDir, StartTimeout = limit });
        var clients = new List<DeviceClient>();
        try
        {
            using (var gate = new SemaphoreSlim(16))
            {
                await Task.WhenAll(keys.Select(async pair =>
                {
                    await gate.WaitAsync();
                    try
                    {
                        var client = DeviceClient.CreateFromConnectionString(emulator.DeviceConnectionString(pair.Key, pair.Value, viaMqttPort: true),
                            TransportType.Mqtt, new DeviceClientOptions { CaCertificatePath = emulator.Status.CaCertificatePath });
                        lock (clients) clients.Add(client);
                        await client.SetMethodHandlerAsync("echo", (request, _) => Task.FromResult(new MethodResponse(request.Data, 200)), null);
                    }
                    finally { gate.Release(); }
                }));
            }
            var ids = keys.Keys.ToArray();
            using var service = ServiceClient.CreateFromConnectionString(emulator.ConnectionString("service"),
                new ServiceClientOptions { CaCertificatePath = emulator.Status.CaCertificatePath });
            var method = new CloudToDeviceMethod("echo", TimeSpan.FromSeconds(30));
            method.SetPayloadJson("""{"n":1}""");
            var next = 0;
            async Task<double> CallAsync()
            {
                var id = ids[Interlocked.Increment(ref next) % ids.Length];
                var started = Stopwatch.GetTimestamp();
                var result = await service.InvokeDeviceMethodAsync(id, method);
                if (result.Status != 200) throw new InvalidOperationException($"Device {id} answered {result.Status}.");
                return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            for (var i = 0; i < warmup; i++) await CallAsync();
            var latencies = new double[calls];
            var sequential = Stopwatch.StartNew();
            for (var i = 0; i < calls; i++) latencies[i] = await CallAsync();
            sequential.Stop();

            var concurrent = Stopwatch.StartNew();
            var remaining = calls;
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
            {
                while (Interlocked.Decrement(ref remaining) >= 0) await CallAsync();
            }));
            concurrent.Stop();
            Array.Sort(latencies);
            return new RoundTripResult("emulator: HTTPS -> MQTT/TLS -> device", devices, calls, latencies,
                calls / sequential.Elapsed.TotalSeconds, calls / concurrent.Elapsed.TotalSeconds, concurrency);
        }
        finally
        {
            foreach (var client in clients) await client.DisposeAsync();
        }
    }
}
