using System.Text.Json;
using System.Text.Json.Nodes;
using IotLabKit.Device;
using IotLabKit.Simulation.Formats;
using IotLabKit.Simulation.Hosting;

namespace IotLabKit.Simulation.Behaviors;

/// <summary>
/// Lab 16's <c>fwupdatedevice</c>, step for step (az220-labs §2.4–2.5): at boot it reports the whole
/// <c>firmware</c> block (current version, status "current", everything else ""); any desired patch that carries a
/// non-null <c>firmware</c> starts a full update — there is no version check, as in the lab — that reports, each as
/// a partial patch under <c>firmware</c>: the pending version and start time; "downloading" with substatus 0, 25,
/// 50, 75, 100; "verifying"; "applying"; "rebooting" with the end time; and after the reboot the boot block again
/// with the new version (which blanks both timestamps, as the lab's code does). Updates run one after the other.
/// </summary>
/// <remarks>
/// Two additions to the lab, which would crash instead: a desired <c>firmware</c> without <c>fwVersion</c>,
/// <c>fwPackageURI</c> or <c>fwPackageCheckValue</c> is reported as <c>fwUpdateStatus</c> "error" with the reason in
/// <c>fwUpdateSubstatus</c> (a status the lab's comments define); and a reboot or factory reset of the device during
/// an update abandons it, after which the device boots with the firmware it had.
/// </remarks>
internal sealed class FirmwareUpdateBehavior : IDeviceBehavior
{
    private const string Section = "firmware";

    private readonly ISimulationHost _host;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1); // the lab's callback awaits each update before the next
    private string _version;

    public FirmwareUpdateBehavior(ISimulationHost host)
    {
        _host = host;
        _version = host.Options.FirmwareVersion;
    }

    public IReadOnlyDictionary<string, MethodCallback> Methods { get; } = new Dictionary<string, MethodCallback>();

    public async Task OnBootAsync(CancellationToken boot)
    {
        await _oneAtATime.WaitAsync(boot).ConfigureAwait(false);
        try
        {
            await InitDeviceAsync(boot, logBoot: false).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !boot.IsCancellationRequested)
        {
            _host.RecordError("reporting the firmware at boot", ex);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    public Task OnDesiredAsync(TwinCollection desired, CancellationToken boot)
    {
        if (!desired.Contains(Section) || desired[Section] is null) return Task.CompletedTask;
        var firmware = JsonNode.Parse(desired.ToJson())?[Section];
        _host.RunInBackground("firmware update", ct => UpdateAsync(firmware, ct), boot);
        return Task.CompletedTask;
    }

    public void ResetToFactory() => _version = _host.Options.FirmwareVersion;

    private async Task UpdateAsync(JsonNode? firmware, CancellationToken boot)
    {
        await _oneAtATime.WaitAsync(boot).ConfigureAwait(false);
        try
        {
            await RunUpdateAsync(firmware, boot).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (boot.IsCancellationRequested)
        {
            _host.Log("Firmware update abandoned: the device restarted");
        }
        catch (Exception ex)
        {
            _host.RecordError("updating the firmware", ex);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task RunUpdateAsync(JsonNode? firmware, CancellationToken boot)
    {
        var timings = _host.Options.Timings;
        var fwVersion = Text(firmware, "fwVersion");
        var fwPackageUri = Text(firmware, "fwPackageURI");
        var fwPackageCheckValue = Text(firmware, "fwPackageCheckValue");
        var missing = new[] { ("fwVersion", fwVersion), ("fwPackageURI", fwPackageUri), ("fwPackageCheckValue", fwPackageCheckValue) }
            .Where(p => p.Item2 is null).Select(p => p.Item1).ToList();
        if (missing.Count > 0)
        {
            var reason = firmware is JsonObject
                ? $"The desired firmware has no {string.Join(", ", missing)}."
                : "The desired firmware must be an object with fwVersion, fwPackageURI and fwPackageCheckValue.";
            _host.Log("Firmware update refused: " + reason);
            await ReportAsync(boot, status: "error", substatus: reason).ConfigureAwait(false);
            return;
        }

        _host.Log($"A firmware update was requested from version {_version} to version {fwVersion}");
        await ReportAsync(boot, pending: fwVersion, start: TwinTime.Firmware(_host.Time.GetUtcNow())).ConfigureAwait(false);

        _host.Log($"Downloading new firmware package from {fwPackageUri}");
        foreach (var percent in new[] { "0", "25", "50", "75" })
        {
            await ReportAsync(boot, status: "downloading", substatus: percent).ConfigureAwait(false);
            await DelayAsync(timings.FirmwareDownloadStep, boot).ConfigureAwait(false);
        }
        await ReportAsync(boot, status: "downloading", substatus: "100").ConfigureAwait(false);
        _host.Log("The new firmware package has been successfully downloaded.");

        _host.Log($"Verifying firmware package with checksum {fwPackageCheckValue}");
        await ReportAsync(boot, status: "verifying").ConfigureAwait(false);
        await DelayAsync(timings.FirmwareVerify, boot).ConfigureAwait(false);
        _host.Log("The new firmware binary package has been successfully verified");

        _host.Log("Applying new firmware");
        await ReportAsync(boot, status: "applying").ConfigureAwait(false);
        await DelayAsync(timings.FirmwareApply, boot).ConfigureAwait(false);

        _host.Log("Rebooting");
        await ReportAsync(boot, status: "rebooting", end: TwinTime.Firmware(_host.Time.GetUtcNow())).ConfigureAwait(false);
        _version = fwVersion!;
        await DelayAsync(timings.FirmwareReboot, boot).ConfigureAwait(false);

        await InitDeviceAsync(boot, logBoot: true).ConfigureAwait(false);
    }

    /// <summary>The lab's <c>InitDevice</c>: logs the boot and reports the whole firmware block.</summary>
    private async Task InitDeviceAsync(CancellationToken boot, bool logBoot)
    {
        if (logBoot) _host.Log("Device booted"); // at a real boot the host has logged it already
        _host.Log($"Current firmware version: {_version}");
        await ReportAsync(boot, current: _version, pending: "", status: "current", substatus: "", start: "", end: "").ConfigureAwait(false);
    }

    /// <summary>The lab's <c>UpdateFWUpdateStatus</c>: a partial patch under <c>firmware</c> with only the given values.</summary>
    private async Task ReportAsync(CancellationToken boot, string? current = null, string? pending = null, string? status = null,
        string? substatus = null, string? start = null, string? end = null)
    {
        var section = new JsonObject();
        if (current is not null) section["currentFwVersion"] = current;
        if (pending is not null) section["pendingFwVersion"] = pending;
        if (status is not null) section["fwUpdateStatus"] = status;
        if (substatus is not null) section["fwUpdateSubstatus"] = substatus;
        if (start is not null) section["lastFwUpdateStartTime"] = start;
        if (end is not null) section["lastFwUpdateEndTime"] = end;
        await _host.ReportAsync(new JsonObject { [Section] = section }, boot).ConfigureAwait(false);
        if (status is not null) _host.SetFirmwareState(_version, status);
    }

    private Task DelayAsync(TimeSpan delay, CancellationToken boot)
        => delay <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay, _host.Time, boot);

    private static string? Text(JsonNode? firmware, string name)
    {
        if (firmware is not JsonObject obj || obj[name] is not JsonValue value) return null;
        return value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
    }
}
