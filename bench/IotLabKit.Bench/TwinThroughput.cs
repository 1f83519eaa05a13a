using System.Diagnostics;
using IotLabKit.Service;
using IotLabKit.Testing;

namespace IotLabKit.Bench;

/// <summary>
/// Twin GET and PATCH through <see cref="RegistryManager"/> over HTTPS keep-alive: N clients (each its own
/// RegistryManager, so its own connection pool) share a fixed number of requests, each client on its own device.
/// </summary>
internal static class TwinThroughput
{
    public sealed record Result(string Storage, string Operation, int Clients, int Requests, TimeSpan Wall, double[] LatenciesMs)
    {
        public double PerSecond => Requests / Wall.TotalSeconds;
        public double Percentile(double p)
        {
            if (LatenciesMs.Length == 0) return double.NaN;
            var rank = (int)Math.Ceiling(p / 100 * LatenciesMs.Length) - 1;
            return LatenciesMs[Math.Clamp(rank, 0, LatenciesMs.Length - 1)];
        }
    }

    public static async Task<IReadOnlyList<Result>> MeasureAsync(string storage, BenchSettings settings)
    {
        await using var emulator = await EmulatorProcess.StartAsync(new EmulatorOptions { InMemory = storage == "memory", StartTimeout = settings.ScenarioLimit });
        var options = new ServiceClientOptions
        {
            CaCertificatePath = emulator.Status.CaCertificatePath,
            Timeout = TimeSpan.FromSeconds(30),
            RetryPolicy = RetryPolicy.NoRetry, // a retry would hide a server that cannot keep up
        };
        var results = new List<Result>();
        foreach (var clients in settings.Clients)
        {
            var registries = Enumerable.Range(0, clients)
                .Select(_ => RegistryManager.CreateFromConnectionString(emulator.ConnectionString(), options)).ToArray();
            try
            {
                var ids = new string[clients];
                for (var c = 0; c < clients; c++)
                {
                    ids[c] = $"bench-{clients}-{c}-{Guid.NewGuid():N}"[..40];
                    await registries[c].AddDeviceAsync(new Device(ids[c]));
                }

                results.Add(await RunAsync(storage, "GET", registries, settings,
                    (registry, c, _, ct) => registry.GetTwinAsync(ids[c], ct)));
                results.Add(await RunAsync(storage, "PATCH", registries, settings, (registry, c, i, ct) =>
                {
                    var patch = new Twin();
                    patch.Properties.Desired["counter"] = i;
                    return registry.UpdateTwinAsync(ids[c], patch, "*", ct);
                }));
            }
            finally
            {
                foreach (var r in registries) r.Dispose();
            }
        }
        await emulator.StopAsync();
        return results;
    }

    private static async Task<Result> RunAsync(string storage, string operation, RegistryManager[] registries, BenchSettings settings,
        Func<RegistryManager, int, int, CancellationToken, Task> call)
    {
        using var limit = new CancellationTokenSource(settings.ScenarioLimit);
        var clients = registries.Length;

        // Warm-up: connections opened, TLS done, JIT and SQLite caches warm.
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            for (var i = 0; i < settings.Warmup; i++) await call(registries[c], c, i, limit.Token);
        }));

        var perClient = new List<double>[clients];
        var next = -1;
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            var mine = perClient[c] = new List<double>(settings.Requests / clients + 1);
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= settings.Requests) break;
                var start = Stopwatch.GetTimestamp();
                await call(registries[c], c, i, limit.Token);
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }));
        wall.Stop();

        var all = perClient.SelectMany(l => l).Order().ToArray();
        return new Result(storage, operation, clients, all.Length, wall.Elapsed, all);
    }
}
