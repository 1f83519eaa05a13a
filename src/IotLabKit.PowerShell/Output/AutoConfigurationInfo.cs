using System.Management.Automation;
using System.Text.Json;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Output;

/// <summary>
/// An automatic device configuration as the cmdlets show it (PSTypeName <c>IotLabKit.AutoConfiguration</c>): what
/// it targets and writes, and its system and custom metrics as of the hub's last evaluation, flattened for tables.
/// </summary>
public sealed class AutoConfigurationInfo
{
    /// <summary>The PSTypeName the format views select on.</summary>
    public const string TypeName = "IotLabKit.AutoConfiguration";

    /// <summary>The configuration id.</summary>
    public string Id { get; init; } = "";
    /// <summary>Which configuration wins a twin path another also writes: the higher; on a tie, the newer.</summary>
    public int Priority { get; init; }
    /// <summary>Which device twins it targets (a WHERE condition, <c>*</c> for all).</summary>
    public string? TargetCondition { get; init; }
    /// <summary>Twins matching the target condition at the last evaluation.</summary>
    public long TargetedCount { get; init; }
    /// <summary>Twins it was applied to at the last evaluation (status Applied).</summary>
    public long AppliedCount { get; init; }
    /// <summary>Custom metric counts at the last evaluation (name → count).</summary>
    public PSObject Metrics { get; init; } = new();
    /// <summary>The custom metrics' queries (name → query).</summary>
    public PSObject MetricQueries { get; init; } = new();
    /// <summary>The queries behind <see cref="TargetedCount"/> and <see cref="AppliedCount"/>.</summary>
    public PSObject SystemMetricQueries { get; init; } = new();
    /// <summary>What it writes: twin path (<c>properties.desired.firmware</c>) → value.</summary>
    public PSObject Content { get; init; } = new();
    /// <summary>Labels (name → value).</summary>
    public PSObject Labels { get; init; } = new();
    /// <summary>When it was created (local time).</summary>
    public DateTime? CreatedTime { get; init; }
    /// <summary>When it was last changed (local time).</summary>
    public DateTime? LastUpdatedTime { get; init; }
    /// <summary>The entity tag, for -ETag on Set- and Remove-AutoConfiguration.</summary>
    public string? ETag { get; init; }

    /// <summary>Wraps a configuration for output.</summary>
    internal static PSObject From(Configuration configuration)
    {
        var info = new AutoConfigurationInfo
        {
            Id = configuration.Id,
            Priority = configuration.Priority,
            TargetCondition = configuration.TargetCondition,
            TargetedCount = configuration.SystemMetrics.Results.TryGetValue("targetedCount", out var targeted) ? targeted : 0,
            AppliedCount = configuration.SystemMetrics.Results.TryGetValue("appliedCount", out var applied) ? applied : 0,
            Metrics = Map(configuration.Metrics.Queries.Keys.ToDictionary(k => k, k => (object?)(configuration.Metrics.Results.TryGetValue(k, out var n) ? n : 0L))),
            MetricQueries = Map(configuration.Metrics.Queries.ToDictionary(q => q.Key, q => (object?)q.Value)),
            SystemMetricQueries = Map(configuration.SystemMetrics.Queries.ToDictionary(q => q.Key, q => (object?)q.Value)),
            Content = Map(configuration.Content.DeviceContent),
            Labels = Map(configuration.Labels.ToDictionary(l => l.Key, l => (object?)l.Value)),
            CreatedTime = DeviceInfo.Local(configuration.CreatedTimeUtc),
            LastUpdatedTime = DeviceInfo.Local(configuration.LastUpdatedTimeUtc),
            ETag = configuration.ETag,
        };
        var ps = PSObject.AsPSObject(info);
        ps.TypeNames.Insert(0, TypeName);
        return ps;
    }

    // Through JSON so nested content becomes PSCustomObjects that navigate and convert back like the wire.
    private static PSObject Map(IDictionary<string, object?> values)
    {
        using var document = JsonDocument.Parse(JsonSerializer.Serialize(values));
        return PSJson.ToPSObject(document.RootElement);
    }

    /// <inheritdoc />
    public override string ToString() => Id;
}
