extern alias DeviceSdk;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using DeviceSdk::IotLabKit.Device;

namespace IotLabKit.IntegrationTests.Configurations;

/// <summary>
/// AZ-220 Lab 16's <c>fwupdatedevice</c> on our <see cref="DeviceClient"/>, report for report (az220-labs §2.4–2.5):
/// at boot the whole firmware block; on a desired patch with a non-null <c>firmware</c>, the pending version and
/// start time, "downloading" 0/25/50/75/100, "verifying", "applying", "rebooting" with the end time, then the boot
/// block again with the new version. The lab's waits (2 s per download step, 5 s per stage) are left out: they
/// are the device's pretend work, and nothing waits on them. Every patch the hub acknowledged is recorded.
/// </summary>
internal sealed class Lab16FirmwareDevice(DeviceClient client) : IAsyncDisposable
{
    private readonly TaskCompletionSource<string> _updated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _update;

    /// <summary>The firmware version the device runs.</summary>
    public string FirmwareVersion { get; private set; } = "1.0.0";

    /// <summary>Every reported patch under <c>firmware</c> the hub acknowledged, in order.</summary>
    public ConcurrentQueue<JsonObject> Reported { get; } = new();

    /// <summary>Completes with the new version when an update has run to its end (the device booted again).</summary>
    public Task<string> Updated => _updated.Task;

    /// <summary>Lab 16's Main: boot (report the firmware block), then listen for desired changes.</summary>
    public async Task StartAsync()
    {
        await InitDeviceAsync();
        await client.SetDesiredPropertyUpdateCallbackAsync(OnDesiredPropertyChanged, null);
    }

    private Task OnDesiredPropertyChanged(TwinCollection desired, object? context)
    {
        if (!desired.Contains("firmware") || desired["firmware"] is not TwinCollection firmware) return Task.CompletedTask;
        string version = firmware["fwVersion"], uri = firmware["fwPackageURI"], check = firmware["fwPackageCheckValue"];
        // Runs beside the callback so the client keeps reading the hub's answers to the reports it sends.
        _update = Task.Run(async () =>
        {
            try
            {
                await UpdateFirmwareAsync(version, uri, check);
                _updated.TrySetResult(FirmwareVersion);
            }
            catch (Exception ex)
            {
                _updated.TrySetException(ex);
            }
        });
        return Task.CompletedTask;
    }

    private async Task UpdateFirmwareAsync(string fwVersion, string fwPackageUri, string fwPackageCheckValue)
    {
        _ = fwPackageUri;
        _ = fwPackageCheckValue;
        await ReportAsync(new() { ["pendingFwVersion"] = fwVersion, ["lastFwUpdateStartTime"] = Now() });
        await ReportAsync(new() { ["fwUpdateStatus"] = "downloading", ["fwUpdateSubstatus"] = "0" });
        foreach (var percent in new[] { "25", "50", "75", "100" }) await ReportAsync(new() { ["fwUpdateSubstatus"] = percent });
        await ReportAsync(new() { ["fwUpdateStatus"] = "verifying" });
        await ReportAsync(new() { ["fwUpdateStatus"] = "applying" });
        await ReportAsync(new() { ["fwUpdateStatus"] = "rebooting", ["lastFwUpdateEndTime"] = Now() });
        FirmwareVersion = fwVersion;
        await InitDeviceAsync();
    }

    // The lab's InitDevice: the whole block, which also blanks both timestamps after an update (a quirk kept on purpose).
    private Task InitDeviceAsync() => ReportAsync(new()
    {
        ["currentFwVersion"] = FirmwareVersion,
        ["pendingFwVersion"] = "",
        ["fwUpdateStatus"] = "current",
        ["fwUpdateSubstatus"] = "",
        ["lastFwUpdateStartTime"] = "",
        ["lastFwUpdateEndTime"] = "",
    });

    private async Task ReportAsync(JsonObject firmware)
    {
        var reported = new TwinCollection();
        reported["firmware"] = new TwinCollection(firmware.ToJsonString());
        await client.UpdateReportedPropertiesAsync(reported);
        Reported.Enqueue(firmware);
    }

    private static string Now() => DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        if (_update is not null)
        {
            try { await _update; }
            catch (Exception) { /* reported through Updated */ }
        }
        await client.DisposeAsync();
    }
}
