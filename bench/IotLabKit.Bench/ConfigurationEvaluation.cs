using System.Diagnostics;
using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Configurations;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Core.Twins;
using IotLabKit.Emulator.Storage;

namespace IotLabKit.Bench;

/// <summary>
/// One evaluation of the automatic device configurations, in process over the emulator's own hub core (no HTTP):
/// <c>configurations</c> configurations with overlapping targets, content and a custom metric each (all different
/// texts), over <c>twins</c> twins with tags and reported properties. Three figures: the first evaluation (writes content and
/// statuses into every targeted twin), a second one (nothing left to write: the steady state every 5 minutes),
/// and one after a priority change (a share of the twins change hands).
/// </summary>
internal static class ConfigurationEvaluation
{
    public sealed record Result(string Storage, int Twins, int Configurations, TimeSpan Setup,
        ConfigurationEvaluationRun First, ConfigurationEvaluationRun Steady, ConfigurationEvaluationRun AfterChange);

    public sealed record ConfigurationEvaluationRun(TimeSpan Duration, TimeSpan Cpu, int UpdatedTwins);

    private const int Rings = 10, Regions = 5, Slots = 50;

    public static Result Measure(string storage, int twinCount, int configurationCount)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "iotlabkit-bench-" + Guid.NewGuid().ToString("N")[..10]);
        try
        {
            var clock = TimeProvider.System;
            var setup = Stopwatch.StartNew();
            IHubStore store = storage == "sqlite" ? new SqliteHubStore(dataDir) : new InMemoryHubStore();
            using var hub = new HubState(store, clock);
            AddTwins(hub, twinCount);
            var twins = new TwinStore(hub);
            var configurations = new ConfigurationStore(hub);
            for (var i = 0; i < configurationCount; i++) AddConfiguration(configurations, i);
            var engine = new ConfigurationEngine(hub, twins, configurations);
            setup.Stop();

            var first = Run(engine);
            var steady = Run(engine);
            // Raise the first configuration above all others: the twins it targets now take its values.
            var raised = configurations.Get("cfg-000");
            var request = new ConfigurationRequest(null, null, [], null, raised.TargetCondition, 1000,
                raised.Metrics.Select(m => new KeyValuePair<string, string?>(m.Name, m.Text)).ToList());
            configurations.CreateOrUpdate(raised.Id, request, ETagCondition.Any, out _);
            var afterChange = Run(engine);
            return new Result(storage, twinCount, configurationCount, setup.Elapsed, first, steady, afterChange);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(dataDir, recursive: true); }
            catch (IOException) { }
        }
    }

    private static ConfigurationEvaluationRun Run(ConfigurationEngine engine)
    {
        // CPU time beside wall time: on a shared machine the wall time mostly measures the other processes.
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var result = engine.Evaluate();
        process.Refresh();
        return new ConfigurationEvaluationRun(result.Duration, process.TotalProcessorTime - cpuBefore, result.UpdatedTwinCount);
    }

    // Twins shaped like a lab fleet: a ring and region tag, a firmware version reported by the device.
    private static void AddTwins(HubState hub, int count)
    {
        const int batch = 10_000;
        for (var start = 0; start < count; start += batch)
        {
            var end = Math.Min(count, start + batch);
            hub.Write(tx =>
            {
                for (var i = start; i < end; i++)
                {
                    var identity = new DeviceIdentity
                    {
                        DeviceId = $"device-{i:D6}",
                        GenerationId = tx.NextGenerationId(),
                        ETagCounter = tx.NextDeviceETag(),
                        StatusUpdatedTime = tx.Now,
                        Authentication = new DeviceAuthentication { PrimaryKey = "cHJpbWFyeQ==", SecondaryKey = "c2Vjb25kYXJ5" },
                    };
                    var twin = TwinDocument.Create(tx.Now)
                        .WithServicePatch(new TwinWrite(new JsonObject { ["ring"] = i % Rings, ["region"] = $"r{i % Regions}", ["slot"] = i % Slots, ["site"] = "bench" }, null), tx.Now, out _)
                        .WithReportedPatch(new JsonObject { ["firmware"] = new JsonObject { ["currentFwVersion"] = i % 3 == 0 ? "1.0.1" : "1.0.0" } }, tx.Now);
                    tx.Put(new DeviceRecord(identity, twin));
                }
                return true;
            });
        }
    }

    // Targets overlap (every twin is in one ring, one region and one slot), so priorities decide who writes which
    // path. Every condition and metric query is a different text, so nothing is shared between configurations.
    private static void AddConfiguration(ConfigurationStore configurations, int i)
    {
        var target = (i % 3) switch
        {
            0 => $"tags.ring = {i % Rings} OR tags.slot = {i}",
            1 => $"tags.region = 'r{i % Regions}' AND tags.slot <> {i}",
            _ => $"tags.slot = {i} OR properties.reported.firmware.currentFwVersion = '1.0.1'",
        };
        var content = new JsonObject
        {
            ["properties.desired.firmware"] = new JsonObject { ["fwVersion"] = $"1.0.{i}", ["fwPackageURI"] = $"https://packages.example/{i}" },
            [$"properties.desired.settings.c{i % 7}"] = i,
        };
        var metrics = new List<KeyValuePair<string, string?>>
        {
            new("fwupdated", $"SELECT deviceId FROM devices WHERE properties.reported.firmware.currentFwVersion = '1.0.1' AND tags.slot = {i}"),
        };
        configurations.CreateOrUpdate($"cfg-{i:D3}", new ConfigurationRequest(null, null, [], content, target, i % 10, metrics), ETagCondition.None, out _);
    }
}
