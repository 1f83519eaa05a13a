extern alias DeviceSdk;
using System.Diagnostics;
using IotLabKit.Service;
using IotLabKit.Simulation;
using IotLabKit.Testing;
using DeviceOptions = DeviceSdk::IotLabKit.Device.DeviceClientOptions;

namespace IotLabKit.Bench;

/// <summary>One fleet size's figures.</summary>
internal sealed record FleetResult(int Devices, int Started, TimeSpan StartTime, double ManagedKbPerDevice, double WorkingSetKbPerDevice,
    int Updated, TimeSpan FirmwareTime, TimeSpan StopTime, long MessagesSent);

/// <summary>
/// Simulated devices at scale, as New-SimulatedFleet runs them: <c>devices</c> simulated devices (every pattern,
/// telemetry every 5 s) started 8 at a time over TLS+MQTT in this process; then Lab 16's firmware update pushed to
/// every one of them (desired <c>firmware</c> set through the registry, 16 at a time, course timings × 0.05 = 1.15 s of
/// device work each) until all run 1.0.1; then all stopped together. Devices are seeded straight into the store.
/// </summary>
internal static class SimulatedFleet
{
    private const string Firmware = """{"properties":{"desired":{"firmware":{"fwVersion":"1.0.1","fwPackageURI":"https://MyPackage.uri","fwPackageCheckValue":"1234"}}}}""";

    public static async Task<FleetResult> MeasureAsync(int devices, TimeSpan limit)
    {
        var dataDir = DeviceSeed.NewDataDir("fleet");
        var keys = DeviceSeed.Create(dataDir, devices, "sim");
        await using var emulator = await EmulatorProcess.StartAsync(new EmulatorOptions { DataDir = dataDir, StartTimeout = limit });
        using var deadline = new CancellationTokenSource(limit);
        var fleet = new List<SimulatedDevice>();
        var baseManaged = GC.GetTotalMemory(forceFullCollection: true);
        var baseWorkingSet = Process.GetCurrentProcess().WorkingSet64;

        var startClock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = deadline.Token }, async (pair, ct) =>
        {
            var device = SimulatedDevice.Create(emulator.DeviceConnectionString(pair.Key, pair.Value, viaMqttPort: true), new SimulatedDeviceOptions
            {
                Timings = SimulationTimings.Course.Scale(0.05),
                Seed = 1,
                ClientOptions = new DeviceOptions { CaCertificatePath = emulator.Status.CaCertificatePath },
            });
            lock (fleet) fleet.Add(device);
            await device.StartAsync(ct);
        });
        startClock.Stop();
        var started = fleet.Count(d => d.State == SimulatedDeviceState.Running);
        var managed = (GC.GetTotalMemory(forceFullCollection: true) - baseManaged) / 1024.0 / Math.Max(1, started);
        var workingSet = (Process.GetCurrentProcess().WorkingSet64 - baseWorkingSet) / 1024.0 / Math.Max(1, started);

        using var registry = RegistryManager.CreateFromConnectionString(emulator.ConnectionString(),
            new ServiceClientOptions { CaCertificatePath = emulator.Status.CaCertificatePath, Timeout = TimeSpan.FromSeconds(60) });
        var updateClock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(fleet, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = deadline.Token },
            async (device, ct) => await registry.UpdateTwinAsync(device.DeviceId, Firmware, "*", ct));
        while (!deadline.IsCancellationRequested && fleet.Any(d => d.FirmwareVersion != "1.0.1" || d.FirmwareUpdateStatus != "current"))
            await Task.Delay(20, CancellationToken.None);
        updateClock.Stop();
        var updated = fleet.Count(d => d.FirmwareVersion == "1.0.1" && d.FirmwareUpdateStatus == "current");

        var sent = fleet.Sum(d => d.MessagesSent);
        var stopClock = Stopwatch.StartNew();
        await Task.WhenAll(fleet.Select(d => d.StopAsync()));
        stopClock.Stop();
        return new FleetResult(devices, started, startClock.Elapsed, managed, workingSet, updated, updateClock.Elapsed, stopClock.Elapsed, sent);
    }
}
