using System.Text.Json;
using System.Text.Json.Nodes;
using IotLabKit.Device;
using IotLabKit.Simulation.Formats;
using IotLabKit.Simulation.Hosting;

namespace IotLabKit.Simulation.Behaviors;

/// <summary>
/// The course's configuration pattern: the back end sets the desired <c>telemetryConfig.sendFrequency</c>, the
/// device applies it and says so under the reported <c>telemetryConfig</c>:
/// <c>status</c> "pending" with <c>pendingSendFrequency</c> while it applies a valid value, then "success" with
/// <c>sendFrequency</c> and <c>sendFrequencyInSeconds</c> in effect; for a value it cannot use, "failed" with
/// <c>error</c>, and the previous interval stays in effect. A <c>null</c> (deleted) value returns to the factory
/// interval. On every boot the device reads its twin and applies the desired value it finds.
/// </summary>
internal sealed class TelemetryConfigBehavior(ISimulationHost host) : IDeviceBehavior
{
    private const string Section = "telemetryConfig";
    private const string Frequency = "sendFrequency";

    public IReadOnlyDictionary<string, MethodCallback> Methods { get; } = new Dictionary<string, MethodCallback>();

    public async Task OnBootAsync(CancellationToken boot)
    {
        Twin twin;
        try
        {
            twin = await host.GetTwinAsync(boot).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !boot.IsCancellationRequested)
        {
            host.RecordError("reading the twin at boot", ex);
            return;
        }
        var desired = Parse(twin.Properties.Desired);
        if (desired[Section] is JsonObject config && config.ContainsKey(Frequency))
            await ApplyAsync(config[Frequency], boot).ConfigureAwait(false);
        else
            await ReportInEffectAsync(boot).ConfigureAwait(false);
    }

    public async Task OnDesiredAsync(TwinCollection desired, CancellationToken boot)
    {
        var patch = Parse(desired);
        if (!patch.TryGetPropertyValue(Section, out var section)) return;
        if (section is null)
        {
            await ApplyAsync(null, boot).ConfigureAwait(false); // the whole section was deleted
            return;
        }
        if (section is JsonObject config)
        {
            if (config.TryGetPropertyValue(Frequency, out var value)) await ApplyAsync(value, boot).ConfigureAwait(false);
            return;
        }
        await ReportAsync(Failed($"{Section} must be an object such as {{\"{Frequency}\":\"5m\"}}, not {section.ToJsonString()}."), boot).ConfigureAwait(false);
    }

    public void ResetToFactory() => host.SetTelemetryInterval(host.Options.TelemetryInterval);

    private async Task ApplyAsync(JsonNode? value, CancellationToken boot)
    {
        if (value is null)
        {
            host.Log($"Telemetry interval back to the factory setting, {DurationText.Format(host.Options.TelemetryInterval)}");
            host.SetTelemetryInterval(host.Options.TelemetryInterval);
            await ReportInEffectAsync(boot).ConfigureAwait(false);
            return;
        }
        if (!DurationText.TryParse(value, out var interval, out var error))
        {
            host.Log($"Telemetry configuration refused: {error}");
            await ReportAsync(Failed(error), boot).ConfigureAwait(false);
            return;
        }
        var requested = value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
        await ReportAsync(new JsonObject { ["status"] = "pending", ["pendingSendFrequency"] = requested }, boot).ConfigureAwait(false);
        host.SetTelemetryInterval(interval);
        host.Log($"Telemetry interval set to {DurationText.Format(interval)}");
        await ReportInEffectAsync(boot, requested).ConfigureAwait(false);
    }

    private Task ReportInEffectAsync(CancellationToken boot, string? asWritten = null)
    {
        var interval = host.TelemetryInterval;
        return ReportAsync(new JsonObject
        {
            [Frequency] = asWritten ?? DurationText.Format(interval),
            ["sendFrequencyInSeconds"] = interval.TotalSeconds,
            ["status"] = "success",
            ["pendingSendFrequency"] = null,
            ["error"] = null,
        }, boot);
    }

    private static JsonObject Failed(string error)
        => new() { ["status"] = "failed", ["pendingSendFrequency"] = null, ["error"] = error };

    private async Task ReportAsync(JsonObject section, CancellationToken boot)
    {
        try
        {
            await host.ReportAsync(new JsonObject { [Section] = section }, boot).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !boot.IsCancellationRequested)
        {
            host.RecordError("reporting the telemetry configuration", ex);
        }
    }

    private static JsonObject Parse(TwinCollection collection)
        => JsonNode.Parse(collection.ToJson()) as JsonObject ?? new JsonObject();
}
